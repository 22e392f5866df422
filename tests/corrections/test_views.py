"""A borrower asks to correct their personal data with evidence; support accepts (the data
changes, audited, and the borrower is told once) or refuses with a reason."""

import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.corrections.models import CorrectionRequest, CorrectionSentForm
from portal.extensions import db
from portal.loans.models import Borrower
from portal.outbox.models import OutboxMessage
from portal.uploads import UploadedFile
from tests.helpers import csrf_token_in, log_in, log_out, submit_form

PDF = b"%PDF-1.4\n" + b"0" * 64
NEW_ADDRESS = "上海市浦东新区世纪大道100号 8楼 801室"


@pytest.fixture
def borrower(app, make_borrower, client, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    record = make_borrower(language="en")
    assert log_in(client, record.phone).status_code == 302
    return record


def ask(client, field="address", value=NEW_ADDRESS, files=(("bill.pdf", PDF),), **extra):
    """Open the form for `field` and send it, as a browser does."""
    data = {
        "field": field,
        "value": value,
        "explanation": "I moved in March.",
        "evidence": [(io.BytesIO(content), name) for name, content in files],
        **extra,
    }
    return submit_form(
        client,
        f"/rights/corrections/new?field={field}",
        data,
        content_type="multipart/form-data",
    )


def as_staff(client, make_staff, role="support"):
    log_out(client)
    staff = make_staff(role)
    log_in(client, staff.email)
    submit_form(client, "/", to="/language", data={"language": "en"})
    return staff


def the_request(app) -> CorrectionRequest:
    with app.app_context():
        return db.session.scalar(sa.select(CorrectionRequest).order_by(CorrectionRequest.id))


def messages(app, purpose) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.purpose == purpose)
        ).all()


def test_the_rights_page_leads_to_the_borrowers_data_and_a_correction(client, borrower):
    rights = client.get("/rights").text
    assert 'href="/rights/corrections/"' in rights
    page = client.get("/rights/corrections/").text
    assert borrower.phone in page and borrower.email in page and "张三" in page
    assert 'href="/rights/corrections/new?field=address"' in page
    form = client.get("/rights/corrections/new?field=address").text
    assert re.search(r'<input[^>]*checked[^>]*value="address"|value="address"[^>]*checked', form)


def test_the_borrower_asks_and_support_accepts_after_a_summary(app, client, borrower, make_staff):
    response = ask(client)
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Waiting for an answer" in page
    assert "We answer by 5 December 2026 at the latest." in page  # calendar day 15
    assert NEW_ADDRESS in page and "bill.pdf" in page
    correction = the_request(app)
    assert (correction.field, correction.current_value) == ("address", None)
    assert "Answer by 5 Dec 2026" in client.get("/rights/corrections/").text
    [received] = messages(app, "correction_received")
    assert "Address" in received.body and "5 Dec 2026" in received.body

    staff = as_staff(client, make_staff)
    queue = client.get("/staff/corrections/").text
    assert "张三" in queue and "Address" in queue and "0 days" in queue
    page = client.get(f"/staff/corrections/{correction.id}").text
    assert NEW_ADDRESS in page and "bill.pdf" in page
    assert page.count('type="submit"') >= 2  # accept and refuse: two forms, two buttons
    token = re.search(r'name="accept-token"[^>]*value="([^"]+)"', page)[1]
    data = {"csrf_token": csrf_token_in(page), "accept-token": token, "accept-message": "Thanks."}

    summary = client.post(f"/staff/corrections/{correction.id}/accept", data=data)
    assert summary.status_code == 200 and "Confirm the correction" in summary.text
    assert NEW_ADDRESS in summary.text and 'name="confirmed" value="1"' in summary.text
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).address is None

    done = client.post(
        f"/staff/corrections/{correction.id}/accept", data={**data, "confirmed": "1"}
    )
    assert done.status_code == 302
    # A double click: the same form again changes nothing and tells nothing twice.
    again = client.post(
        f"/staff/corrections/{correction.id}/accept", data={**data, "confirmed": "1"}
    )
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).address == NEW_ADDRESS
        accepted = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "correction.accepted")
        ).all()
        assert len(accepted) == 1
        assert accepted[0].actor_user_id == staff.user_id
        assert accepted[0].borrower_id == borrower.borrower_id
        assert accepted[0].details == {"field": "address", "old": None, "new": NEW_ADDRESS}
        viewed = db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "staff.correction_viewed",
                AuditEntry.actor_user_id == staff.user_id,
            )
        )
        assert viewed == 1
    [answered] = messages(app, "correction_answered")
    assert "We corrected this item of your data as you asked: Address." in answered.body
    assert "Thanks." in answered.body and answered.recipient == borrower.email
    assert "张三" not in client.get("/staff/corrections/").text

    log_out(client)
    log_in(client, borrower.phone)
    page = client.get(f"/rights/corrections/{correction.id}").text
    assert "Corrected" in page and f"It now reads: {NEW_ADDRESS}" in page and "Thanks." in page
    assert NEW_ADDRESS in client.get("/rights/corrections/").text


def test_support_refuses_with_a_reason_the_borrower_reads(app, client, borrower, make_staff):
    ask(client, field="name", value="张三丰", files=(("id.pdf", PDF),))
    correction = the_request(app)
    as_staff(client, make_staff)
    empty = submit_form(
        client,
        f"/staff/corrections/{correction.id}",
        {"refuse-reason": " "},
        to=f"/staff/corrections/{correction.id}/refuse",
    )
    assert empty.status_code == 400
    assert "Write the reason for refusing, for the borrower." in empty.text
    refused = submit_form(
        client,
        f"/staff/corrections/{correction.id}",
        {"refuse-reason": "The ID card shows 张三."},
        to=f"/staff/corrections/{correction.id}/refuse",
    )
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).full_name == "张三"
        assert db.session.get(CorrectionRequest, correction.id).status == "refused"
    [answered] = messages(app, "correction_answered")
    assert "We did not correct this item of your data: Name." in answered.body
    assert "The ID card shows 张三." in answered.body
    # Answered: no more forms on its page, and accepting now is refused.
    page = client.get(f"/staff/corrections/{correction.id}").text
    assert "accept-token" not in page and "The ID card shows 张三." in page
    late = submit_form(
        client,
        "/staff/corrections/",
        {"accept-token": "x" * 32, "confirmed": "1"},
        to=f"/staff/corrections/{correction.id}/accept",
    )
    assert late.status_code == 302
    assert "already been answered" in client.get(late.location).text

    log_out(client)
    log_in(client, borrower.phone)
    page = client.get(f"/rights/corrections/{correction.id}").text
    assert "Not corrected" in page and "The ID card shows 张三." in page
    assert 'href="/complaints/new"' in page


def test_another_borrowers_request_is_not_found(app, client, borrower, make_borrower):
    ask(client)
    correction = the_request(app)
    other = make_borrower()
    log_out(client)
    log_in(client, other.phone)
    assert client.get(f"/rights/corrections/{correction.id}").status_code == 404
    assert NEW_ADDRESS not in client.get("/rights/corrections/").text


@pytest.mark.parametrize("role", ["approver", "admin", "borrower"])
def test_only_support_reaches_the_queue_and_the_answers(
    app, client, borrower, make_staff, make_borrower, role
):
    ask(client)
    correction = the_request(app)
    log_out(client)
    if role == "borrower":
        log_in(client, make_borrower().phone)
    else:
        log_in(client, make_staff(role).email)
    assert client.get("/staff/corrections/").status_code == 404
    assert client.get(f"/staff/corrections/{correction.id}").status_code == 404
    for action in ("accept", "refuse"):
        response = client.post(
            f"/staff/corrections/{correction.id}/{action}",
            data={"confirmed": "1", "refuse-reason": "No."},
        )
        assert response.status_code == 404
    with app.app_context():
        assert db.session.get(CorrectionRequest, correction.id).status == "open"


def test_support_downloads_the_evidence_and_approvers_do_not(app, client, borrower, make_staff):
    ask(client)
    with app.app_context():
        file_id = db.session.scalar(sa.select(UploadedFile.id))
    assert client.get(f"/files/{file_id}").data == PDF
    as_staff(client, make_staff, "approver")
    assert client.get(f"/files/{file_id}").status_code == 404
    as_staff(client, make_staff)
    assert client.get(f"/files/{file_id}").data == PDF


def test_one_open_request_per_item(app, client, borrower):
    assert ask(client).status_code == 302
    again = ask(client, value="北京市朝阳区1号")
    assert again.status_code == 200
    assert "You already asked to correct this." in again.text
    assert ask(client, field="phone", value="13912345678", files=()).status_code == 302
    with app.app_context():
        fields = db.session.scalars(sa.select(CorrectionRequest.field)).all()
    assert sorted(fields) == ["address", "phone"]
    page = client.get("/rights/corrections/").text
    assert 'href="/rights/corrections/new?field=address"' not in page
    assert 'href="/rights/corrections/new?field=name"' in page


@pytest.mark.parametrize(
    ("field", "value", "files", "message"),
    [
        ("phone", "12-ab", (), "Write a mobile number of 6 to 20 digits"),
        ("email", "not an address", (), "Write an e-mail address like name@example.com."),
        ("name", "张三丰", (), "Add a document that shows the correct value"),
        ("address", "  ", (("a.pdf", PDF),), "Write the correct value."),
        ("name", "张三", (("a.pdf", PDF),), "This is already the value we hold."),
        ("address", "北京市1号", (("a.txt", b"plain text"),), "is not a photo (JPEG, PNG)"),
        ("nickname", "x", (), "Choose what to correct."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(
    app, client, borrower, field, value, files, message
):
    response = ask(client, field=field, value=value, files=files)
    assert response.status_code == 200
    assert message in response.text
    if value.strip():
        assert f'value="{value}"' in response.text
    assert "I moved in March." in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CorrectionRequest.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(UploadedFile.id))) == 0


def test_bad_input_is_refused_in_the_borrowers_language(app, client, make_borrower, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    record = make_borrower()  # Simplified Chinese
    log_in(client, record.phone)
    response = ask(client, field="name", value="张三丰", files=())
    assert "请添加能证明正确内容的文件（照片或 PDF）。" in response.text


def test_a_phone_or_email_is_normalised_and_checked(app, client, borrower):
    assert ask(client, field="phone", value="+86 139-1234-5678", files=()).status_code == 302
    assert ask(client, field="email", value="New.Name@Example.COM", files=()).status_code == 302
    with app.app_context():
        values = db.session.scalars(
            sa.select(CorrectionRequest.requested_value).order_by(CorrectionRequest.id)
        ).all()
    assert values == ["13912345678", "new.name@example.com"]


def test_the_same_form_sent_twice_asks_once(app, client, borrower):
    page = client.get("/rights/corrections/new?field=address").text
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page)[1]

    def send(value):
        return client.post(
            "/rights/corrections/new",
            data={
                "csrf_token": csrf_token_in(page),
                "token": token,
                "field": "address",
                "value": value,
                "evidence": (io.BytesIO(PDF), "bill.pdf"),
            },
            content_type="multipart/form-data",
        )

    first, second = send(NEW_ADDRESS), send(NEW_ADDRESS)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    changed = send("北京市朝阳区1号")
    assert changed.status_code == 302 and changed.location == first.location
    assert "This form had already been sent." in client.get(changed.location).text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CorrectionRequest.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(CorrectionSentForm.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(UploadedFile.id))) == 1
    assert len(messages(app, "correction_received")) == 1


def test_a_phone_held_by_another_borrower_cannot_be_accepted(
    app, client, borrower, make_borrower, make_staff
):
    other = make_borrower()
    ask(client, field="phone", value=other.phone, files=())
    correction = the_request(app)
    as_staff(client, make_staff)
    response = submit_form(
        client,
        f"/staff/corrections/{correction.id}",
        {"accept-message": ""},
        to=f"/staff/corrections/{correction.id}/accept",
    )
    assert response.status_code == 400
    assert "account has this value, so it cannot be changed here" in response.text
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).phone == borrower.phone
        assert db.session.get(CorrectionRequest, correction.id).status == "open"


def test_an_accepted_phone_is_the_new_login_and_the_answer_goes_there(
    app, client, borrower, make_staff
):
    ask(client, field="phone", value="13900001111", files=())
    correction = the_request(app)
    staff = as_staff(client, make_staff)
    from portal.auth.models import User
    from portal.corrections import service

    with app.app_context():
        service.accept(correction.id, db.session.get(User, staff.user_id))
        db.session.commit()
    log_out(client)
    assert log_in(client, "13900001111").status_code == 302
    assert (
        "Log in with the new one from now on."
        in client.get(f"/rights/corrections/{correction.id}").text
    )


def test_the_tick_flags_a_missed_deadline_once(app, client, borrower, runner, clock, make_staff):
    ask(client)
    correction = the_request(app)
    clock.shift(timedelta(days=15))  # 10:00 on 5 December: still in time
    assert "corrections_late 0" in runner.invoke(args=["portal", "tick"]).output
    clock.shift(timedelta(days=1))
    assert "corrections_late 1" in runner.invoke(args=["portal", "tick"]).output
    assert "corrections_late 0" in runner.invoke(args=["portal", "tick"]).output
    with app.app_context():
        assert db.session.get(CorrectionRequest, correction.id).breached_at is not None
        flagged = db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "correction.answer_late"
            )
        )
        assert flagged == 1
    as_staff(client, make_staff)
    queue = client.get("/staff/corrections/").text
    assert "Past the deadline" in queue and "16 days" in queue


def test_the_data_download_holds_the_correction_requests(app, client, borrower):
    ask(client)
    data = json.loads(client.get("/rights/my-data.json").data)
    [request] = data["correction_requests"]
    assert request["item"] == "address" and request["asked_for"] == NEW_ADDRESS
    assert request["status"] == "open" and request["answer_due_at"].startswith("2026-12-05")
    assert data["borrower"]["address"] is None


def test_the_admin_home_counts_the_waiting_requests(app, client, borrower, make_staff):
    ask(client)
    as_staff(client, make_staff, "admin")
    page = client.get("/staff/admin").text
    assert "Correction requests of personal data waiting for support: 1" in page


def _send_request(client, token, value=NEW_ADDRESS):
    return client.post(
        "/rights/corrections/new",
        data={
            "token": token,
            "field": "address",
            "value": value,
            "evidence": (io.BytesIO(PDF), "bill.pdf"),
        },
        content_type="multipart/form-data",
    )


@pytest.mark.postgres
def test_four_sendings_of_one_request_at_once_ask_once(app, make_borrower, tmp_path):
    from tests.complaints.test_sent_once import _at_once, _logged_in

    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    record = make_borrower(language="en")
    clients = _logged_in(app, record.phone, 4)
    page = clients[0].get("/rights/corrections/new?field=address").text
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page)[1]
    responses = _at_once(clients, lambda each: _send_request(each, token))
    assert [r.status_code for r in responses] == [302] * 4
    assert len({r.location for r in responses}) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CorrectionRequest.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(UploadedFile.id))) == 1
    assert len(messages(app, "correction_received")) == 1


@pytest.mark.postgres
def test_two_requests_for_one_item_at_once_open_one(app, make_borrower, tmp_path):
    from tests.complaints.test_sent_once import _at_once, _logged_in

    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    record = make_borrower(language="en")
    clients = _logged_in(app, record.phone, 2)
    tokens = ["first-form-token-000000", "second-form-token-00000"]
    responses = _at_once(clients, lambda each: _send_request(each, tokens[clients.index(each)]))
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert "You already asked to correct this." in refused.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CorrectionRequest.id))) == 1


@pytest.mark.postgres
def test_one_acceptance_sent_four_times_at_once_changes_and_tells_once(
    app, client, borrower, make_staff
):
    from tests.complaints.test_sent_once import _at_once, _logged_in

    ask(client)
    correction = the_request(app)
    staff = make_staff("support")
    support = _logged_in(app, staff.email, 4)
    page = support[0].get(f"/staff/corrections/{correction.id}").text
    token = re.search(r'name="accept-token"[^>]*value="([^"]+)"', page)[1]
    data = {"accept-token": token, "accept-message": "Done.", "confirmed": "1"}
    url = f"/staff/corrections/{correction.id}/accept"
    responses = _at_once(support, lambda each: each.post(url, data=data))
    assert [r.status_code for r in responses] == [302] * 4
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).address == NEW_ADDRESS
        accepted = sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.action == "correction.accepted"
        )
        assert db.session.scalar(accepted) == 1
    assert len(messages(app, "correction_answered")) == 1
