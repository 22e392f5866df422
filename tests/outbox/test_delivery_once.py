"""Each message is delivered once, even when delivery runs overlap (a real SMTP sink)."""

import threading
from datetime import timedelta

import click
import pytest
import sqlalchemy as sa

from portal.cli import outbox_send
from portal.extensions import db
from portal.outbox import service as outbox
from portal.outbox.models import OutboxMessage


def _enqueue(app, count: int) -> None:
    with app.app_context():
        for n in range(count):
            outbox.enqueue("email", f"b{n}@example.com", f"Message {n}", f"Body {n}", purpose="t")
        db.session.commit()


def _run_send(app, errors: list) -> None:
    try:
        # The command's own loop, as cron would run it, in a thread of its own.
        with app.app_context(), click.Context(outbox_send):
            outbox_send.callback(limit=1000)
    except Exception as error:  # noqa: BLE001 - the test reports any runner's failure
        errors.append(error)


@pytest.mark.parametrize("runners", [2, 4])
def test_overlapping_delivery_runs_send_every_message_exactly_once(app, smtp_sink, runners):
    _enqueue(app, 81)
    errors: list = []
    threads = [threading.Thread(target=_run_send, args=(app, errors)) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    subjects = sorted(
        line
        for text in smtp_sink.received
        for line in text.splitlines()
        if line.startswith("Subject:")
    )
    assert subjects == sorted(f"Subject: Message {n}" for n in range(81))
    with app.app_context():
        statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert statuses == ["sent"] * 81


def test_a_claimed_message_is_not_claimed_again_until_the_claim_is_stale(app, clock):
    _enqueue(app, 3)
    with app.app_context():
        first, held = outbox.claim()
        db.session.commit()
        assert len(held) == 3
        assert outbox.claim()[1] == []
        assert outbox.deliver(held[0].id) is None  # another run holds it
        clock.shift(outbox.CLAIM_TIMEOUT + timedelta(seconds=1))
        second, again = outbox.claim()
        assert again == held and second != first
        db.session.commit()
        # The first run's late answer is not recorded: the message is the second run's now.
        assert outbox.send_claimed(held[0], first) is None
        assert outbox.send_claimed(held[0], second) == "waiting"


def test_a_message_not_due_yet_waits(app, runner, clock, smtp_sink):
    with app.app_context():
        outbox.enqueue(
            "email",
            "a@example.com",
            "Later",
            "Body",
            purpose="t",
            not_before=clock.now() + timedelta(hours=2),
        )
        db.session.commit()
    assert runner.invoke(args=["portal", "outbox", "send"]).output.strip() == (
        "sent 0, waiting 0, failed 0"
    )
    clock.shift(timedelta(hours=2))
    assert runner.invoke(args=["portal", "outbox", "send"]).output.strip() == (
        "sent 1, waiting 0, failed 0"
    )
    assert len(smtp_sink.received) == 1
