"""Overdue amounts, days past due and the place on the stage ladder (the account model on a
contract schedule)."""

from datetime import date

import pytest

from portal.loans.journal import Components
from portal.loans.ladder import DEFAULT_LADDER, Rung
from portal.loans.standing import ScheduledPayment as Installment
from portal.loans.standing import standing

LADDER = [Rung(code, dpd) for code, dpd in DEFAULT_LADDER]
# Three installments of 1,000.00 principal + 50.00 interest.
SCHEDULE = [
    Installment(date(2026, 1, 31), 100_000, 5_000),
    Installment(date(2026, 2, 28), 100_000, 5_000),
    Installment(date(2026, 3, 31), 100_000, 5_000),
]
FULL = Components(300_000, 15_000, 0)


@pytest.mark.parametrize(
    "balance, today, overdue, days, oldest",
    [
        # Nothing due yet.
        (FULL, date(2026, 1, 30), Components(0, 0, 0), 0, None),
        # Due today is not yet overdue.
        (FULL, date(2026, 1, 31), Components(0, 0, 0), 0, None),
        # The day after the due date: one day past due.
        (FULL, date(2026, 2, 1), Components(100_000, 5_000, 0), 1, date(2026, 1, 31)),
        # Two installments missed: counted from the oldest.
        (FULL, date(2026, 3, 10), Components(200_000, 10_000, 0), 38, date(2026, 1, 31)),
        # The first installment paid: counted from the second.
        (
            Components(200_000, 10_000, 0),
            date(2026, 3, 10),
            Components(100_000, 5_000, 0),
            10,
            date(2026, 2, 28),
        ),
        # Partly paid first installment: still counted from it.
        (
            Components(250_000, 15_000, 0),
            date(2026, 3, 10),
            Components(150_000, 10_000, 0),
            38,
            date(2026, 1, 31),
        ),
        # Fees are overdue as soon as charged, but do not move the days past due.
        (Components(200_000, 10_000, 5_000), date(2026, 2, 10), Components(0, 0, 5_000), 0, None),
        # Everything paid.
        (Components(), date(2026, 5, 1), Components(), 0, None),
        # Past the last installment: the whole balance is overdue.
        (FULL, date(2026, 5, 1), Components(300_000, 15_000, 0), 90, date(2026, 1, 31)),
    ],
)
def test_arrears(balance, today, overdue, days, oldest):
    arrears = standing(balance, SCHEDULE, today, LADDER)
    assert arrears.overdue == overdue
    assert arrears.days_past_due == days
    assert arrears.oldest_unpaid_due_on == oldest


def test_due_today_is_reported_separately():
    arrears = standing(FULL, SCHEDULE, date(2026, 1, 31), LADDER)
    assert arrears.due_today == Components(100_000, 5_000, 0)
    assert not arrears.is_overdue


def test_leap_day_due_date():
    schedule = [Installment(date(2028, 2, 29), 1_000, 0)]
    arrears = standing(Components(1_000, 0, 0), schedule, date(2028, 3, 1), LADDER)
    assert arrears.days_past_due == 1


def test_no_schedule_means_nothing_overdue_but_fees():
    arrears = standing(Components(5_000, 100, 300), [], date(2026, 1, 1), LADDER)
    assert arrears.overdue == Components(0, 0, 300)


@pytest.mark.parametrize(
    "today, current, following, starts_on",
    [
        (date(2026, 1, 30), None, None, None),
        (date(2026, 1, 31), "due_reminder", "early_warning", date(2026, 2, 1)),
        (date(2026, 2, 1), "early_warning", "phone_contact", date(2026, 2, 4)),
        (date(2026, 2, 3), "early_warning", "phone_contact", date(2026, 2, 4)),
        (date(2026, 2, 4), "phone_contact", "agency", date(2026, 3, 3)),
        (date(2026, 3, 3), "agency", "lawyer_letter", date(2026, 5, 2)),
        (date(2026, 5, 2), "lawyer_letter", "litigation", date(2026, 6, 1)),
        (date(2026, 6, 1), "litigation", None, None),
    ],
)
def test_ladder_position_and_next_stage_date(today, current, following, starts_on):
    position = standing(FULL, SCHEDULE, today, LADDER)
    assert (position.stage.code if position.stage else None) == current
    assert (position.next_rung.code if position.next_rung else None) == following
    assert position.next_stage_on == starts_on


def test_ladder_states_for_drawing():
    today = date(2026, 3, 3)
    position = standing(FULL, SCHEDULE, today, LADDER)
    states = [position.stage_state(rung) for rung in position.ladder]
    assert states == ["passed", "passed", "passed", "current", "ahead", "ahead"]


def test_a_product_ladder_with_other_thresholds():
    ladder = [Rung("early_warning", 1), Rung("agency", 10)]
    today = date(2026, 2, 12)
    position = standing(FULL, SCHEDULE, today, ladder)
    assert position.stage.code == "agency" and position.next_rung is None
