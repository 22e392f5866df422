"""A loan's standing on one day: what is overdue, what to pay, what payments and refunds do."""

from datetime import date, timedelta

import pytest

from portal.loans.journal import Components
from portal.loans.ladder import DEFAULT_LADDER, Rung
from portal.loans.standing import (
    DUE_TODAY,
    OVERDUE,
    PAID,
    PARTLY_PAID,
    UPCOMING,
    Hold,
    PlanInstallment,
    PlanTerms,
    ScheduledPayment,
    allocate_payment,
    payment_outcome,
    plan_breaks_on,
    plan_is_broken,
    plan_is_complete,
    refund_reversal,
    standing,
)

LADDER = [Rung(code, days) for code, days in DEFAULT_LADDER]

# A four-installment loan: ¥1000 principal and ¥75 interest a month, in fen.
PRINCIPAL, INTEREST = 100_000, 7_500
SCHEDULE = [
    ScheduledPayment(date(2026, 1, 10), PRINCIPAL, INTEREST),
    ScheduledPayment(date(2026, 2, 10), PRINCIPAL, INTEREST),
    ScheduledPayment(date(2026, 3, 10), PRINCIPAL, INTEREST),
    ScheduledPayment(date(2026, 4, 10), PRINCIPAL, INTEREST),
]
# All four installments' interest charged up front, nothing paid.
UP_FRONT = Components(4 * PRINCIPAL, 4 * INTEREST, 0)


def rung(code):
    return next(r for r in LADDER if r.code == code)


def states(account):
    return [i.state for i in account.schedule_in_force]


# --- what is overdue ----------------------------------------------------------------------------

STANDING_CASES = [
    pytest.param(
        UP_FRONT,
        date(2026, 1, 1),
        dict(
            overdue=Components(),
            due_today=Components(),
            days_past_due=0,
            oldest=None,
            states=[UPCOMING] * 4,
            stage=None,
        ),
        id="nothing-due-yet",
    ),
    pytest.param(
        UP_FRONT,
        date(2026, 1, 10),
        dict(
            overdue=Components(),
            due_today=Components(PRINCIPAL, INTEREST, 0),
            days_past_due=0,
            oldest=None,
            states=[DUE_TODAY, UPCOMING, UPCOMING, UPCOMING],
            stage="due_reminder",
        ),
        id="due-today-is-not-overdue",
    ),
    pytest.param(
        UP_FRONT,
        date(2026, 1, 11),
        dict(
            overdue=Components(PRINCIPAL, INTEREST, 0),
            due_today=Components(),
            days_past_due=1,
            oldest=date(2026, 1, 10),
            states=[OVERDUE, UPCOMING, UPCOMING, UPCOMING],
            stage="early_warning",
        ),
        id="overdue-the-day-after",
    ),
    pytest.param(
        UP_FRONT,
        date(2026, 3, 1),
        dict(
            overdue=Components(2 * PRINCIPAL, 2 * INTEREST, 0),
            due_today=Components(),
            days_past_due=50,
            oldest=date(2026, 1, 10),
            states=[OVERDUE, OVERDUE, UPCOMING, UPCOMING],
            stage="agency",
        ),
        id="up-front-interest-for-future-installments-is-not-overdue",
    ),
    pytest.param(
        UP_FRONT + Components(fee=12_000),
        date(2026, 3, 1),
        dict(
            overdue=Components(2 * PRINCIPAL, 2 * INTEREST, 12_000),
            due_today=Components(),
            days_past_due=50,
            oldest=date(2026, 1, 10),
            states=[OVERDUE, OVERDUE, UPCOMING, UPCOMING],
            stage="agency",
        ),
        id="fees-charged-late-are-overdue",
    ),
    pytest.param(
        Components(4 * PRINCIPAL, 4 * INTEREST, 5_000),
        date(2026, 1, 5),
        dict(
            overdue=Components(fee=5_000),
            due_today=Components(),
            days_past_due=0,
            oldest=None,
            states=[UPCOMING] * 4,
            stage="due_reminder",
        ),
        id="before-any-due-date-only-fees-are-overdue",
    ),
    pytest.param(
        # 500 paid on 2 overdue installments: 75 interest and 425 principal of the first.
        Components(4 * PRINCIPAL - 42_500, 3 * INTEREST, 0),
        date(2026, 3, 1),
        dict(
            overdue=Components(2 * PRINCIPAL - 42_500, INTEREST, 0),
            due_today=Components(),
            days_past_due=50,
            oldest=date(2026, 1, 10),
            states=[OVERDUE, OVERDUE, UPCOMING, UPCOMING],
            stage="agency",
        ),
        id="partial-payment-leaves-the-oldest-overdue",
    ),
    pytest.param(
        # The first installment and part of the second paid: the second is the oldest unpaid.
        Components(3 * PRINCIPAL - 30_000, 3 * INTEREST, 0),
        date(2026, 3, 1),
        dict(
            overdue=Components(PRINCIPAL - 30_000, INTEREST, 0),
            due_today=Components(),
            days_past_due=19,
            oldest=date(2026, 2, 10),
            states=[PAID, OVERDUE, UPCOMING, UPCOMING],
            stage="phone_contact",
        ),
        id="days-past-due-count-from-the-oldest-unpaid",
    ),
    pytest.param(
        # Paid 500 ahead of the first due date.
        Components(4 * PRINCIPAL - 42_500, 3 * INTEREST, 0),
        date(2026, 1, 1),
        dict(
            overdue=Components(),
            due_today=Components(),
            days_past_due=0,
            oldest=None,
            states=[PARTLY_PAID, UPCOMING, UPCOMING, UPCOMING],
            stage=None,
        ),
        id="prepayment-leaves-the-first-partly-paid",
    ),
    pytest.param(
        Components(30_000, 0, 0),
        date(2026, 4, 20),
        dict(
            overdue=Components(30_000, 0, 0),
            due_today=Components(),
            days_past_due=10,
            oldest=date(2026, 4, 10),
            states=[PAID, PAID, PAID, OVERDUE],
            stage="phone_contact",
        ),
        id="what-is-left-is-the-newest-installment",
    ),
    pytest.param(
        Components(),
        date(2026, 3, 1),
        dict(
            overdue=Components(),
            due_today=Components(),
            days_past_due=0,
            oldest=None,
            states=[PAID] * 4,
            stage=None,
        ),
        id="paid-off",
    ),
]


@pytest.mark.parametrize(("balance", "today", "expected"), STANDING_CASES)
def test_standing_of_a_contract(balance, today, expected):
    account = standing(balance, SCHEDULE, today, LADDER)
    assert account.overdue == expected["overdue"]
    assert account.due_today == expected["due_today"]
    assert account.days_past_due == expected["days_past_due"]
    assert account.oldest_unpaid_due_on == expected["oldest"]
    assert states(account) == expected["states"]
    assert (account.stage and account.stage.code) == expected["stage"]
    assert account.is_overdue == (expected["overdue"].total > 0)


def test_an_overdue_installment_says_how_late_and_what_of_it_is_unpaid():
    account = standing(
        Components(4 * PRINCIPAL - 42_500, 3 * INTEREST, 0), SCHEDULE, date(2026, 3, 1), LADDER
    )
    first, second = account.schedule_in_force[:2]
    assert (first.days_late, first.unpaid_parts, first.is_partly_paid) == (
        50,
        Components(PRINCIPAL - 42_500, 0),
        True,
    )
    assert (second.days_late, second.unpaid_parts, second.is_partly_paid) == (
        19,
        Components(PRINCIPAL, INTEREST),
        False,
    )


UNSCHEDULED_CASES = [
    pytest.param(date(2026, 4, 9), Components(), Components(), 0, id="before-the-last-due-date"),
    pytest.param(
        date(2026, 4, 10),
        Components(),
        Components(PRINCIPAL + 30_000, INTEREST),
        0,
        id="due-with-the-last",
    ),
    pytest.param(
        date(2026, 4, 20),
        Components(PRINCIPAL + 30_000, INTEREST),
        Components(),
        10,
        id="overdue-with-the-last",
    ),
]


@pytest.mark.parametrize(("today", "overdue", "due_today", "days"), UNSCHEDULED_CASES)
def test_principal_beyond_the_schedule_falls_due_with_the_installments(
    today, overdue, due_today, days
):
    schedule = [ScheduledPayment(date(2026, 4, 10), PRINCIPAL, INTEREST)]
    account = standing(Components(PRINCIPAL + 30_000, INTEREST, 0), schedule, today, LADDER)
    assert account.unscheduled == Components(30_000, 0)
    assert (account.overdue, account.due_today, account.days_past_due) == (
        overdue,
        due_today,
        days,
    )
    if not overdue.total:
        action = account.next_action
        assert (action.kind, action.amount, action.due_on) == (
            "installment",
            PRINCIPAL + INTEREST + 30_000,
            date(2026, 4, 10),
        )


UNSCHEDULED_DUE_CASES = [
    pytest.param(date(2026, 1, 9), Components(), 0, id="before-the-first-due-date"),
    pytest.param(date(2026, 1, 11), Components(PRINCIPAL, 0, 0), 1, id="after-the-first-due-date"),
    pytest.param(
        date(2026, 3, 1), Components(PRINCIPAL, 0, 0), 50, id="late-from-the-first-due-date"
    ),
]


@pytest.mark.parametrize(("today", "overdue", "days"), UNSCHEDULED_DUE_CASES)
def test_what_is_owed_beyond_the_schedule_is_the_oldest_debt(today, overdue, days):
    """The walk leaves it over after every installment is full, so payments reach it first."""
    schedule = [
        ScheduledPayment(date(2026, 1, 10), 0, INTEREST),
        ScheduledPayment(date(2026, 2, 10), 0, INTEREST),
    ]
    account = standing(Components(PRINCIPAL, 0, 0), schedule, today, LADDER)
    assert [i.unpaid for i in account.schedule_in_force] == [0, 0]
    assert (account.unscheduled, account.unscheduled_due_on) == (
        Components(PRINCIPAL),
        date(2026, 1, 10),
    )
    assert (account.overdue, account.days_past_due) == (overdue, days)


def test_paying_the_overdue_settles_what_is_owed_beyond_the_schedule_first():
    balance = UP_FRONT + Components(20_000, 1_000, 0)
    today = date(2026, 2, 1)
    before = standing(balance, SCHEDULE, today, LADDER)
    assert before.overdue == Components(PRINCIPAL + 20_000, INTEREST + 1_000, 0)
    allocation = allocate_payment(before.overdue.total, balance, SCHEDULE, today)
    assert [(s.kind, s.applied) for s in allocation.shares] == [
        ("unscheduled", Components(20_000, 1_000)),
        ("installment", Components(PRINCIPAL, INTEREST)),
    ]
    after = standing(allocation.balance_after(balance), SCHEDULE, today, LADDER)
    assert after.overdue == Components()
    assert after.unscheduled == Components()


def test_an_empty_schedule_makes_only_fees_overdue():
    account = standing(Components(PRINCIPAL, INTEREST, 2_000), [], date(2026, 3, 1), LADDER)
    assert account.overdue == Components(fee=2_000)
    assert account.unscheduled == Components(PRINCIPAL, INTEREST)
    assert account.next_action.kind == "overdue"


# --- stages and holds ---------------------------------------------------------------------------

LADDER_CASES = [
    pytest.param(date(2026, 1, 10), (), "due_reminder", "early_warning", date(2026, 1, 11), id="0"),
    pytest.param(
        date(2026, 1, 11), (), "early_warning", "phone_contact", date(2026, 1, 14), id="1"
    ),
    pytest.param(date(2026, 3, 1), (), "agency", "lawyer_letter", date(2026, 4, 11), id="50"),
    pytest.param(
        date(2026, 3, 1),
        (Hold("open_request"),),
        "agency",
        None,
        None,
        id="open-request-holds-escalation",
    ),
    pytest.param(
        date(2026, 3, 1),
        (Hold("promise", date(2026, 3, 1)),),
        "agency",
        None,
        None,
        id="promise-holds-through-its-date",
    ),
    pytest.param(
        date(2026, 3, 1),
        (Hold("promise", date(2026, 2, 28)),),
        "agency",
        "lawyer_letter",
        date(2026, 4, 11),
        id="a-promise-past-its-date-holds-nothing",
    ),
]


@pytest.mark.parametrize(("today", "holds", "stage", "next_rung", "next_on"), LADDER_CASES)
def test_stage_and_next_stage(today, holds, stage, next_rung, next_on):
    account = standing(UP_FRONT, SCHEDULE, today, LADDER, holds=holds)
    assert account.stage.code == stage
    assert (account.next_rung and account.next_rung.code) == next_rung
    assert account.next_stage_on == next_on
    assert account.held == bool(next_rung is None)
    assert account.stage_state(rung("due_reminder")) in ("passed", "current")
    assert account.stage_state(rung("litigation")) == "ahead"


# --- what to pay next ---------------------------------------------------------------------------

NEXT_ACTION_CASES = [
    pytest.param(
        UP_FRONT,
        date(2026, 1, 1),
        ("installment", PRINCIPAL + INTEREST, date(2026, 1, 10)),
        id="next",
    ),
    pytest.param(
        UP_FRONT,
        date(2026, 1, 10),
        ("installment", PRINCIPAL + INTEREST, date(2026, 1, 10)),
        id="due-today",
    ),
    pytest.param(
        UP_FRONT + Components(fee=12_000),
        date(2026, 3, 1),
        ("overdue", 2 * (PRINCIPAL + INTEREST) + 12_000, date(2026, 3, 1)),
        id="overdue-with-fees-due-now",
    ),
    pytest.param(
        Components(4 * PRINCIPAL - 42_500, 3 * INTEREST, 0),
        date(2026, 1, 1),
        ("installment", PRINCIPAL - 42_500, date(2026, 1, 10)),
        id="rest-of-a-partly-paid-installment",
    ),
    pytest.param(Components(), date(2026, 1, 1), None, id="nothing-owed"),
]


@pytest.mark.parametrize(("balance", "today", "expected"), NEXT_ACTION_CASES)
def test_next_action(balance, today, expected):
    action = standing(balance, SCHEDULE, today, LADDER).next_action
    assert (action and (action.kind, action.amount, action.due_on)) == expected


# --- payments -----------------------------------------------------------------------------------


def share_amounts(allocation):
    return [(s.kind, s.due_on, s.applied) for s in allocation.shares]


ALLOCATION_CASES = [
    pytest.param(
        UP_FRONT,
        2 * (PRINCIPAL + INTEREST),
        dict(
            applied=Components(2 * PRINCIPAL, 2 * INTEREST, 0),
            credit=0,
            shares=[
                ("installment", date(2026, 1, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 2, 10), Components(PRINCIPAL, INTEREST)),
            ],
        ),
        id="exactly-the-overdue-settles-the-overdue-installments",
    ),
    pytest.param(
        UP_FRONT + Components(fee=12_000),
        12_000 + PRINCIPAL + INTEREST + 10_000,
        dict(
            applied=Components(PRINCIPAL + 2_500, INTEREST + 7_500, 12_000),
            credit=0,
            shares=[
                ("fees", None, Components(fee=12_000)),
                ("installment", date(2026, 1, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 2, 10), Components(2_500, INTEREST)),
            ],
        ),
        id="fees-first-then-oldest-installment-interest-before-principal",
    ),
    pytest.param(
        UP_FRONT,
        50_000,
        dict(
            applied=Components(42_500, INTEREST, 0),
            credit=0,
            shares=[("installment", date(2026, 1, 10), Components(42_500, INTEREST))],
        ),
        id="partial",
    ),
    pytest.param(
        UP_FRONT,
        3 * (PRINCIPAL + INTEREST) + 1,
        dict(
            applied=Components(3 * PRINCIPAL, 3 * INTEREST + 1, 0),
            credit=0,
            shares=[
                ("installment", date(2026, 1, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 2, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 3, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 4, 10), Components(0, 1)),
            ],
        ),
        id="beyond-the-overdue-goes-to-the-next-installments",
    ),
    pytest.param(
        UP_FRONT + Components(20_000, 1_000, 0),
        UP_FRONT.total + 21_000 + 5_000,
        dict(
            applied=UP_FRONT + Components(20_000, 1_000, 0),
            credit=5_000,
            shares=[
                ("unscheduled", date(2026, 1, 10), Components(20_000, 1_000)),
                ("installment", date(2026, 1, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 2, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 3, 10), Components(PRINCIPAL, INTEREST)),
                ("installment", date(2026, 4, 10), Components(PRINCIPAL, INTEREST)),
            ],
        ),
        id="overpayment-settles-everything-then-leaves-a-credit",
    ),
]


@pytest.mark.parametrize(("balance", "amount", "expected"), ALLOCATION_CASES)
def test_allocate_payment(balance, amount, expected):
    allocation = allocate_payment(amount, balance, SCHEDULE, date(2026, 3, 1))
    assert allocation.applied == expected["applied"]
    assert allocation.credit == expected["credit"]
    assert share_amounts(allocation) == expected["shares"]
    assert allocation.applied.total + allocation.credit == amount


def test_paying_the_overdue_with_up_front_interest_leaves_nothing_overdue():
    """The bug this model fixes: the payment went to all the interest first."""
    today = date(2026, 3, 1)
    before = standing(UP_FRONT, SCHEDULE, today, LADDER)
    allocation = allocate_payment(before.overdue.total, UP_FRONT, SCHEDULE, today)
    after = standing(allocation.balance_after(UP_FRONT), SCHEDULE, today, LADDER)
    assert before.overdue.total == 2 * (PRINCIPAL + INTEREST)
    assert after.overdue == Components()
    assert after.balance == Components(2 * PRINCIPAL, 2 * INTEREST, 0)
    assert after.next_action.kind == "installment"
    assert after.next_action.due_on == date(2026, 3, 10)
    outcome = payment_outcome(after)
    assert (outcome.nothing_overdue, outcome.collection_stopped, outcome.overdue_left) == (
        True,
        True,
        0,
    )


def test_a_partial_payment_says_what_is_still_overdue():
    today = date(2026, 3, 1)
    allocation = allocate_payment(50_000, UP_FRONT, SCHEDULE, today)
    outcome = payment_outcome(standing(allocation.balance_after(UP_FRONT), SCHEDULE, today, LADDER))
    assert outcome.overdue_left == 2 * (PRINCIPAL + INTEREST) - 50_000
    assert not outcome.nothing_overdue
    assert not outcome.collection_stopped


WATERFALL_CASES = [
    pytest.param(
        PRINCIPAL,
        [("installment", date(2026, 1, 10), Components(PRINCIPAL, 0, 0))],
        id="principal-first",
    ),
    pytest.param(
        PRINCIPAL + INTEREST + 12_000 + 5,
        [
            ("installment", date(2026, 1, 10), Components(PRINCIPAL, INTEREST, 12_000)),
            ("installment", date(2026, 2, 10), Components(5, 0, 0)),
        ],
        id="fees-settled-with-the-oldest-overdue-installment",
    ),
]


@pytest.mark.parametrize(("amount", "shares"), WATERFALL_CASES)
def test_a_configured_waterfall_orders_each_installment(amount, shares):
    balance = UP_FRONT + Components(fee=12_000)
    waterfall = ("principal", "interest", "fee")
    allocation = allocate_payment(amount, balance, SCHEDULE, date(2026, 3, 1), waterfall)
    assert share_amounts(allocation) == shares


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100", True], ids=repr)
def test_a_payment_is_a_positive_whole_number_of_minor_units(amount):
    with pytest.raises(ValueError, match="positive whole number"):
        allocate_payment(amount, UP_FRONT, SCHEDULE, date(2026, 3, 1))


def test_a_waterfall_names_each_component_once():
    with pytest.raises(ValueError, match="waterfall"):
        allocate_payment(100, UP_FRONT, SCHEDULE, date(2026, 3, 1), ("fee", "fee", "principal"))


# --- plans --------------------------------------------------------------------------------------

ACCEPTED_ON = date(2026, 3, 1)
PLAN_INSTALLMENTS = [
    (1, date(2026, 3, 15), 143_400),
    (2, date(2026, 4, 15), 143_300),
    (3, date(2026, 5, 15), 143_300),
]


def make_plan(paid=0, status="active", ended_on=None, **overrides):
    values = dict(
        accepted_on=ACCEPTED_ON,
        installments=PLAN_INSTALLMENTS,
        paid_since_acceptance=paid,
        grace_days=5,
        days_past_due_at_start=50,
        status=status,
        ended_on=ended_on,
    )
    return PlanTerms(**(values | overrides))


def paid_down(balance, paid):
    """The balance once `paid` has gone over it fees first, then interest, then principal."""
    if not paid:
        return balance
    return allocate_payment(paid, balance, [], ACCEPTED_ON).balance_after(balance)


def test_plan_installments_may_be_given_as_tuples_or_values():
    assert (
        make_plan().installments
        == make_plan(
            installments=[PlanInstallment(*i) for i in reversed(PLAN_INSTALLMENTS)]
        ).installments
    )


def test_a_plan_replaces_the_contract_schedule():
    account = standing(UP_FRONT, SCHEDULE, date(2026, 3, 5), LADDER, plan=make_plan())
    assert account.plan_in_force
    assert [i.number for i in account.schedule_in_force] == [1, 2, 3]
    assert account.overdue == Components()
    assert account.days_past_due == 0
    assert account.next_action.kind == "plan_installment"
    assert (account.next_action.amount, account.next_action.due_on) == (
        143_400,
        date(2026, 3, 15),
    )
    # Collection stands where it was when the plan started (50 days: agency), and goes no further.
    assert account.stage == rung("agency")
    assert (account.next_rung, account.next_stage_on) == (None, None)
    assert account.holds == (Hold("plan", date(2026, 5, 15)),)
    assert account.collection_stopped


PLAN_CASES = [
    pytest.param(
        make_plan(paid=200_000),
        date(2026, 4, 1),
        dict(
            in_force=True,
            covered=1,
            at_risk=False,
            broken=False,
            overdue=0,
            next=("plan_installment", 143_300 - 56_600, date(2026, 4, 15)),
            states=[PAID, PARTLY_PAID, UPCOMING],
        ),
        id="partly-paid-plan-asks-for-the-rest-of-its-installment",
    ),
    pytest.param(
        make_plan(),
        date(2026, 3, 15),
        dict(
            in_force=True,
            covered=0,
            at_risk=False,
            broken=False,
            overdue=0,
            next=("plan_installment", 143_400, date(2026, 3, 15)),
            states=[DUE_TODAY, UPCOMING, UPCOMING],
        ),
        id="plan-installment-due-today",
    ),
    pytest.param(
        make_plan(),
        date(2026, 3, 20),
        dict(
            in_force=True,
            covered=0,
            at_risk=True,
            broken=False,
            overdue=143_400,
            next=("overdue", 143_400, date(2026, 3, 20)),
            states=[OVERDUE, UPCOMING, UPCOMING],
        ),
        id="unpaid-within-grace-is-at-risk-and-overdue-is-the-plan-installment",
    ),
    pytest.param(
        make_plan(),
        date(2026, 3, 21),
        dict(
            in_force=False,
            covered=0,
            at_risk=False,
            broken=True,
            overdue=3 * (PRINCIPAL + INTEREST),
            next=("overdue", 3 * (PRINCIPAL + INTEREST), date(2026, 3, 21)),
            states=[OVERDUE, OVERDUE, OVERDUE, UPCOMING],
        ),
        id="unpaid-past-grace-breaks-and-the-contract-is-back",
    ),
    pytest.param(
        make_plan(paid=430_000),
        date(2026, 5, 1),
        dict(
            in_force=False,
            covered=3,
            at_risk=False,
            broken=False,
            overdue=0,
            next=None,
            states=[PAID] * 4,
        ),
        id="fully-paid-plan-is-complete",
    ),
]


@pytest.mark.parametrize(("plan", "today", "expected"), PLAN_CASES)
def test_plan_progress(plan, today, expected):
    balance = paid_down(UP_FRONT, plan.paid_since_acceptance)
    account = standing(balance, SCHEDULE, today, LADDER, plan=plan)
    progress = account.plan_progress
    assert progress.in_force == expected["in_force"] == account.plan_in_force
    assert progress.covered == expected["covered"]
    assert progress.at_risk == expected["at_risk"]
    assert progress.broken == expected["broken"] == plan_is_broken(plan, today)
    assert account.overdue.total == expected["overdue"]
    action = account.next_action
    assert (action and (action.kind, action.amount, action.due_on)) == expected["next"]
    assert states(account) == expected["states"]


def test_a_plan_breaks_the_day_after_its_grace_period():
    plan = make_plan()
    assert plan_breaks_on(plan) == date(2026, 3, 21)
    assert not plan_is_broken(plan, date(2026, 3, 20))
    assert plan_is_broken(plan, date(2026, 3, 21))
    assert plan_breaks_on(make_plan(paid=143_400)) == date(2026, 4, 21)
    assert plan_breaks_on(make_plan(paid=430_000)) is None
    assert plan_is_complete(make_plan(paid=430_000))
    assert not plan_is_complete(make_plan(paid=429_999))
    assert plan_is_complete(make_plan(status="completed"))


def test_collection_resumes_from_where_it_stood_when_a_broken_plan_is_recorded():
    plan = make_plan(status="broken", ended_on=date(2026, 3, 21))
    today = date(2026, 4, 1)
    # 81 days past due on the contract, 20 of them held by the plan: 61 on the ladder.
    account = standing(UP_FRONT, SCHEDULE, today, LADDER, plan=plan, held_days=20)
    assert not account.plan_in_force
    assert account.plan_progress.broken
    assert account.days_past_due == 81
    assert account.days_on_ladder == 61
    assert account.stage == rung("agency")
    assert (account.next_rung, account.next_stage_on) == (rung("lawyer_letter"), date(2026, 5, 1))
    assert account.holds == ()


def test_a_plan_broken_by_the_rules_counts_its_held_days_before_the_tick_records_it():
    recorded = standing(
        UP_FRONT,
        SCHEDULE,
        date(2026, 3, 21),
        LADDER,
        plan=make_plan(status="broken", ended_on=date(2026, 3, 21)),
        held_days=20,
    )
    by_rule = standing(UP_FRONT, SCHEDULE, date(2026, 3, 21), LADDER, plan=make_plan())
    assert by_rule.days_on_ladder == recorded.days_on_ladder == 50
    assert (by_rule.stage, by_rule.next_stage_on) == (recorded.stage, recorded.next_stage_on)


def test_a_held_plan_keeps_earlier_held_days_off_the_ladder():
    account = standing(UP_FRONT, SCHEDULE, date(2026, 3, 5), LADDER, plan=make_plan(), held_days=47)
    assert account.days_on_ladder == 3
    assert account.stage == rung("early_warning")


def test_an_active_plan_in_force_replaces_a_caller_plan_hold():
    account = standing(
        UP_FRONT,
        SCHEDULE,
        date(2026, 3, 5),
        LADDER,
        plan=make_plan(),
        holds=(Hold("plan"), Hold("dispute")),
    )
    assert account.holds == (Hold("dispute"), Hold("plan", date(2026, 5, 15)))


def test_paying_an_at_risk_plan_installment_puts_the_plan_back_in_good_standing():
    today = date(2026, 3, 20)
    plan = make_plan()
    before = standing(UP_FRONT, SCHEDULE, today, LADDER, plan=plan)
    allocation = allocate_payment(before.overdue.total, UP_FRONT, SCHEDULE, today, plan=plan)
    assert allocation.applied == Components(143_400 - 4 * INTEREST, 4 * INTEREST, 0)
    assert [(s.kind, s.number, s.amount) for s in allocation.shares] == [
        ("plan_installment", 1, 143_400)
    ]
    after = standing(
        allocation.balance_after(UP_FRONT),
        SCHEDULE,
        today,
        LADDER,
        plan=plan.after_payment(allocation.applied.total),
    )
    assert after.overdue == Components()
    assert after.plan_progress.covered == 1
    assert payment_outcome(after).plan_in_good_standing
    assert after.next_action.kind == "plan_installment"


def test_a_payment_under_a_plan_runs_over_its_installments_then_a_credit():
    plan = make_plan()
    allocation = allocate_payment(500_000, UP_FRONT, SCHEDULE, date(2026, 3, 5), plan=plan)
    assert allocation.applied == UP_FRONT
    assert allocation.credit == 500_000 - UP_FRONT.total
    assert [(s.kind, s.number, s.amount) for s in allocation.shares] == [
        ("plan_installment", 1, 143_400),
        ("plan_installment", 2, 143_300),
        ("plan_installment", 3, 143_300),
    ]


# --- refunds ------------------------------------------------------------------------------------

REFUND_CASES = [
    pytest.param(
        107_500,
        0,
        [Components(PRINCIPAL, INTEREST)],
        0,
        Components(PRINCIPAL, INTEREST),
        id="full-refund",
    ),
    pytest.param(
        50_000, 0, [Components(PRINCIPAL, INTEREST)], 0, Components(50_000), id="partial-principal"
    ),
    pytest.param(
        107_500,
        50_000,
        [Components(PRINCIPAL, INTEREST)],
        0,
        Components(50_000, INTEREST),
        id="second-partial",
    ),
    pytest.param(
        50_000, 50_000, [Components(PRINCIPAL, INTEREST)], 0, Components(), id="nothing-new"
    ),
    pytest.param(
        200_000,
        0,
        [Components(PRINCIPAL, INTEREST)],
        0,
        Components(PRINCIPAL, INTEREST),
        id="never-more-than-allocated",
    ),
    pytest.param(107_500, 0, [], 0, Components(), id="refund-before-success-nets-to-zero"),
    pytest.param(
        10_000,
        0,
        [Components(fee=5_000), Components(PRINCIPAL, INTEREST)],
        0,
        Components(5_000, 0, 5_000),
        id="newest-allocation-first",
    ),
    pytest.param(
        30_000,
        0,
        [Components(PRINCIPAL, INTEREST)],
        20_000,
        Components(10_000),
        id="credit-taken-back-first",
    ),
    pytest.param(
        15_000,
        0,
        [Components(PRINCIPAL, INTEREST)],
        20_000,
        Components(),
        id="refund-within-the-credit",
    ),
]


@pytest.mark.parametrize(("refunded", "already", "allocations", "credit", "expected"), REFUND_CASES)
def test_refund_reversal(refunded, already, allocations, credit, expected):
    assert refund_reversal(refunded, already, allocations, credit=credit) == expected


def test_partial_refunds_add_up_to_the_full_refund():
    allocations = [Components(fee=5_000), Components(PRINCIPAL, INTEREST)]
    first = refund_reversal(40_000, 0, allocations)
    second = refund_reversal(112_500, 40_000, allocations)
    assert first + second == refund_reversal(112_500, 0, allocations)


@pytest.mark.parametrize(("refunded", "already"), [(-1, 0), (0, -1), (1.0, 0)])
def test_refund_amounts_are_whole_non_negative_minor_units(refunded, already):
    with pytest.raises(ValueError, match="minor units"):
        refund_reversal(refunded, already, [Components(PRINCIPAL, INTEREST)])


# --- input checks -------------------------------------------------------------------------------


def test_a_scheduled_payment_is_whole_minor_units():
    with pytest.raises(ValueError, match="principal"):
        ScheduledPayment(date(2026, 1, 1), -1, 0)
    with pytest.raises(ValueError, match="interest"):
        ScheduledPayment(date(2026, 1, 1), 0, 1.5)


def test_a_plan_status_is_known():
    with pytest.raises(ValueError, match="status"):
        make_plan(status="paused")


def test_days_late_follow_the_local_calendar():
    today = date(2026, 1, 10) + timedelta(days=31)
    account = standing(UP_FRONT, SCHEDULE, today, LADDER)
    assert account.schedule_in_force[0].days_late == 31
    assert account.stage == rung("agency")
