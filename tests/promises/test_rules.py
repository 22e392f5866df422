"""The promise rules and lifecycle, as tables."""

from datetime import date, timedelta

import pytest

from portal.promises import lifecycle
from portal.promises.rules import PromiseRefused, PromiseRules, check_promise, held_days, outcome

DAY = date(2026, 11, 20)
RULES = PromiseRules(max_days=7, max_promises=2, period_days=30)


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        ("standing", "keep", "kept"),
        ("standing", "break", "broken"),
    ],
)
def test_transitions(status, action, after):
    assert lifecycle.transition(status, action) == after


@pytest.mark.parametrize(
    ("status", "action"),
    [("kept", "keep"), ("kept", "break"), ("broken", "keep"), ("broken", "break")],
)
def test_a_settled_promise_cannot_change(status, action):
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.transition(status, action)
    assert lifecycle.allowed_actions(status) == frozenset()


def test_a_standing_promise_may_be_kept_or_broken():
    assert lifecycle.allowed_actions("standing") == {"keep", "break"}


BASE = {
    "amount": 30_000,
    "due_on": DAY + timedelta(days=5),
    "today": DAY,
    "minimum": 30_000,
    "balance": 100_000,
    "made_in_period": 0,
    "standing": False,
    "held": False,
    "rules": RULES,
}


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"minimum": None}, "nothing_owed", None),
        ({"balance": 0}, "nothing_owed", None),
        ({"standing": True}, "already_standing", None),
        ({"held": True}, "on_hold", None),
        ({"made_in_period": 2}, "too_many", None),
        ({"amount": 29_999}, "too_small", "amount"),
        ({"amount": 100_001}, "too_large", "amount"),
        ({"due_on": DAY - timedelta(days=1)}, "date_past", "due_on"),
        ({"due_on": DAY + timedelta(days=8)}, "too_far", "due_on"),
    ],
)
def test_refusals(change, code, field):
    with pytest.raises(PromiseRefused) as refused:
        check_promise(**{**BASE, **change})
    assert (refused.value.code, refused.value.field) == (code, field)


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"due_on": DAY},
        {"due_on": DAY + timedelta(days=7)},
        {"made_in_period": 1},
        {"amount": 100_000},
        # The minimum is never more than the balance.
        {"minimum": 200_000, "amount": 100_000},
    ],
)
def test_allowed(change):
    check_promise(**{**BASE, **change})


@pytest.mark.parametrize(
    ("paid", "today", "action"),
    [
        (0, DAY + timedelta(days=5), None),  # the last day: it still stands
        (29_999, DAY + timedelta(days=5), None),
        (30_000, DAY + timedelta(days=2), "keep"),
        (40_000, DAY + timedelta(days=9), "keep"),  # paid in time, settled late: kept
        (0, DAY + timedelta(days=6), "break"),
        (29_999, DAY + timedelta(days=6), "break"),
    ],
)
def test_outcome(paid, today, action):
    due = DAY + timedelta(days=5)
    assert outcome(amount=30_000, paid_since=paid, due_on=due, today=today) == action


@pytest.mark.parametrize(
    ("today", "days"),
    [
        (DAY, 0),
        (DAY + timedelta(days=3), 3),
        (DAY + timedelta(days=6), 6),
        (DAY + timedelta(40), 6),
    ],
)
def test_held_days_stop_the_day_after_the_date(today, days):
    assert held_days(made_on=DAY, due_on=DAY + timedelta(days=5), today=today) == days


@pytest.mark.parametrize(
    ("excluded", "days"),
    [
        ((), 6),
        (((DAY + timedelta(days=2), None),), 2),  # a dispute opened on day 2 and still open
        (((DAY + timedelta(days=1), DAY + timedelta(days=3)),), 4),  # answered after 2 days
        (((DAY - timedelta(days=5), DAY - timedelta(days=1)),), 6),  # before the promise
    ],
)
def test_days_a_dispute_held_are_not_counted_twice(excluded, days):
    held = held_days(
        made_on=DAY,
        due_on=DAY + timedelta(days=5),
        today=DAY + timedelta(days=9),
        excluded=excluded,
    )
    assert held == days
