"""Business days on a calendar of exceptions. Plain values only.

A day is a business day when it is a weekday, unless the calendar marks it a holiday; a
weekend day the calendar marks a working day (a make-up day, 调休) is a business day too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)


def is_business_day(day: date, calendar: Mapping[date, str] | None = None) -> bool:
    kind = (calendar or {}).get(day)
    if kind == HOLIDAY:
        return False
    if kind == WORKDAY:
        return True
    return day.weekday() < 5


def next_business_day(day: date, calendar: Mapping[date, str] | None = None) -> date:
    """The first business day after `day`."""
    following = day + timedelta(days=1)
    while not is_business_day(following, calendar):
        following += timedelta(days=1)
    return following
