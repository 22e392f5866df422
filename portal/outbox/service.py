"""The one outbox: every message is stored first, then delivered when a transport exists.

E-mail goes out by SMTP when MAIL_SERVER is set; SMS through an HTTP gateway when
SMS_GATEWAY_URL is set. Without a transport a message stays pending, readable with
`flask portal outbox list` (and on the development outbox page), never dropped.

Each message is delivered once, even by two delivery runs at the same time on two machines: a
run first claims a few due messages in a short transaction of its own (`claim`: one UPDATE,
with `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite runs one writer at a time), commits, then
sends each message it holds (`deliver`) and commits each outcome. A claim older than
CLAIM_TIMEOUT (a run that died) is free to be claimed again.
"""

from __future__ import annotations

import json
import secrets
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from portal import clock
from portal.extensions import db
from portal.outbox.models import OutboxMessage

MAX_ATTEMPTS = 8
# A claim is released by its run; one this old belongs to a run that died, and is free again.
# Far above what a claimed batch takes (CLAIM_BATCH messages at MAIL_TIMEOUT_SECONDS at most).
CLAIM_TIMEOUT = timedelta(minutes=10)
CLAIM_BATCH = 10


class DeliveryUnavailable(Exception):
    """No transport is configured for this channel; the message waits."""


def enqueue(
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    *,
    purpose: str,
    user_id: int | None = None,
    not_before: datetime | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Store a message for delivery (not before `not_before`, when given)."""
    message = OutboxMessage(
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        purpose=purpose,
        user_id=user_id,
        not_before=not_before,
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    db.session.flush()
    return message


def _send_email(message: OutboxMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        raise DeliveryUnavailable("no MAIL_SERVER configured")
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _send_sms(message: OutboxMessage) -> None:
    config = current_app.config
    url = config.get("SMS_GATEWAY_URL")
    if not url:
        raise DeliveryUnavailable("no SMS_GATEWAY_URL configured")
    payload = json.dumps({"to": message.recipient, "text": message.body}).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own setting
        url, data=payload, method="POST", headers={"Content-Type": "application/json"}
    )
    if config.get("SMS_GATEWAY_TOKEN"):
        request.add_header("Authorization", f"Bearer {config['SMS_GATEWAY_TOKEN']}")
    with urllib.request.urlopen(request, timeout=config["MAIL_TIMEOUT_SECONDS"]) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"SMS gateway answered {response.status}")


TRANSPORTS = {"email": _send_email, "sms": _send_sms}


def _claimable(now: datetime):
    return sa.and_(
        OutboxMessage.status == "pending",
        sa.or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
        sa.or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at <= now - CLAIM_TIMEOUT),
    )


def pending_ids(limit: int = 100) -> list[int]:
    """The oldest messages due to be sent and not held by a delivery run, oldest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(_claimable(clock.now()))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Claimed:
    """A message a delivery run holds, as read when it was claimed (sending reads no row)."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    attempts: int


def claim(
    limit: int = CLAIM_BATCH, *, only: int | None = None, skip: frozenset[int] = frozenset()
) -> tuple[str, list[Claimed]]:
    """Take up to `limit` due messages (or just message `only`) for this delivery run.

    Returns the run's claim token and the messages it now holds, oldest first. One statement,
    so two runs never hold the same message; the caller commits at once, before sending.
    `skip` leaves out messages this run already tried.
    """
    now = clock.now()
    token = secrets.token_hex(16)
    due = (
        sa.select(OutboxMessage.id)
        .where(_claimable(now))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        due = due.where(OutboxMessage.id == only)
    if skip:
        due = due.where(OutboxMessage.id.not_in(skip))
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows another run is claiming right now are passed over, not waited for.
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), _claimable(now))
        .values(claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    held = db.session.execute(
        sa.select(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.attempts,
        )
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return token, [Claimed(*row) for row in held]


def send_claimed(message: Claimed, token: str) -> str | None:
    """Send a message this run holds, then record the outcome; flushes.

    Nothing is read from the database while sending (the claim carries the message), and the
    outcome is one UPDATE of the row still held with `token`. Returns "sent", "waiting" (no
    transport, or a failure retried later) or "failed" (given up after MAX_ATTEMPTS); None when
    the claim was lost (it went stale and another run took the message).
    """
    values: dict = {"claim_token": None, "claimed_at": None}
    try:
        TRANSPORTS[message.channel](message)
    except DeliveryUnavailable:
        outcome = "waiting"
    except (OSError, smtplib.SMTPException) as error:
        attempts = message.attempts + 1
        outcome = "failed" if attempts >= MAX_ATTEMPTS else "waiting"
        values.update(attempts=attempts, last_error=str(error)[:500])
        if outcome == "failed":
            values["status"] = "failed"
    else:
        outcome = "sent"
        values.update(
            attempts=message.attempts + 1, status="sent", sent_at=clock.now(), last_error=None
        )
    recorded = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return outcome if recorded.rowcount == 1 else None


def deliver(message_id: int) -> str | None:
    """Claim one message and send it (see send_claimed); None when it is not due or is held."""
    token, held = claim(only=message_id)
    return send_claimed(held[0], token) if held else None


def recent_messages(limit: int = 50, *, pending_only: bool = False) -> list[OutboxMessage]:
    """The newest messages, for the developer outbox page and CLI."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if pending_only:
        query = query.where(OutboxMessage.status == "pending")
    return list(db.session.scalars(query))
