"""Temporary lockouts after repeated failures, per account name and per client address.

Failures live in the database, so every worker process sees the same counts. A refused attempt
is recorded before the refusal is raised, and the page that shows it answers 200, so the request
edge keeps the record. `purge_old` runs in the `tick` command.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal import clock
from portal.auth.models import AuthFailure
from portal.errors import DomainError
from portal.extensions import db

WINDOW = timedelta(minutes=15)
# How many failures (or, for sends, requests) in the window lock a key.
LIMITS = {"account": 5, "address": 20}
SEND_LIMITS = {"account": 3, "address": 10}


class TooManyAttempts(DomainError):
    """The account name or the address is locked for a while (`minutes`: how long, rounded up)."""

    def __init__(self, retry_after: timedelta):
        minutes = max(1, int(retry_after.total_seconds() // 60) + 1)
        super().__init__("too_many_attempts", minutes=minutes)
        self.retry_after = retry_after


def _key(scope: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(secret + f"|{scope}|{value}".encode()).hexdigest()


def _keys(account: str | None, address: str | None) -> dict[str, str]:
    keys = {}
    if account:
        keys["account"] = _key("account", account)
    if address:
        keys["address"] = _key("address", address)
    return keys


def check(action: str, *, account: str | None, address: str | None, limits=None) -> None:
    """Raise TooManyAttempts while either key has reached its limit in the window."""
    limits = limits or LIMITS
    since = clock.now() - WINDOW
    for scope, key in _keys(account, address).items():
        rows = db.session.execute(
            sa.select(sa.func.count(), sa.func.min(AuthFailure.at)).where(
                AuthFailure.action == action, AuthFailure.key_hash == key, AuthFailure.at > since
            )
        ).one()
        count, oldest = rows
        if count >= limits[scope]:
            raise TooManyAttempts(
                retry_after=max(oldest + WINDOW - clock.now(), timedelta(minutes=1))
            )


def record(action: str, *, account: str | None, address: str | None) -> None:
    """Count one failure (or one send) against the account name and the address."""
    for key in _keys(account, address).values():
        db.session.add(AuthFailure(action=action, key_hash=key))
    db.session.flush()


def clear(action: str, *, account: str) -> None:
    """Forget an account name's failures after it succeeds."""
    db.session.execute(
        sa.delete(AuthFailure).where(
            AuthFailure.action == action, AuthFailure.key_hash == _key("account", account)
        )
    )


def purge_old() -> int:
    """Delete failures older than the window; returns how many."""
    result = db.session.execute(
        sa.delete(AuthFailure).where(AuthFailure.at <= clock.now() - WINDOW)
    )
    return result.rowcount or 0
