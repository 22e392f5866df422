"""The business calendar: holidays, make-up working days, and deadlines counted on it."""

import importlib.util
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.complaints.rules import deadlines
from portal.extensions import db
from portal.holidays.mainland import mainland_calendar
from portal.holidays.models import CalendarDay
from portal.holidays.rules import HOLIDAY, WORKDAY, is_business_day, next_business_day
from tests.helpers import SHANGHAI, shanghai

SHIPPED = {day: kind for day, kind, _ in mainland_calendar()}


@pytest.mark.parametrize(
    "day, business",
    [
        (date(2026, 10, 9), True),  # a Friday
        (date(2026, 10, 10), True),  # a make-up Saturday (调休)
        (date(2026, 10, 11), False),  # a Sunday
        (date(2026, 10, 1), False),  # National Day, a Thursday
        (date(2026, 9, 20), True),  # a make-up Sunday
        (date(2026, 1, 4), True),
        (date(2026, 2, 16), False),  # Spring Festival, a Monday
        (date(2027, 2, 8), False),  # 初三, a Monday
    ],
)
def test_the_shipped_calendar_decides_business_days(day, business):
    assert is_business_day(day, SHIPPED) is business


def test_without_a_calendar_weekdays_are_business_days():
    assert next_business_day(date(2026, 9, 30)) == date(2026, 10, 1)
    assert next_business_day(date(2026, 10, 9)) == date(2026, 10, 12)


def test_make_up_days_fall_on_weekends_and_holidays_are_distinct():
    assert all(day.weekday() >= 5 for day, kind in SHIPPED.items() if kind == WORKDAY)
    assert len(SHIPPED) == len(mainland_calendar())
    assert sum(kind == HOLIDAY for kind in SHIPPED.values()) == 33 + 13


@pytest.mark.parametrize(
    "filed, acknowledge_by",
    [
        # The eve of National Day: the next business day is the Thursday after the holiday.
        (shanghai(date(2026, 9, 30), 16), date(2026, 10, 8)),
        # A Friday before a make-up Saturday: that Saturday is the next business day.
        (shanghai(date(2026, 10, 9), 16), date(2026, 10, 10)),
        # A make-up Sunday is a business day too; filed on it, the Monday is next.
        (shanghai(date(2026, 9, 19), 9), date(2026, 9, 20)),
    ],
)
def test_acknowledgement_deadline_counts_business_days_on_the_calendar(filed, acknowledge_by):
    due = deadlines(filed, SHANGHAI, SHIPPED).acknowledge_by
    assert due == datetime(*acknowledge_by.timetuple()[:3], 23, 59, 59, tzinfo=SHANGHAI)


def test_a_complaint_filed_before_national_day_is_acknowledged_after_it(
    app, client, clock, login_as
):
    clock.move_to(shanghai(date(2026, 9, 30), 17))
    login_as("borrower")
    response = client.post(
        "/complaints/new",
        data={
            "category": "other",
            "description": "Filed on the eve of the holiday.",
            "desired_outcome": "An answer.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.scalar(sa.select(Complaint))
        due = complaint.acknowledge_due_at
    assert due == datetime(2026, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_shipped_calendar_is_in_the_database_and_the_migration(app):
    with app.app_context():
        days = dict(db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).tuples().all())
    assert days == SHIPPED
    path = Path(__file__).parents[2] / "portal/migrations/versions/0013_rules_and_calendar.py"
    spec = importlib.util.spec_from_file_location("rules_and_calendar", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    seeded = (
        migration._rows(migration.HOLIDAYS, HOLIDAY)
        + migration._rows(migration.WORKDAYS, WORKDAY)
        + migration._rows(migration.HOLIDAYS_2027, HOLIDAY)
    )
    assert sorted((r["day"], r["kind"], r["name"]) for r in seeded) == mainland_calendar()
