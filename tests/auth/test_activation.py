"""Activating an imported account: loan number + ID digits + one-time code + password."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User, VerificationToken
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from tests.helpers import last_code, log_in, log_out, submit_form

NEW_PASSWORD = "my own long passphrase"
SAME_ANSWER = "If the details you gave match a loan"
EN = {"Accept-Language": "en"}


def start(client, record, **overrides):
    data = {"loan_number": record.loan_number, "id_last4": record.id_last4, "channel": "sms"}
    data.update(overrides)
    return submit_form(client, "/activate", data, headers=EN)


def finish(client, code, password=NEW_PASSWORD, confirm=None):
    return submit_form(
        client,
        "/activate/code",
        {"code": code, "password": password, "confirm": confirm or password},
        headers=EN,
    )


def test_borrower_activates_and_is_logged_in(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    response = start(client, record)
    assert response.status_code == 302 and response.location.endswith("/activate/code")
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert message.channel == "sms" and message.recipient == record.phone
        code = last_code()
    response = finish(client, code)
    assert response.status_code == 302
    home = client.get("/loans")
    assert "My loans" in home.text and record.loan_number in home.text
    with app.app_context():
        user = db.session.get(User, record.user_id)
        assert user.is_active and user.password_hash.startswith("$argon2id$")


def test_code_can_go_to_the_email_on_file(app, client, make_borrower):
    record = make_borrower(activated=False)
    start(client, record, channel="email")
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.channel == "email" and message.recipient == record.email


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({"Accept-Language": "en"}, "Your borrower portal activation code is"),
        ({"Accept-Language": "zh-TW,zh;q=0.8"}, "啟用碼"),
        ({}, "激活码"),  # no choice on the page: the account's language (imported zh_Hans)
    ],
)
def test_code_message_is_in_the_language_chosen_on_the_page(
    app, client, make_borrower, chosen, expected
):
    record = make_borrower(activated=False, language="zh_Hans")
    data = {"loan_number": record.loan_number, "id_last4": record.id_last4, "channel": "sms"}
    client.post("/activate", data=data, headers=chosen)
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert expected in message.body


def test_code_message_follows_the_language_switcher(app, client, make_borrower):
    record = make_borrower(activated=False, language="zh_Hans")
    client.post("/language", data={"language": "zh_Hant", "next": "/activate"}, headers=EN)
    start(client, record)  # the browser says English, the switcher said Traditional Chinese
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert "啟用碼" in message.body


def test_activating_keeps_the_language_chosen_on_the_page(app, client, make_borrower):
    record = make_borrower(activated=False, language="zh_Hans")
    start(client, record)
    with app.app_context():
        code = last_code()
    assert finish(client, code).status_code == 302
    with app.app_context():
        user = db.session.get(User, record.user_id)
        assert user.borrower.preferred_language == "en"


@pytest.mark.parametrize(
    "field, value",
    [("loan_number", "NO-SUCH-LOAN"), ("id_last4", "9999")],
)
def test_wrong_details_get_the_same_answer_and_no_message(app, client, make_borrower, field, value):
    record = make_borrower(activated=False)
    response = start(client, record, **{field: value})
    assert response.status_code == 302
    page = client.get("/activate/code", headers=EN)
    assert SAME_ANSWER in page.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert "not right" in finish(client, "123456").text


def test_already_active_account_gets_no_code(app, client, make_borrower):
    record = make_borrower(activated=True)
    assert start(client, record).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_wrong_code_is_refused_with_a_message_and_the_typed_code_kept(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = finish(client, wrong)
    assert response.status_code == 200
    assert "This code is not right or has expired" in response.text
    assert f'value="{wrong}"' in response.text
    with app.app_context():
        assert not db.session.get(User, record.user_id).is_active


def test_expired_code_is_refused(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        code = last_code()
        token = db.session.scalars(sa.select(VerificationToken)).one()
        token.expires_at = token.created_at - timedelta(seconds=1)
        db.session.commit()
    assert "has expired" in finish(client, code).text


def test_a_new_code_replaces_the_old_one(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        first = last_code()
    start(client, record)
    with app.app_context():
        second = last_code()
    if first != second:
        assert "has expired" in finish(client, first).text
    assert finish(client, second).status_code == 302


def test_a_used_code_cannot_activate_again(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        code = last_code()
    assert finish(client, code).status_code == 302
    log_out(client)
    # The account is active now: the activation form finds nothing to activate.
    start(client, record)
    assert "not right" in finish(client, code, password="another long passphrase").text


def test_five_wrong_codes_use_up_the_code(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        finish(client, wrong)
    response = finish(client, code)
    assert response.status_code == 200
    assert "Too many attempts" in response.text or "not right" in response.text
    with app.app_context():
        assert not db.session.get(User, record.user_id).is_active


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("short", "short", "at least 8 characters"),
        ("password123", "password123", "too common"),
        ("x" * 129, "x" * 129, "at most 128"),
        ("my own long passphrase", "something else entirely", "not the same"),
        ("", "", "Choose a password"),
    ],
)
def test_bad_new_passwords_are_refused_and_the_code_kept_valid(
    app, client, make_borrower, password, confirm, message
):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        code = last_code()
    response = finish(client, code, password=password, confirm=confirm)
    assert response.status_code == 200 and message in response.text
    assert finish(client, code).status_code == 302


def test_password_with_the_borrowers_phone_is_refused(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        code = last_code()
    response = finish(client, code, password=f"my{record.phone}")
    assert "phone number" in response.text


def test_pasted_long_password_up_to_64_and_beyond_is_accepted(app, client, make_borrower):
    record = make_borrower(activated=False)
    start(client, record)
    with app.app_context():
        code = last_code()
    long_password = "这是一个很长的密码短语 with spaces and 符号 !@#" * 2
    assert 64 <= len(long_password) <= 128
    assert finish(client, code, password=long_password).status_code == 302
    log_out(client)
    assert log_in(client, record.phone, long_password).status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        ({"loan_number": "", "id_last4": "1234", "channel": "sms"}, "Enter the loan number"),
        ({"loan_number": "L" * 65, "id_last4": "1234", "channel": "sms"}, "at most 64"),
        ({"loan_number": "L1", "id_last4": "12", "channel": "sms"}, "exactly 4 characters"),
        ({"loan_number": "L1", "id_last4": "12345", "channel": "sms"}, "exactly 4 characters"),
        ({"loan_number": "L1", "id_last4": "<b>1", "channel": "sms"}, "exactly 4 characters"),
        ({"loan_number": "L1", "id_last4": "1234", "channel": "pigeon"}, "Choose how to receive"),
    ],
)
def test_bad_activation_input_is_refused_with_a_clear_message(client, data, message, app):
    response = submit_form(client, "/activate", data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert message in response.text
    if data["loan_number"] and len(data["loan_number"]) <= 64:
        assert f'value="{data["loan_number"]}"' in response.text


def test_code_page_without_first_step_goes_back_to_it(client):
    response = client.get("/activate/code")
    assert response.status_code == 302 and response.location.endswith("/activate")


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "", "１２３４５６"])
def test_malformed_codes_are_refused(client, make_borrower, code):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    response = finish(client, code)
    assert response.status_code == 200
    assert "6 digits" in response.text or "Enter the code" in response.text


def test_activation_requests_are_rate_limited_per_loan_number(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    for _ in range(3):
        assert start(client, record).status_code == 302
    response = start(client, record)
    assert response.status_code == 200 and "Too many attempts" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 3


def test_unknown_loan_numbers_are_rate_limited_the_same_way(client):
    data = {"loan_number": "GHOST-1", "id_last4": "1234", "channel": "sms"}
    for _ in range(3):
        assert submit_form(client, "/activate", data).status_code == 302
    response = submit_form(client, "/activate", data, headers={"Accept-Language": "en"})
    assert "Too many attempts" in response.text


def test_a_wrong_code_is_counted_although_the_page_just_shows_the_error(app, client, make_borrower):
    record = make_borrower(activated=False, language="en")
    start(client, record)
    with app.app_context():
        code = last_code()
    response = finish(client, "000000" if code != "000000" else "111111")
    assert response.status_code == 200 and "not right" in response.text
    with app.app_context():
        token = db.session.scalars(sa.select(VerificationToken)).one()
        assert token.failed_attempts == 1 and token.used_at is None


def test_a_nul_character_is_refused_with_a_message_and_the_rest_kept(app, client, make_borrower):
    record = make_borrower(activated=False)
    response = start(client, record, loan_number=record.loan_number + "\x00")
    assert response.status_code == 200
    assert "An invisible character that cannot be saved was removed" in response.text
    assert f'value="{record.loan_number}"' in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
