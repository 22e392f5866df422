"""Reading and editing the business calendar; every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal import audit
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.holidays.mainland import OFFICIAL_SINCE, OFFICIAL_SOURCES, mainland_calendar
from portal.holidays.models import CalendarDay, CalendarYear
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
    if db.session.scalar(sa.select(CalendarYear.year).limit(1)) is None:
        db.session.add_all(
            CalendarYear(year=year, source=source, marked_at=OFFICIAL_SINCE[year])
            for year, source in OFFICIAL_SOURCES.items()
        )
        db.session.flush()


@dataclass(frozen=True)
class YearStatus:
    """Whether a year's calendar is the published schedule or provisional (or not entered)."""

    year: int
    official: bool
    has_days: bool
    source: str | None = None
    marked_at: datetime | None = None


def year_status(year: int) -> YearStatus:
    marked = db.session.get(CalendarYear, year)
    has_days = (
        db.session.scalar(
            sa.select(CalendarDay.id)
            .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .limit(1)
        )
        is not None
    )
    if marked is None:
        return YearStatus(year, False, has_days)
    return YearStatus(year, True, has_days, marked.source, marked.marked_at)


def calendar_years() -> list[YearStatus]:
    """Every year the calendar holds days for, or that is marked official, in order."""
    day_years = {
        day.year for day in db.session.scalars(sa.select(CalendarDay.day).order_by(CalendarDay.day))
    }
    marked = set(db.session.scalars(sa.select(CalendarYear.year)))
    return [year_status(year) for year in sorted(day_years | marked)]


def mark_official(year: int, source: str, user_id: int) -> CalendarYear:
    """Record that a year's days are now the published schedule (audited)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound()
    if db.session.get(CalendarYear, year) is not None:
        raise DomainError("year_official")
    entry = CalendarYear(year=year, source=source.strip(), marked_by_user_id=user_id)
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "calendar.year_official",
        subject_type="calendar_year",
        subject_id=year,
        details={"year": year, "source": entry.source},
    )
    return entry


def mark_provisional(year: int) -> None:
    """Take back a year's official mark (audited): its days are provisional again."""
    entry = db.session.get(CalendarYear, year) if FIRST_YEAR <= year <= LAST_YEAR else None
    if entry is None:
        raise NotFound()
    audit.record(
        "calendar.year_provisional",
        subject_type="calendar_year",
        subject_id=year,
        details={"year": year, "source": entry.source},
    )
    db.session.delete(entry)
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
