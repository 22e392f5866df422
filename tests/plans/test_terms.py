"""Plan terms: schedules that always add up, and every refusal rule."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.plans.terms import (
    EXTENSION,
    INSTALLMENT_PLAN,
    PlanRules,
    Terms,
    add_months,
    extension_schedule,
    plan_schedule,
    problems,
)

RULES = PlanRules()
TODAY = date(2026, 11, 22)


@given(
    amount=st.integers(1, 10**11),
    months=st.integers(1, 60),
    first=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    down_share=st.floats(0, 0.9),
)
def test_installments_add_up_exactly_and_dates_are_in_order(amount, months, first, down_share):
    down = int(amount * down_share)
    schedule = plan_schedule(amount, months, first, down_payment=down, starts_on=first)
    assert sum(i.amount for i in schedule) == amount
    regular = [i for i in schedule if i.number > 0]
    assert len(regular) == months
    # Every installment but the last is the same; the last carries the remainder.
    assert len({i.amount for i in regular[:-1]}) <= 1
    assert 0 <= regular[-1].amount - regular[0].amount < months
    dates = [i.due_on for i in regular]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    for earlier, later in zip(dates, dates[1:], strict=False):
        assert 28 <= (later - earlier).days <= 31
    assert regular[0].due_on == first


@given(
    amount=st.integers(1, 10**10),
    months=st.integers(3, 60),
    first_in=st.integers(1, 30),
    down=st.integers(0, 10**9),
)
def test_an_accepted_plan_never_has_an_installment_below_the_minimum(
    amount, months, first_in, down
):
    terms = Terms(
        INSTALLMENT_PLAN,
        months=months,
        down_payment=down,
        first_due_on=TODAY + timedelta(days=first_in),
    )
    found = problems(
        terms,
        RULES,
        balance=amount,
        overdue=amount,
        today=TODAY,
        extensions_used=0,
        has_open_request=False,
        has_active_plan=False,
        currency="CNY",
    )
    if not found:
        schedule = plan_schedule(amount, months, terms.first_due_on, down_payment=down)
        assert all(i.amount >= RULES.min_installment_minor for i in schedule if i.number > 0)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), 60, date(2031, 3, 31)),
    ],
)
def test_add_months_keeps_the_day_or_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_month_end_schedule_returns_to_the_31st():
    dates = [i.due_on for i in plan_schedule(300, 3, date(2026, 1, 31))]
    assert dates == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_down_payment_is_installment_zero_on_the_start_day():
    schedule = plan_schedule(100_000, 4, date(2026, 12, 10), down_payment=20_000, starts_on=TODAY)
    assert schedule[0].number == 0 and schedule[0].due_on == TODAY
    assert [i.amount for i in schedule] == [20_000, 20_000, 20_000, 20_000, 20_000]


def test_remainder_goes_on_the_last_installment():
    assert [i.amount for i in plan_schedule(100_001, 3, TODAY)] == [33_333, 33_333, 33_335]


def test_extension_moves_the_due_date():
    (only,) = extension_schedule(52_000, 14, TODAY)
    assert only.due_on == date(2026, 12, 6) and only.amount == 52_000


def _problems(terms, balance=1_000_000, overdue=200_000, **extra):
    context = {
        "extensions_used": 0,
        "has_open_request": False,
        "has_active_plan": False,
        "currency": "CNY",
    }
    context.update(extra)
    return [
        p.code
        for p in problems(terms, RULES, balance=balance, overdue=overdue, today=TODAY, **context)
    ]


PLAN = Terms(INSTALLMENT_PLAN, months=12, first_due_on=TODAY + timedelta(days=10))


@pytest.mark.parametrize(
    "terms, context, codes",
    [
        (Terms(EXTENSION, extension_days=7), {}, []),
        (Terms(EXTENSION, extension_days=30), {}, []),
        (Terms(EXTENSION, extension_days=6), {}, ["extension_days"]),
        (Terms(EXTENSION, extension_days=31), {}, ["extension_days"]),
        (Terms(EXTENSION, extension_days=None), {}, ["extension_days"]),
        (Terms(EXTENSION, extension_days=10), {"extensions_used": 2}, ["too_many_extensions"]),
        (Terms(EXTENSION, extension_days=10), {"overdue": 0}, ["nothing_overdue"]),
        (PLAN, {}, []),
        (Terms(INSTALLMENT_PLAN, months=2, first_due_on=PLAN.first_due_on), {}, ["months"]),
        (Terms(INSTALLMENT_PLAN, months=61, first_due_on=PLAN.first_due_on), {}, ["months"]),
        (Terms(INSTALLMENT_PLAN, months=12, first_due_on=TODAY), {}, ["first_due_on"]),
        (
            Terms(INSTALLMENT_PLAN, months=12, first_due_on=TODAY + timedelta(days=31)),
            {},
            ["first_due_on"],
        ),
        (Terms(INSTALLMENT_PLAN, months=12, first_due_on=TODAY + timedelta(days=30)), {}, []),
        (Terms(INSTALLMENT_PLAN, months=12, first_due_on=None), {}, ["first_due_on"]),
        (
            Terms(INSTALLMENT_PLAN, months=60, first_due_on=PLAN.first_due_on),
            {"balance": 500_000},
            ["installment_too_small"],
        ),
        (
            Terms(
                INSTALLMENT_PLAN, months=12, down_payment=1_000_000, first_due_on=PLAN.first_due_on
            ),
            {},
            ["down_payment"],
        ),
        (
            Terms(INSTALLMENT_PLAN, months=12, down_payment=-1, first_due_on=PLAN.first_due_on),
            {},
            ["down_payment"],
        ),
        (PLAN, {"has_open_request": True}, ["open_request"]),
        (PLAN, {"has_active_plan": True}, ["active_plan"]),
        (PLAN, {"balance": 0}, ["nothing_owed"]),
    ],
)
def test_refusal_rules(terms, context, codes):
    assert _problems(terms, **context) == codes


def test_too_small_installment_says_how_many_months_would_work():
    terms = Terms(INSTALLMENT_PLAN, months=60, first_due_on=PLAN.first_due_on)
    (problem,) = problems(
        terms,
        RULES,
        balance=500_000,
        overdue=0,
        today=TODAY,
        extensions_used=0,
        has_open_request=False,
        has_active_plan=False,
        currency="CNY",
    )
    assert problem.field == "months"
    assert problem.values == {"minimum": 10_000, "most_months": 50, "currency": "CNY"}


@pytest.mark.parametrize(
    "code, values, text",
    [
        ("open_request", {}, "already has an open request"),
        ("active_plan", {}, "already has an active plan"),
        ("nothing_owed", {}, "Nothing is owed"),
        ("nothing_overdue", {}, "nothing to extend"),
        ("extension_days", {"min": 7, "max": 30}, "between 7 and 30 days"),
        ("too_many_extensions", {"max": 2}, "at most 2 extensions"),
        ("months", {"min": 3, "max": 60}, "between 3 and 60 monthly"),
        ("first_due_on", {"days": 30, "latest": TODAY}, "by 22 Nov 2026 at the latest"),
        ("down_payment", {"balance": 123_456}, "less than what you owe (¥1,234.56)"),
        (
            "installment_too_small",
            {"minimum": 10_000, "most_months": 7},
            "at least ¥100.00. With this down payment, choose at most 7 months",
        ),
    ],
)
def test_every_refusal_has_a_plain_message(app, code, values, text):
    from flask_babel import force_locale

    from portal.errors import message_for
    from portal.plans.labels import MESSAGES
    from portal.plans.terms import RuleBroken

    broken = RuleBroken(code, **values, currency="CNY")
    with app.test_request_context(), force_locale("en"):
        assert text in message_for(broken, MESSAGES)
    with app.test_request_context(), force_locale("zh_Hans"):
        assert message_for(broken, MESSAGES) != message_for(RuleBroken("unknown"), MESSAGES)
