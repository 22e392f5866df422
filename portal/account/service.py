"""A borrower's loans as the one account model (loans/standing.py), loaded in a fixed number of
queries whatever the number of loans, installments, journal entries and contacts.

Every page, job and message that needs what is owed, what is overdue, what to pay next or what
collection may do reads it from here, so there is never a second "next payment".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from operator import attrgetter

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from portal import clock
from portal.disputes.models import Dispute
from portal.extensions import db, read_columns
from portal.loans import service as ledger
from portal.loans.models import Borrower, JournalEntry, Loan, LoanDueDate
from portal.loans.standing import (
    Allocation,
    Hold,
    PlanTerms,
    ScheduledPayment,
    Standing,
    allocate_payment,
    plan_breaks_on,
    standing,
)
from portal.plans import service as plans_service
from portal.plans.models import HardshipRequest, PaymentPlan, PlanInstallment
from portal.promises.models import Promise
from portal.promises.rules import held_days as promise_held_days

OPEN_REQUEST_HOLD = "open_request"
PROMISE_HOLD = "promise"
DISPUTE_HOLD = "dispute"


@dataclass(frozen=True)
class Account:
    """One loan of a borrower with its standing on the borrower's today."""

    loan: Loan
    standing: Standing
    # The contract's due dates (the loan page shows them even while a plan replaces them).
    contract: tuple[ScheduledPayment, ...]
    open_request: HardshipRequest | None
    plan: PaymentPlan | None  # the active plan, if any
    terms: PlanTerms | None  # the active plan as the model reads it
    promise: Promise | None = None  # the standing promise to pay, if any
    dispute: Dispute | None = None  # the open dispute, if any

    @property
    def on_hold(self) -> bool:
        return self.standing.held


@cache  # built once: the statement is the same on every request
def _paid_since_acceptance():
    """What was paid on the plan's loan since the plan was accepted, less refunds of it."""
    reversed_entry = aliased(JournalEntry)
    refunded_payments = sa.select(reversed_entry.id).where(reversed_entry.kind == "payment")
    entry = aliased(JournalEntry)
    return (
        sa.select(
            sa.func.coalesce(
                -sa.func.sum(entry.principal_minor + entry.interest_minor + entry.fee_minor), 0
            )
        )
        .where(
            entry.loan_id == PaymentPlan.loan_id,
            entry.posted_at >= PaymentPlan.accepted_at,
            sa.or_(
                entry.kind == "payment",
                sa.and_(entry.kind == "reversal", entry.reverses_entry_id.in_(refunded_payments)),
            ),
        )
        .correlate(PaymentPlan)
        .scalar_subquery()
    )


@cache
def _schedules_query(with_plans: bool):
    # Of the tables' columns, not the mapped attributes: plain rows, run as Core statements.
    due_dates = LoanDueDate.__table__.c
    due = sa.select(
        due_dates.loan_id,
        sa.literal(False).label("is_plan"),
        sa.literal(0).label("number"),
        due_dates.due_on,
        due_dates.principal_minor,
        due_dates.interest_minor,
        sa.literal(0).label("amount"),
    ).where(due_dates.loan_id.in_(sa.bindparam("loan_ids", expanding=True)))
    if not with_plans:
        return due
    plans, installment = PaymentPlan.__table__.c, PlanInstallment.__table__.c
    installments = sa.select(
        plans.loan_id,
        sa.literal(True),
        installment.number,
        installment.due_on,
        sa.literal(0),
        sa.literal(0),
        installment.amount_minor,
    ).where(
        installment.plan_id == plans.id,
        installment.plan_id.in_(sa.bindparam("plan_ids", expanding=True)),
    )
    return sa.union_all(due, installments)


def _schedules(loan_ids: list[int], plan_ids: list[int]):
    """Contract due dates and active plans' installments, in one statement."""
    contract: dict[int, list[ScheduledPayment]] = defaultdict(list)
    plan: dict[int, list[tuple[int, date, int]]] = defaultdict(list)
    if not loan_ids:
        return contract, plan
    values = {"loan_ids": loan_ids, "plan_ids": plan_ids} if plan_ids else {"loan_ids": loan_ids}
    # Unpacked, not read by name: a staff list reads hundreds of these rows.
    rows = read_columns(_schedules_query(bool(plan_ids)), values)
    for loan_id, is_plan, number, due_on, principal, interest, amount in rows:
        if is_plan:
            plan[loan_id].append((number, due_on, amount))
        else:
            contract[loan_id].append(ScheduledPayment(due_on, principal, interest))
    for payments in contract.values():
        payments.sort(key=attrgetter("due_on"))
    return contract, plan


def _plan_terms(plan: PaymentPlan, paid: int, installments, borrower: Borrower) -> PlanTerms:
    return PlanTerms(
        accepted_on=clock.today_for(borrower, plan.accepted_at),
        installments=tuple(installments),
        paid_since_acceptance=max(int(paid or 0), 0),
        grace_days=plan.grace_days,
        days_past_due_at_start=plan.days_past_due_at_start,
        status=plan.status,
    )


def _accounts_query():
    return (
        sa.select(Loan, HardshipRequest, PaymentPlan, _paid_since_acceptance(), Promise, Dispute)
        .outerjoin(HardshipRequest, HardshipRequest.open_loan_id == Loan.id)
        .outerjoin(PaymentPlan, PaymentPlan.active_loan_id == Loan.id)
        .outerjoin(Promise, Promise.standing_loan_id == Loan.id)
        .outerjoin(Dispute, Dispute.open_loan_id == Loan.id)
        .order_by(Loan.opened_on, Loan.id)
    )


# The account statements are built once, their values bound at each run: building a statement
# this size and its cache key costs more than running it.
@cache
def _borrower_accounts(one_loan: bool, lock: bool):
    query = _accounts_query().where(Loan.borrower_id == sa.bindparam("borrower_id"))
    if one_loan:
        query = query.where(Loan.id == sa.bindparam("loan_id"))
    if lock:
        query = query.with_for_update(of=Loan).execution_options(populate_existing=True)
    return query


@cache
def _loans_accounts():
    return (
        _accounts_query()
        .where(Loan.id.in_(sa.bindparam("loan_ids", expanding=True)))
        .options(joinedload(Loan.borrower))
    )


def accounts(
    borrower: Borrower,
    *,
    loan_id: int | None = None,
    now: datetime | None = None,
    lock: bool = False,
) -> list[Account]:
    """The borrower's loans (or the one with `loan_id`) with their standing, oldest first.

    With `lock`, the loan rows are locked for update first (allocating a payment), so the
    balance the standing is built on is the one the posting will change.
    """
    values = {"borrower_id": borrower.id}
    if loan_id is not None:
        values["loan_id"] = loan_id
    rows = db.session.execute(_borrower_accounts(loan_id is not None, lock), values).all()
    return _accounts(rows, now, lambda loan: borrower)


def loan_accounts(loan_ids: list[int], now: datetime | None = None) -> dict[int, Account]:
    """These loans, of any borrowers, each with its standing on its borrower's today, by loan
    id: for staff lists, in a fixed number of statements however many loans."""
    if not loan_ids:
        return {}
    rows = db.session.execute(_loans_accounts(), {"loan_ids": list(loan_ids)}).unique().all()
    found = _accounts(rows, now, lambda loan: loan.borrower)
    return {found_account.loan.id: found_account for found_account in found}


def _accounts(rows, now: datetime | None, borrower_of) -> list[Account]:
    contract, plan_installments = _schedules(
        [loan.id for loan, *_ in rows],
        [plan.id for _loan, _request, plan, *_rest in rows if plan is not None],
    )
    ladders = ledger.ladders()
    found = []
    for loan, open_request, plan, paid, promise, dispute in rows:
        borrower = borrower_of(loan)
        today = clock.today_for(borrower, now)
        terms = (
            _plan_terms(plan, paid, plan_installments[loan.id], borrower)
            if plan is not None
            else None
        )
        holds = (Hold(OPEN_REQUEST_HOLD),) if open_request is not None else ()
        held_days = loan.held_days
        if promise is not None:
            # While it stands, the stage stays where it was when the promise was made (an open
            # dispute's days count for the dispute).
            holds += (Hold(PROMISE_HOLD, promise.due_on),)
            held_days += promise_held_days(
                made_on=promise.made_on,
                due_on=promise.due_on,
                today=today,
                excluded=((dispute.opened_on, None),) if dispute is not None else (),
            )
        if dispute is not None:
            # Held until the lender answers; the stage stays where it was when it was opened.
            holds += (Hold(DISPUTE_HOLD),)
            held_days += max((today - dispute.opened_on).days, 0)
        found.append(
            Account(
                loan=loan,
                standing=standing(
                    loan.balance,
                    contract[loan.id],
                    today,
                    ledger.ladder_for(loan, ladders),
                    plan=terms,
                    holds=holds,
                    held_days=held_days,
                ),
                contract=tuple(contract[loan.id]),
                open_request=open_request,
                plan=plan,
                terms=terms,
                promise=promise,
                dispute=dispute,
            )
        )
    return found


def account(
    borrower: Borrower, loan_id: int, *, now: datetime | None = None, lock: bool = False
) -> Account | None:
    """One of the borrower's loans with its standing; None if it is not theirs."""
    found = accounts(borrower, loan_id=loan_id, now=now, lock=lock)
    return found[0] if found else None


def allocation_for(borrower: Borrower, loan_id: int, amount: int, *, now=None) -> Allocation:
    """How `amount` paid now is split over the loan, from its balance under the row lock.

    Oldest installments of the schedule in force first, within one installment fees, interest,
    principal; what exceeds the balance is a credit. Locks the loan row until the transaction
    ends, so the posting that follows changes the balance this was computed from.
    """
    found = account(borrower, loan_id, now=now, lock=True)
    return allocate_payment(
        amount, found.loan.balance, found.contract, found.standing.today, plan=found.terms
    )


def settle_plans(now: datetime | None = None) -> dict[str, int]:
    """Complete the active plans that are paid and break those with an installment unpaid
    past grace, as the account model judges them on each borrower's today. Idempotent;
    flushes only (the tick command commits)."""
    now = now or clock.now()
    counts = {"broken": 0, "completed": 0}
    plans = db.session.scalars(
        sa.select(PaymentPlan).where(PaymentPlan.status == "active").order_by(PaymentPlan.id)
    ).all()
    for plan in plans:
        found = account(plan.loan.borrower, plan.loan_id, now=now, lock=True)
        progress = found.standing.plan_progress if found is not None else None
        if progress is None:
            continue
        if progress.complete:
            plans_service.complete_plan(plan, now)
            counts["completed"] += 1
        elif progress.broken:
            # The days it held escalation, as the model counts them before the break is recorded.
            breaks_on = plan_breaks_on(found.terms) or found.standing.today
            held = max((breaks_on - found.terms.accepted_on).days, 0)
            plans_service.break_plan(
                plan, now, held_days=held, installment=progress.next_installment.number
            )
            counts["broken"] += 1
    db.session.flush()
    return counts
