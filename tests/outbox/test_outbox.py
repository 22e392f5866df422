"""The outbox keeps every message, delivers what it can and never drops one."""

import smtplib

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.outbox import service as outbox
from portal.outbox.models import OutboxMessage


class FakeSMTP:
    sent: list = []
    fail_with: Exception | None = None

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context):
        self.tls = True

    def login(self, user, password):
        self.user = user

    def send_message(self, message):
        if FakeSMTP.fail_with:
            raise FakeSMTP.fail_with
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(monkeypatch, app):
    FakeSMTP.sent = []
    FakeSMTP.fail_with = None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.test", MAIL_USERNAME="portal", MAIL_PASSWORD="pw")
    return FakeSMTP


def test_without_a_transport_messages_wait_and_are_readable(app, runner):
    with app.app_context():
        outbox.enqueue("email", "a@example.com", "Hello", "Body text", purpose="test")
        outbox.enqueue("sms", "13800000000", "Code", "Code 123456", purpose="test")
        db.session.commit()
        counts = outbox.deliver_pending()
    assert counts == {"sent": 0, "waiting": 2, "failed": 0}
    listing = runner.invoke(args=["portal", "outbox", "list", "--pending"])
    assert "a@example.com" in listing.output and "13800000000" in listing.output
    shown = runner.invoke(args=["portal", "outbox", "show", "2"])
    assert "Code 123456" in shown.output


def test_smtp_delivers_and_marks_sent(app, smtp):
    with app.app_context():
        message = outbox.enqueue("email", "a@example.com", "Hello", "Body", purpose="test")
        db.session.commit()
        assert outbox.deliver_pending() == {"sent": 1, "waiting": 0, "failed": 0}
        db.session.refresh(message)
        assert message.status == "sent" and message.sent_at is not None
    assert smtp.sent[0]["To"] == "a@example.com"
    assert smtp.sent[0]["Subject"] == "Hello"


def test_a_failed_delivery_is_kept_and_retried(app, smtp):
    smtp.fail_with = smtplib.SMTPServerDisconnected("gone")
    with app.app_context():
        message = outbox.enqueue("email", "a@example.com", "Hello", "Body", purpose="test")
        db.session.commit()
        assert outbox.deliver_pending()["waiting"] == 1
        db.session.refresh(message)
        assert message.status == "pending" and message.attempts == 1
        assert "gone" in message.last_error
        smtp.fail_with = None
        assert outbox.deliver_pending()["sent"] == 1


def test_after_many_failures_a_message_is_marked_failed_not_deleted(app, smtp):
    smtp.fail_with = OSError("refused")
    with app.app_context():
        outbox.enqueue("email", "a@example.com", "Hello", "Body", purpose="test")
        db.session.commit()
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.deliver_pending()
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert message.status == "failed" and message.attempts == outbox.MAX_ATTEMPTS


def test_send_command_reports_counts(app, runner):
    with app.app_context():
        outbox.enqueue("sms", "13800000000", "Code", "Code", purpose="test")
        db.session.commit()
    result = runner.invoke(args=["portal", "outbox", "send"])
    assert result.exit_code == 0 and "waiting 1" in result.output


def test_dev_outbox_page_shows_queued_messages(app, client):
    with app.app_context():
        outbox.enqueue("sms", "13800000000", "Code", "Your code is 654321", purpose="test")
        db.session.commit()
    assert "654321" in client.get("/dev/outbox").text
