"""The borrower's settings: the language they chose, and contact preferences that bind
collectors from the moment they are set (marked, complained about, audited, exported)."""

import json
import re
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.auth.models import User
from portal.extensions import db
from portal.loans.models import Borrower, ContactPreference
from tests.helpers import NOW, TEST_PASSWORD, TODAY, log_in, outbox_bodies, shanghai, totp_code
from tests.loans.test_pages import (
    add_contact,
    count_queries,
    page_statements,
)

EN = {"Accept-Language": "en"}
SMS_ONLY_NOT_AFTER_8PM_NEVER_EMPLOYER = {
    "channels": ["sms"],
    "earliest": "",
    "latest": "20:00",
    "barred_parties": ["employer"],
    "representative_name": "",
    "representative_phone": "",
}


def csrf_free(app):
    app.config["WTF_CSRF_ENABLED"] = False


def save_preferences(client, **fields):
    data = {**SMS_ONLY_NOT_AFTER_8PM_NEVER_EMPLOYER, **fields}
    return client.post("/settings/contact", data=data, headers=EN)


def preference_rows(app, borrower_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(ContactPreference)
            .where(ContactPreference.borrower_id == borrower_id)
            .order_by(ContactPreference.id)
        ).all()


@pytest.fixture
def borrower(make_borrower, client):
    record = make_borrower(language="en")
    log_in(client, record.phone)
    return record


def test_settings_page_is_in_the_borrower_nav_and_starts_from_the_law(client, borrower):
    dashboard = client.get("/loans", headers=EN).text
    assert 'href="/settings"' in dashboard
    page = client.get("/settings", headers=EN).text
    assert "How collectors may contact you" in page
    # Nothing set yet: every way is open, within the legal hours.
    for channel in ("call", "sms", "email", "letter", "visit"):
        assert re.search(
            rf'<input[^>]*checked[^>]*value="{channel}"|value="{channel}"[^>]*checked', page
        )
    assert "08:00 (the legal limit)" in page and "22:00 (the legal limit)" in page


def test_each_change_adds_a_dated_row_and_is_audited(app, client, borrower, clock):
    response = save_preferences(client)
    assert response.status_code == 302
    clock.shift(timedelta(minutes=20))
    save_preferences(client, channels=["sms", "email"])
    save_preferences(client, channels=["sms", "email"])  # the same again: nothing new
    first, second = preference_rows(app, borrower.borrower_id)
    assert first.channel_codes == {"sms"} and first.latest == time(20, 0)
    assert first.barred_party_codes == {"employer"}
    assert second.channel_codes == {"sms", "email"}
    assert second.set_at - first.set_at >= timedelta(minutes=20)
    assert abs(first.set_at - NOW) < timedelta(minutes=1)
    with app.app_context():
        audited = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "account.contact_preferences_changed")
        ).all()
    assert [entry.subject_id for entry in audited] == [first.id, second.id]
    assert audited[0].actor_user_id == borrower.user_id
    assert audited[0].details["channels_allowed"] == ["sms"]
    assert audited[0].details["latest"] == "20:00"
    page = client.get("/settings", headers=EN).text
    assert "Your current choices were saved on" in page


def test_preferences_rows_are_never_rewritten(app, client, borrower):
    save_preferences(client)
    with app.app_context():
        row = db.session.scalars(sa.select(ContactPreference)).one()
        row.channels = "call"
        with pytest.raises(ValueError, match="never rewritten"):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"channels": []}, "Leave at least one way for collectors to reach you."),
        ({"channels": ["sms", "pigeon"]}, "Choose from the ways listed."),
        ({"barred_parties": ["neighbour"]}, "Choose from the people listed."),
        (
            {"earliest": "20:00", "latest": "09:00"},
            "The earliest hour must come before the latest.",
        ),
        ({"latest": "23:00"}, "Choose one of the hours listed."),
        ({"representative_name": "王律师"}, "Give both the name and the phone number"),
        ({"representative_phone": "13900000000"}, "Give both the name and the phone number"),
        (
            {"representative_name": "王律师", "representative_phone": "call my office"},
            "Enter the representative&#39;s phone number with digits only.",
        ),
    ],
)
def test_refused_preferences_say_why_and_record_nothing(app, client, borrower, fields, message):
    response = save_preferences(client, **fields)
    assert response.status_code == 200
    assert message in response.text
    assert preference_rows(app, borrower.borrower_id) == []


def test_a_representative_is_kept_with_the_phone_normalised(app, client, borrower):
    save_preferences(client, representative_name="王律师", representative_phone="+86 139-0000-0000")
    (row,) = preference_rows(app, borrower.borrower_id)
    assert (row.representative_name, row.representative_phone) == ("王律师", "13900000000")


def test_contacts_after_the_preference_that_break_it_are_marked_in_plain_words(
    app, client, overdue_borrower
):
    log_in(client, overdue_borrower.phone)
    add_contact(app, overdue_borrower.loan_id, shanghai(TODAY, 9, 30), party="employer")
    save_preferences(client)  # at 10:00: SMS only, not after 20:00, never the employer
    add_contact(app, overdue_borrower.loan_id, shanghai(TODAY, 20, 30), channel="call")
    add_contact(
        app, overdue_borrower.loan_id, shanghai(TODAY, 11, 0), party="employer", channel="sms"
    )
    add_contact(app, overdue_borrower.loan_id, shanghai(TODAY, 12, 0), channel="sms")
    page = client.get(f"/loans/{overdue_borrower.loan_id}", headers=EN).text
    assert (
        page.count(
            "You were contacted this way although you asked to be contacted only by: Text message."
        )
        == 1
    )
    assert page.count("You were contacted after 20:00, the latest hour you allowed.") == 1
    # The employer called at 09:30, before the preference, is judged by the law alone.
    assert page.count("Your employer was contacted although you asked collectors not to.") == 1
    assert page.count('class="contact breach"') == 2


def test_complaining_about_a_contact_suggests_the_category_of_the_broken_preference(
    app, client, overdue_borrower
):
    from portal.loans.models import ContactLogEntry

    log_in(client, overdue_borrower.phone)
    save_preferences(client)
    add_contact(app, overdue_borrower.loan_id, shanghai(TODAY, 20, 30), channel="call")
    add_contact(
        app, overdue_borrower.loan_id, shanghai(TODAY, 11, 0), party="employer", channel="sms"
    )
    with app.app_context():
        late_call, employer = db.session.scalars(
            sa.select(ContactLogEntry).order_by(ContactLogEntry.id)
        ).all()
    page = client.get(f"/complaints/new?contact={late_call.id}", headers=EN).text
    assert re.search(r'<option selected value="inconvenient_contact">', page), page
    assert "You were contacted after 20:00, the latest hour you allowed." in page
    page = client.get(f"/complaints/new?contact={employer.id}", headers=EN).text
    assert re.search(r'<option selected value="third_party_contact">', page)
    assert "Your employer was contacted although you asked collectors not to." in page


@pytest.mark.parametrize("path", ["/loans", "/loans/{loan_id}"])
def test_changing_preferences_costs_the_pages_no_statement(
    app, client, overdue_borrower, clock, path
):
    url = path.format(loan_id=overdue_borrower.loan_id)
    log_in(client, overdue_borrower.phone)
    add_contact(app, overdue_borrower.loan_id, shanghai(TODAY, 9, 0))
    client.get(url)  # warm up: the session's last-seen time is written at most once a minute
    with count_queries(app) as before:
        assert client.get(url).status_code == 200
    for step in range(5):
        clock.shift(timedelta(minutes=10))  # a new row per change, each in force from its time
        save_preferences(client, latest=f"{15 + step}:00")
        add_contact(app, overdue_borrower.loan_id, shanghai(TODAY, 21, step), channel="call")
    client.get(url)
    with count_queries(app) as after:
        page = client.get(url, headers=EN)
    assert "You were contacted this way although" in page.text
    assert len(page_statements(after)) == len(page_statements(before))
    assert len(page_statements(after)) <= (7 if path == "/loans" else 8)


def test_the_data_download_holds_every_version_of_the_preferences(app, client, borrower, clock):
    save_preferences(client)
    clock.shift(timedelta(minutes=10))
    save_preferences(client, representative_name="王律师", representative_phone="13900000000")
    data = json.loads(client.get("/rights/my-data.json").data)
    first, second = data["contact_preferences"]
    assert first["channels_allowed"] == ["sms"] and first["latest"] == "20:00"
    assert first["do_not_contact"] == ["employer"] and first["representative"] is None
    assert second["representative"] == {"name": "王律师", "phone": "13900000000"}
    assert first["set_at"] < second["set_at"]


# --- language ---------------------------------------------------------------------------------


def test_changing_the_language_on_the_settings_page_is_kept_and_used_for_messages(
    app, client, borrower
):
    response = client.post("/settings/language", data={"language": "zh_Hant"}, headers=EN)
    assert response.status_code == 302
    assert "設定" in client.get("/settings").text
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).preferred_language == "zh_Hant"
        changes = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "account.language_changed")
        ).all()
        assert [c.details for c in changes] == [{"language": "zh_Hant"}]
    client.post("/logout")
    client.post("/reset", data={"identifier": borrower.email})
    with app.app_context():
        assert "重設" in outbox_bodies()[-1]


def test_an_unknown_language_is_refused(app, client, borrower):
    response = client.post("/settings/language", data={"language": "klingon"}, headers=EN)
    assert response.status_code == 200
    assert "Choose one of the languages listed." in response.text
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).preferred_language == "en"


@pytest.mark.parametrize(
    "headers, switched_to, kept",
    [
        ({"Accept-Language": "zh-TW,zh;q=0.9"}, None, "zh_Hant"),
        ({"Accept-Language": "en-GB,en;q=0.9"}, None, "en"),
        ({"Accept-Language": "en"}, "zh_Hant", "zh_Hant"),  # the switcher wins over the browser
        ({}, None, "zh_Hans"),  # no choice at all: the account's language stands
        ({"Accept-Language": "fr"}, None, "zh_Hans"),
    ],
)
def test_logging_in_keeps_the_language_chosen_on_the_login_page(
    app, client, make_borrower, headers, switched_to, kept
):
    record = make_borrower(language="zh_Hans")
    if switched_to:
        client.post("/language", data={"language": switched_to, "next": "/login"})
    response = client.post(
        "/login", data={"identifier": record.phone, "password": TEST_PASSWORD}, headers=headers
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Borrower, record.borrower_id).preferred_language == kept


def test_a_browser_header_does_not_outweigh_a_language_imported_or_chosen(
    app, client, make_borrower
):
    imported_english = make_borrower(language="en")
    chose_traditional = make_borrower(language="zh_Hans")
    log_in(client, chose_traditional.phone)
    client.post("/settings/language", data={"language": "zh_Hant"})
    client.post("/logout")
    chinese_browser = {"Accept-Language": "zh-CN,zh;q=0.9"}
    english_browser = {"Accept-Language": "en"}
    for record, headers in (
        (imported_english, chinese_browser),
        (chose_traditional, english_browser),
    ):
        fresh = app.test_client()  # another phone: no switcher choice in its session
        data = {"identifier": record.phone, "password": TEST_PASSWORD}
        assert fresh.post("/login", data=data, headers=headers).status_code == 302
    with app.app_context():
        assert db.session.get(Borrower, imported_english.borrower_id).preferred_language == "en"
        assert (
            db.session.get(Borrower, chose_traditional.borrower_id).preferred_language == "zh_Hant"
        )


def test_a_language_chosen_in_the_portal_survives_the_next_import(
    app, client, borrower, runner, tmp_path
):
    client.post("/settings/language", data={"language": "zh_Hant"})
    with app.app_context():
        held = db.session.get(Borrower, borrower.borrower_id)
        row = {
            "record": "borrower",
            "customer_ref": held.customer_ref,
            "full_name": "新名字",
            "id_last4": held.id_last4,
            "phone": held.phone,
            "email": held.email,
            "preferred_language": "zh_Hans",
        }
    path = tmp_path / "borrowers.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(args=["portal", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        held = db.session.get(Borrower, borrower.borrower_id)
        assert held.full_name == "新名字"  # the import ran
        assert held.preferred_language == "zh_Hant"


def test_staff_keep_the_language_of_their_login_page(app, client, make_staff):
    record = make_staff("support")
    client.post(
        "/login",
        data={"identifier": record.email, "password": TEST_PASSWORD},
        headers={"Accept-Language": "en"},
    )
    # The code step is asked from the same browser; its language was that of the password page.
    client.post("/login/code", data={"code": totp_code()})
    with app.app_context():
        assert db.session.get(User, record.user_id).preferred_language == "en"
