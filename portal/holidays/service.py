"""Reading and editing the business calendar; every change is audited."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal import audit
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.holidays.mainland import mainland_calendar
from portal.holidays.models import CalendarDay
from portal.holidays.rules import WORKDAY
from portal.rows import valid_id

# Far enough ahead for any deadline counted in business days (the longest holiday is 9 days).
LOOKAHEAD_DAYS = 60
FIRST_YEAR, LAST_YEAR = 2000, 2100


def business_calendar(start: date, days: int = LOOKAHEAD_DAYS) -> dict[date, str]:
    """The calendar's exceptions (day -> "holiday" or "workday") from `start` on."""
    rows = db.session.execute(
        sa.select(CalendarDay.day, CalendarDay.kind).where(
            CalendarDay.day >= start, CalendarDay.day <= start + timedelta(days=days)
        )
    )
    return dict(rows.tuples().all())


def ensure_calendar() -> None:
    """Ship the mainland-China calendar to a database whose calendar is empty."""
    if db.session.scalar(sa.select(CalendarDay.id).limit(1)) is None:
        db.session.add_all(
            CalendarDay(day=day, kind=kind, name=name) for day, kind, name in mainland_calendar()
        )
        db.session.flush()


def days_of_year(year: int) -> list[CalendarDay]:
    return list(
        db.session.scalars(
            sa.select(CalendarDay)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day)
        )
    )


def add_day(day: date, kind: str, name: str) -> CalendarDay:
    """Mark a day a holiday or a make-up working day."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            "year_out_of_range",
            field="day",
            first=date(FIRST_YEAR, 1, 1),
            last=date(LAST_YEAR, 12, 31),
        )
    if kind == WORKDAY and day.weekday() < 5:
        raise DomainError("workday_on_weekday", field="kind")
    if db.session.scalar(sa.select(CalendarDay.id).where(CalendarDay.day == day)) is not None:
        raise DomainError("day_taken", field="day")
    entry = CalendarDay(day=day, kind=kind, name=name.strip())
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "calendar.day_added",
        subject_type="calendar_day",
        subject_id=entry.id,
        details={"day": day.isoformat(), "kind": kind, "name": entry.name},
    )
    return entry


def remove_day(day_id: int) -> None:
    """Take a day out of the calendar (it becomes an ordinary weekday or weekend day)."""
    entry = db.session.get(CalendarDay, day_id) if valid_id(day_id) else None
    if entry is None:
        raise NotFound()
    audit.record(
        "calendar.day_removed",
        subject_type="calendar_day",
        subject_id=entry.id,
        details={"day": entry.day.isoformat(), "kind": entry.kind, "name": entry.name},
    )
    db.session.delete(entry)
    db.session.flush()
