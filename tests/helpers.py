"""Small helpers shared by the tests."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.extensions import db

TEST_PASSWORD = "correct horse battery"


def log_in(client, identifier: str, password: str = TEST_PASSWORD, **extra):
    return client.post("/login", data={"identifier": identifier, "password": password, **extra})


def outbox_bodies() -> list[str]:
    """Bodies of all outbox messages, oldest first (needs an app context)."""
    from portal.outbox.models import OutboxMessage

    return [m.body for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def last_code() -> str:
    """The activation code in the newest outbox message."""
    return re.findall(r"\b(\d{6})\b", outbox_bodies()[-1])[0]
