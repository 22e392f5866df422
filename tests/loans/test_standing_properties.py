"""Properties of the account model that hold for any schedule, balance, plan and payment."""

from dataclasses import replace
from datetime import date, timedelta
from itertools import permutations

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.loans.journal import Components, apply_entry, balance_of
from portal.loans.ladder import DEFAULT_LADDER, Rung
from portal.loans.standing import (
    PlanTerms,
    ScheduledPayment,
    allocate_payment,
    plan_is_broken,
    refund_reversal,
    standing,
)

LADDER = [Rung(code, days) for code, days in DEFAULT_LADDER]
START = date(2026, 1, 1)
MODEST = settings(max_examples=200, deadline=None)

waterfalls = st.sampled_from(list(permutations(("fee", "interest", "principal"))))
days_from_start = st.integers(min_value=-10, max_value=260).map(lambda n: START + timedelta(days=n))


@st.composite
def contract_loans(draw):
    """A contract schedule, a balance that may owe less or more than it, and a day."""
    schedule = draw(
        st.lists(
            st.builds(
                ScheduledPayment,
                due_on=st.integers(0, 240).map(lambda n: START + timedelta(days=n)),
                principal=st.integers(0, 5_000),
                interest=st.integers(0, 800),
            ),
            max_size=6,
        )
    )
    scheduled_principal = sum(p.principal for p in schedule)
    scheduled_interest = sum(p.interest for p in schedule)
    balance = Components(
        draw(st.integers(0, scheduled_principal + 3_000)),
        draw(st.integers(0, scheduled_interest + 1_000)),
        draw(st.integers(0, 2_000)),
    )
    return schedule, balance, draw(days_from_start)


def _unpaid(amounts, paid):
    """What is unpaid of each installment once `paid` has covered the oldest first."""
    unpaid = []
    for amount in amounts:
        covered = min(amount, paid)
        paid -= covered
        unpaid.append(amount - covered)
    return unpaid


@st.composite
def planned_loans(draw):
    """A loan under an accepted plan whose installments add up to what it still owes."""
    schedule, _, _ = draw(contract_loans())
    accepted_on = START + timedelta(days=draw(st.integers(0, 60)))
    gaps = draw(st.lists(st.integers(0, 40), min_size=1, max_size=5))
    due_dates = [accepted_on + timedelta(days=sum(gaps[: n + 1])) for n in range(len(gaps))]
    amounts = draw(st.lists(st.integers(1, 3_000), min_size=len(gaps), max_size=len(gaps)))
    paid = draw(st.integers(0, sum(amounts)))
    grace_days = draw(st.integers(0, 10))
    # A day around the oldest unpaid installment's due date and grace period, where plans
    # fall at risk and break.
    unpaid = [d for d, owed in zip(due_dates, _unpaid(amounts, paid), strict=True) if owed]
    around = unpaid[0] if unpaid else due_dates[-1]
    today = around + timedelta(days=draw(st.integers(-3, grace_days + 3)))
    plan = PlanTerms(
        accepted_on=accepted_on,
        installments=[
            (n, d, a) for n, (d, a) in enumerate(zip(due_dates, amounts, strict=True), 1)
        ],
        paid_since_acceptance=paid,
        grace_days=grace_days,
        days_past_due_at_start=draw(st.integers(0, 120)),
        status=draw(st.sampled_from(["active", "broken", "completed"])),
    )
    if plan.status == "active" and plan_is_broken(plan, today):
        # The tick job records a plan broken by the rules before anything else moves the loan.
        plan = replace(plan, status="broken", ended_on=today)
    owed = sum(amounts) - paid
    fee = draw(st.integers(0, owed))
    interest = draw(st.integers(0, owed - fee))
    balance = Components(owed - fee - interest, interest, fee)
    return schedule, balance, today, plan


@MODEST
@given(contract_loans(), st.integers(1, 20_000), waterfalls)
def test_a_payment_never_takes_more_than_is_owed_and_loses_nothing(loan, amount, waterfall):
    schedule, balance, today = loan
    allocation = allocate_payment(amount, balance, schedule, today, waterfall)
    for name in ("principal", "interest", "fee"):
        assert 0 <= getattr(allocation.applied, name) <= getattr(balance, name)
    assert allocation.applied.total + allocation.credit == amount
    assert allocation.credit >= 0
    assert allocation.credit == max(amount - balance.total, 0)
    assert sum((s.applied for s in allocation.shares), Components()) == allocation.applied


@MODEST
@given(planned_loans(), st.integers(1, 20_000))
def test_a_payment_under_a_plan_never_takes_more_than_is_owed(loan, amount):
    schedule, balance, today, plan = loan
    allocation = allocate_payment(amount, balance, schedule, today, plan=plan)
    for name in ("principal", "interest", "fee"):
        assert 0 <= getattr(allocation.applied, name) <= getattr(balance, name)
    assert allocation.applied.total + allocation.credit == amount
    assert sum((s.applied for s in allocation.shares), Components()) == allocation.applied


@MODEST
@given(contract_loans(), st.integers(1, 20_000), waterfalls)
def test_the_balance_after_a_payment_is_the_sum_of_the_journal(loan, amount, waterfall):
    schedule, balance, today = loan
    allocation = allocate_payment(amount, balance, schedule, today, waterfall)
    after = allocation.balance_after(balance)
    assert after == balance_of([balance, allocation.change])
    if not allocation.change.is_zero():
        assert apply_entry(balance, "payment", allocation.change) == after


@MODEST
@given(contract_loans(), waterfalls)
def test_paying_the_overdue_leaves_nothing_overdue(loan, waterfall):
    schedule, balance, today = loan
    before = standing(balance, schedule, today, LADDER, waterfall=waterfall)
    if before.overdue.total:
        allocation = allocate_payment(before.overdue.total, balance, schedule, today, waterfall)
        assert allocation.applied == before.overdue
        after = standing(allocation.balance_after(balance), schedule, today, LADDER)
        assert after.overdue.total == 0
        assert after.days_past_due == 0


@MODEST
@given(planned_loans())
def test_paying_the_overdue_under_a_plan_leaves_nothing_overdue(loan):
    schedule, balance, today, plan = loan
    before = standing(balance, schedule, today, LADDER, plan=plan)
    if before.overdue.total:
        allocation = allocate_payment(before.overdue.total, balance, schedule, today, plan=plan)
        assert allocation.applied == before.overdue
        after = standing(
            allocation.balance_after(balance),
            schedule,
            today,
            LADDER,
            plan=plan.after_payment(allocation.applied.total),
        )
        assert after.overdue.total == 0


@MODEST
@given(contract_loans())
def test_the_schedule_accounts_for_every_minor_unit_owed(loan):
    schedule, balance, today = loan
    account = standing(balance, schedule, today, LADDER)
    unpaid = sum(i.unpaid for i in account.schedule_in_force)
    assert unpaid + account.unscheduled.total + balance.fee == balance.total
    for name in ("principal", "interest", "fee"):
        shown = getattr(account.overdue, name) + getattr(account.due_today, name)
        assert 0 <= shown <= getattr(balance, name)
    assert (account.days_past_due > 0) <= account.is_overdue
    action = account.next_action
    if balance.total == 0:
        assert action is None
    elif account.is_overdue:
        assert (action.kind, action.amount, action.due_on) == (
            "overdue",
            account.overdue.total,
            today,
        )
    elif action is not None:
        assert action.due_on >= today
        assert 0 < action.amount <= balance.total


@MODEST
@given(st.one_of(contract_loans().map(lambda loan: (*loan, None)), planned_loans()))
def test_a_held_loan_has_no_next_stage(loan):
    schedule, balance, today, plan = loan
    account = standing(balance, schedule, today, LADDER, plan=plan)
    if account.held:
        assert (account.next_rung, account.next_stage_on) == (None, None)
    elif account.next_rung is not None:
        assert account.next_stage_on > today
    if account.plan_in_force:
        assert account.held


allocations = st.lists(
    st.builds(Components, st.integers(0, 5_000), st.integers(0, 1_000), st.integers(0, 500)),
    max_size=4,
)


@MODEST
@given(allocations, st.integers(0, 3_000), st.lists(st.integers(0, 20_000), max_size=4))
def test_refunds_reverse_what_was_refunded_and_no_more(allocations, credit, refunds):
    allocated = sum(allocations, Components())
    reversed_so_far, total = Components(), 0
    for refunded in sorted(refunds):
        reversed_so_far += refund_reversal(refunded, total, allocations, credit=credit)
        total = refunded
    for name in ("principal", "interest", "fee"):
        assert 0 <= getattr(reversed_so_far, name) <= getattr(allocated, name)
    assert reversed_so_far == refund_reversal(total, 0, allocations, credit=credit)
    assert reversed_so_far.total == min(max(total - credit, 0), allocated.total)
