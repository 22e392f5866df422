"""Small helpers shared by the tests."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from portal import clock
from portal.extensions import db

TEST_PASSWORD = "correct horse battery"
# The second factor of every staff account the factories make (conftest.make_staff).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# --- the clock --------------------------------------------------------------------------------
# Every test starts at FROZEN_AT and time runs on from there (the autouse `clock` fixture in
# conftest.py); no test reads the machine's clock or its local time zone. TODAY is the business
# date at that instant: a Friday morning in Shanghai, 02:00 UTC, so the UTC date is the same.
BUSINESS_TIME_ZONE = "Asia/Shanghai"  # the tests' configuration (conftest.TEST_CONFIG)
SHANGHAI = ZoneInfo(BUSINESS_TIME_ZONE)
FROZEN_AT = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
NOW = FROZEN_AT.astimezone(UTC)
TODAY = FROZEN_AT.date()


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    """That wall-clock time on that day in Shanghai, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


class FrozenClock:
    """The test's clock (time-machine): it starts at FROZEN_AT; a test may move it."""

    def __init__(self, traveller):
        self._traveller = traveller

    def move_to(self, moment: datetime, *, tick: bool = True) -> None:
        """Go to an instant; time runs on from there unless tick=False."""
        if moment.tzinfo is None:
            raise ValueError(
                "give the clock an aware datetime: a naive one means the machine's zone"
            )
        # A timestamp, not the datetime itself: time-machine would set the process's TZ to a
        # ZoneInfo's zone, and the tests must not depend on the local zone in either direction.
        self._traveller.move_to(moment.timestamp(), tick=tick)

    def now(self) -> datetime:
        """The clock's time now, as the portal reads it (portal.clock.now)."""
        return clock.now()

    def shift(self, delta: timedelta) -> None:
        """Move the clock on (or back) by `delta`."""
        self._traveller.shift(delta)


def totp_code(secret: str = STAFF_TOTP_SECRET, at: datetime | None = None) -> str:
    """The authenticator app's code at the clock's time (or `at`)."""
    import pyotp

    return pyotp.TOTP(secret).at(at or clock.now())


# --- forms, sent as a browser sends them --------------------------------------------------------
# CSRF protection is on in the tests as in production: a form is posted with the token the
# browser read from a page of the same session (every page has one: the language switcher).
CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]*)"')


def csrf_token_in(html: str) -> str:
    """The CSRF token in a page's HTML."""
    field = CSRF_INPUT.search(html)
    assert field, "no CSRF token on the page"
    return VALUE.search(field.group(0)).group(1)


def csrf_token(client, page: str = "/", **kwargs) -> str:
    """The CSRF token on `page` (after its redirects), read from its HTML as a browser has it."""
    return csrf_token_in(client.get(page, follow_redirects=True, **kwargs).text)


def submit_form(client, page: str, data=None, *, to: str | None = None, **kwargs):
    """Open `page`, then post `data` with the page's CSRF token to `to` (the page itself by
    default), as a browser submits a form on that page."""
    token = csrf_token(client, page, headers=kwargs.get("headers"))
    return client.post(to or page, data={"csrf_token": token, **(data or {})}, **kwargs)


def log_in(client, identifier: str, password: str = TEST_PASSWORD, **extra):
    """Log in as a browser does; a staff account's second step is passed with its code
    (STAFF_TOTP_SECRET). The code of the next time step is used when the current one was taken
    by an earlier login of the same account (a code works once)."""
    response = submit_form(
        client, "/login", {"identifier": identifier, "password": password, **extra}
    )
    if response.status_code == 302 and response.location.endswith("/login/code"):
        for offset in (0, 30, -30):
            moment = clock.now() + timedelta(seconds=offset)
            response = submit_form(client, "/login/code", {"code": totp_code(at=moment)})
            if response.status_code == 302:
                break
    return response


def log_out(client):
    """Press "Log out" (in the header of every page)."""
    return submit_form(client, "/", to="/logout")


def outbox_bodies() -> list[str]:
    """Bodies of all outbox messages, oldest first (needs an app context)."""
    from portal.outbox.models import OutboxMessage

    return [m.body for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def last_code() -> str:
    """The activation code in the newest outbox message."""
    return re.findall(r"\b(\d{6})\b", outbox_bodies()[-1])[0]


@contextmanager
def while_another_machine(app, holds):
    """Run `holds()` in a transaction of its own (another machine's job, on another thread and
    connection), keep that transaction open while the body runs, then roll it back."""
    held, done, failed = threading.Event(), threading.Event(), []

    def other_machine():
        with app.app_context():
            try:
                assert holds()
            except BaseException as error:  # reported to the test below
                failed.append(error)
            held.set()
            done.wait(timeout=60)
            db.session.rollback()

    thread = threading.Thread(target=other_machine)
    thread.start()
    held.wait(timeout=60)
    try:
        assert not failed, failed
        yield
    finally:
        done.set()
        thread.join(timeout=60)
