"""The outbox keeps every message, delivers what it can and never drops one."""

import smtplib

import pytest

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


def send(runner) -> str:
    """Run `flask portal outbox send` and return what it reports."""
    result = runner.invoke(args=["portal", "outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def stored(app, message_id: int) -> OutboxMessage:
    """The message as committed (read in a fresh application context)."""
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def enqueue(app, channel="email", recipient="a@example.com", body="Body") -> int:
    with app.app_context():
        message = outbox.enqueue(channel, recipient, "Hello", body, purpose="test")
        db.session.commit()
        return message.id


def test_without_a_transport_messages_wait_and_are_readable(app, runner):
    with app.app_context():
        outbox.enqueue("email", "a@example.com", "Hello", "Body text", purpose="test")
        outbox.enqueue("sms", "13800000000", "Code", "Code 123456", purpose="test")
        db.session.commit()
    assert send(runner) == "sent 0, waiting 2, failed 0"
    listing = runner.invoke(args=["portal", "outbox", "list", "--pending"])
    assert "a@example.com" in listing.output and "13800000000" in listing.output
    shown = runner.invoke(args=["portal", "outbox", "show", "2"])
    assert "Code 123456" in shown.output


def test_smtp_delivers_and_marks_sent(app, runner, smtp):
    message_id = enqueue(app)
    assert send(runner) == "sent 1, waiting 0, failed 0"
    message = stored(app, message_id)
    assert message.status == "sent" and message.sent_at is not None
    assert smtp.sent[0]["To"] == "a@example.com"
    assert smtp.sent[0]["Subject"] == "Hello"
    assert send(runner) == "sent 0, waiting 0, failed 0"
    assert len(smtp.sent) == 1


def test_a_failed_delivery_is_kept_and_retried(app, runner, smtp):
    smtp.fail_with = smtplib.SMTPServerDisconnected("gone")
    message_id = enqueue(app)
    assert send(runner) == "sent 0, waiting 1, failed 0"
    message = stored(app, message_id)
    assert message.status == "pending" and message.attempts == 1
    assert "gone" in message.last_error
    smtp.fail_with = None
    assert send(runner) == "sent 1, waiting 0, failed 0"


def test_after_many_failures_a_message_is_marked_failed_not_deleted(app, runner, smtp):
    smtp.fail_with = OSError("refused")
    message_id = enqueue(app)
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        assert send(runner) == "sent 0, waiting 1, failed 0"
    assert send(runner) == "sent 0, waiting 0, failed 1"
    message = stored(app, message_id)
    assert message.status == "failed" and message.attempts == outbox.MAX_ATTEMPTS


def test_each_outcome_is_committed_as_it_is_known(app, runner, smtp, monkeypatch, clock):
    # The second delivery crashes the command: the first message stays sent, not sent again.
    first, second = enqueue(app, recipient="a@example.com"), enqueue(app, recipient="b@example")
    real = outbox.TRANSPORTS["email"]

    def crash_on_b(message):
        if message.recipient == "b@example":
            raise RuntimeError("the process died")
        real(message)

    monkeypatch.setitem(outbox.TRANSPORTS, "email", crash_on_b)
    assert runner.invoke(args=["portal", "outbox", "send"]).exit_code != 0
    assert stored(app, first).status == "sent" and stored(app, second).status == "pending"
    monkeypatch.setitem(outbox.TRANSPORTS, "email", real)
    # The dead run still holds b: no other run sends it until the claim is stale.
    assert send(runner) == "sent 0, waiting 0, failed 0"
    clock.shift(outbox.CLAIM_TIMEOUT)
    assert send(runner) == "sent 1, waiting 0, failed 0"
    assert [m["To"] for m in smtp.sent] == ["a@example.com", "b@example"]


def test_deliver_skips_a_message_no_longer_waiting(app, smtp):
    message_id = enqueue(app)
    with app.app_context():
        assert outbox.deliver(message_id) == "sent"
        assert outbox.deliver(message_id) is None
        assert outbox.pending_ids() == []
    assert len(smtp.sent) == 1


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
