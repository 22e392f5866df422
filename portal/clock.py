"""The one clock: every "now" and "today" in the portal comes from here.

Times are aware UTC datetimes; days are calendar dates in a person's time zone (a borrower's own,
else the business time zone from the configuration), never the server's. Time zones come from one
database, `zoneinfo` with the pinned `tzdata` package, for the rules and for formatting alike.
Tests freeze this clock (time-machine); nothing here reads the machine's local zone.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_BUSINESS_TIME_ZONE = "Asia/Shanghai"

# One time-zone database on every machine: the pinned `tzdata` package, never the operating
# system's copy (which may be older or newer), so that pages and rules agree everywhere.
zoneinfo.reset_tzpath(to=[])


def now() -> datetime:
    """The current time, as an aware UTC datetime."""
    return datetime.now(UTC)


@lru_cache(maxsize=64)
def _named_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str | None) -> ZoneInfo:
    """The time zone of that name; the business time zone for a missing or unknown name."""
    return (_named_zone(name) if name else None) or business_zone()


def business_zone() -> ZoneInfo:
    """The lender's time zone (BUSINESS_TIME_ZONE), for staff pages and business deadlines."""
    name = current_app.config["BUSINESS_TIME_ZONE"] if has_app_context() else None
    return _named_zone(name or DEFAULT_BUSINESS_TIME_ZONE) or ZoneInfo(DEFAULT_BUSINESS_TIME_ZONE)


def zone_of(borrower) -> ZoneInfo:
    """Where the borrower lives (their own zone, else the business zone)."""
    return zone(getattr(borrower, "time_zone", None))


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """The same instant on the wall clock of `tz`."""
    return moment.astimezone(tz)


def today_in(tz: ZoneInfo, at: datetime | None = None) -> date:
    """The calendar date in `tz` now (or at the instant `at`)."""
    return (at or now()).astimezone(tz).date()


def today_for(borrower, at: datetime | None = None) -> date:
    """The calendar date where the borrower lives."""
    return today_in(zone_of(borrower), at)


def business_today(at: datetime | None = None) -> date:
    """The calendar date in the business time zone."""
    return today_in(business_zone(), at)
