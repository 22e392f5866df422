"""Password reset by an e-mailed, expiring, single-use link."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import LoginSession, VerificationToken
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from tests.helpers import log_in, outbox_bodies, submit_form

NEW = "a brand new passphrase"
EN = {"Accept-Language": "en"}


def request_link(app, client, identifier) -> str | None:
    response = submit_form(client, "/reset", {"identifier": identifier}, headers=EN)
    assert response.status_code == 200
    assert "If an active account matches" in response.text
    with app.app_context():
        bodies = outbox_bodies()
    if not bodies:
        return None
    return re.findall(r"http://portal\.test(/reset/\S+)", bodies[-1])[0]


def test_reset_link_sets_a_new_password_and_ends_every_session(app, client, make_borrower):
    record = make_borrower(language="en")
    other_device = app.test_client()
    log_in(other_device, record.phone)
    link = request_link(app, client, record.email)
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert message.channel == "email" and message.recipient == record.email
    assert client.get(link).status_code == 200
    response = submit_form(client, link, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.location == "/login"
    assert record.loan_number not in other_device.get("/loans").text
    assert log_in(client, record.phone, NEW).status_code == 302
    with app.app_context():
        assert all(s.revoked_at for s in db.session.scalars(sa.select(LoginSession)).all()[:1])


def test_borrower_without_email_gets_the_link_by_text(app, client, make_borrower):
    record = make_borrower(email=False)
    request_link(app, client, record.phone)
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.channel == "sms" and message.recipient == record.phone


def test_unknown_account_gets_the_same_page_and_no_message(app, client):
    assert request_link(app, client, "nobody@example.com") is None


def test_inactive_account_gets_no_link(app, client, make_borrower):
    record = make_borrower(activated=False)
    assert request_link(app, client, record.phone) is None


def test_link_works_only_once(app, client, make_borrower):
    record = make_borrower(language="en")
    link = request_link(app, client, record.phone)
    submit_form(client, link, {"password": NEW, "confirm": NEW})
    reused = client.get(link, headers=EN)
    assert reused.status_code == 410 and "no longer works" in reused.text
    post_again = submit_form(
        client, link, {"password": "yet another phrase", "confirm": "yet another phrase"}
    )
    assert post_again.status_code == 410
    assert log_in(client, record.phone, NEW).status_code == 302


def test_expired_link_is_refused(app, client, make_borrower):
    record = make_borrower()
    link = request_link(app, client, record.phone)
    with app.app_context():
        token = db.session.scalars(sa.select(VerificationToken)).one()
        token.expires_at = token.created_at - timedelta(seconds=1)
        db.session.commit()
    assert client.get(link).status_code == 410


@pytest.mark.parametrize("token", ["nonsense", "x" * 300, "..%2F..%2Fetc"])
def test_made_up_links_are_refused_without_error(client, token):
    assert client.get(f"/reset/{token}").status_code in (404, 410)


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("12345678", "12345678", "too common"),
        ("short", "short", "at least 8"),
        (NEW, "different words", "not the same"),
    ],
)
def test_bad_new_password_is_refused_and_the_link_still_works(
    app, client, make_borrower, password, confirm, message
):
    record = make_borrower()
    link = request_link(app, client, record.phone)
    response = submit_form(client, link, {"password": password, "confirm": confirm}, headers=EN)
    assert response.status_code == 200 and message in response.text
    assert submit_form(client, link, {"password": NEW, "confirm": NEW}).status_code == 302


def test_reset_requests_are_rate_limited_the_same_for_unknown_accounts(app, client, make_borrower):
    record = make_borrower()
    for identifier in (record.phone, "ghost@example.com"):
        for _ in range(3):
            submit_form(client, "/reset", {"identifier": identifier})
        response = submit_form(client, "/reset", {"identifier": identifier}, headers=EN)
        assert "Too many attempts" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 3


def test_oversized_identifier_is_refused_with_a_message(client):
    response = submit_form(client, "/reset", {"identifier": "9" * 300}, headers=EN)
    assert response.status_code == 200 and "longer than any account name" in response.text


def test_a_nul_character_is_refused_with_a_message_and_nothing_is_sent(app, client, make_borrower):
    record = make_borrower()
    typed = record.phone[:3] + "\x00" + record.phone[3:]
    response = submit_form(client, "/reset", {"identifier": typed}, headers=EN)
    assert response.status_code == 200
    assert "An invisible character that cannot be saved was removed" in response.text
    assert f'value="{record.phone}"' in response.text
    with app.app_context():
        assert outbox_bodies() == []
