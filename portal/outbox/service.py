"""The one outbox: every message is stored first, then delivered when a transport exists.

E-mail goes out by SMTP when MAIL_SERVER is set; SMS through an HTTP gateway when
SMS_GATEWAY_URL is set. Without a transport a message stays pending, readable with
`flask portal outbox list` (and on the development outbox page), never dropped. Delivery is one
message at a time (`deliver`); the `outbox send` command commits after each.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.request
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from portal import clock
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.rows import locked

MAX_ATTEMPTS = 8


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
) -> OutboxMessage:
    """Store a message for delivery."""
    message = OutboxMessage(
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        purpose=purpose,
        user_id=user_id,
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


def pending_ids(limit: int = 100) -> list[int]:
    """The oldest messages waiting to be sent, oldest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending")
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def deliver(message_id: int) -> str | None:
    """Claim one message, try to send it and record the outcome; flushes, never commits.

    The message's row stays locked until the caller commits, so two delivery runs never send
    it twice. Returns "sent", "waiting" (no transport, or a failure that is retried later) or
    "failed" (given up after MAX_ATTEMPTS); None when it is no longer waiting to be sent.
    """
    message = locked(OutboxMessage, message_id)
    if message is None or message.status != "pending":
        return None
    try:
        TRANSPORTS[message.channel](message)
    except DeliveryUnavailable:
        return "waiting"
    except (OSError, smtplib.SMTPException) as error:
        message.attempts += 1
        message.last_error = str(error)[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
    else:
        message.attempts += 1
        message.status = "sent"
        message.sent_at = clock.now()
        message.last_error = None
    db.session.flush()
    return "waiting" if message.status == "pending" else message.status


def recent_messages(limit: int = 50, *, pending_only: bool = False) -> list[OutboxMessage]:
    """The newest messages, for the developer outbox page and CLI."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if pending_only:
        query = query.where(OutboxMessage.status == "pending")
    return list(db.session.scalars(query))
