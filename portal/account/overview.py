"""What a borrower's dashboard and loan pages show, loaded in a fixed number of queries.

Every lookup is scoped to one borrower: another borrower's loan is simply not found.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import clock
from portal.extensions import db
from portal.loans import service as ledger
from portal.loans.arrears import Arrears, Installment, LadderPosition, arrears_on, ladder_position
from portal.loans.journal import Components
from portal.loans.models import (
    Borrower,
    ContactLogEntry,
    JournalEntry,
    Loan,
)
from portal.plans.models import HardshipRequest, PaymentPlan, PlanInstallment
from portal.plans.terms import installments_covered

LATEST_CONTACTS = 3


@dataclass
class ContactView:
    entry: ContactLogEntry
    breaches: list[str]


@dataclass
class PlanView:
    """An accepted plan and how far the payments since its start have got."""

    plan: PaymentPlan
    installments: list[PlanInstallment]
    covered: int  # installments paid in full, in due order

    @property
    def next_installment(self) -> PlanInstallment | None:
        return self.installments[self.covered] if self.covered < len(self.installments) else None


@dataclass
class LoanOverview:
    loan: Loan
    balance: Components
    arrears: Arrears
    position: LadderPosition
    next_installment: Installment | None
    contacts: list[ContactView] = field(default_factory=list)
    # How many of the loan's contacts (all of them, not only those listed) break a rule.
    breaches_on_loan: int = 0
    open_request: HardshipRequest | None = None
    plan: PlanView | None = None

    @property
    def on_hold(self) -> bool:
        return self.open_request is not None or self.plan is not None


@dataclass
class JournalLine:
    entry: JournalEntry
    change: Components
    balance_after: Components


@dataclass
class LoanDetail:
    overview: LoanOverview
    journal: list[JournalLine]
    schedule: list[Installment]


def _overview(
    loan, schedule, ladders, today, contacts, breaches, breach_total, plans: PlanState
) -> LoanOverview:
    balance = loan.balance
    arrears = arrears_on(balance, schedule, today)
    upcoming = [i for i in schedule if i.due_on >= today]
    open_request = plans.open_requests.get(loan.id)
    plan = plans.active.get(loan.id)
    position = ladder_position(
        arrears,
        ledger.ladder_for(loan, ladders),
        today,
        held=open_request is not None or plan is not None,
        held_days=plans.held_days.get(loan.id, 0),
    )
    return LoanOverview(
        loan=loan,
        balance=balance,
        arrears=arrears,
        position=position,
        next_installment=upcoming[0] if upcoming and balance.total > 0 else None,
        contacts=[ContactView(c, breaches.get(c.id, [])) for c in contacts],
        breaches_on_loan=breach_total,
        open_request=open_request,
        plan=plan,
    )


@dataclass
class PlanState:
    open_requests: dict[int, HardshipRequest]
    active: dict[int, PlanView]
    held_days: dict[int, int]  # days spent in plans that later broke, per loan


def _plan_state(borrower_id: int, loan_ids: list[int]) -> PlanState:
    """Open requests, active plans (with payments since they started) and broken plans' hold
    days for a borrower's loans, in three queries."""
    open_requests = {
        r.loan_id: r
        for r in db.session.scalars(
            sa.select(HardshipRequest).where(
                HardshipRequest.borrower_id == borrower_id,
                HardshipRequest.open_loan_id.is_not(None),
            )
        )
    }
    plans = (
        db.session.scalars(
            sa.select(PaymentPlan)
            .where(PaymentPlan.loan_id.in_(loan_ids), PaymentPlan.status.in_(("active", "broken")))
            .options(selectinload(PaymentPlan.installments))
        ).all()
        if loan_ids
        else []
    )
    paid = (
        dict(
            db.session.execute(
                sa.select(
                    PaymentPlan.id,
                    sa.func.coalesce(
                        sa.func.sum(
                            JournalEntry.principal_minor
                            + JournalEntry.interest_minor
                            + JournalEntry.fee_minor
                        ),
                        0,
                    ),
                )
                .join(
                    JournalEntry,
                    sa.and_(
                        JournalEntry.loan_id == PaymentPlan.loan_id,
                        JournalEntry.kind == "payment",
                        JournalEntry.posted_at >= PaymentPlan.accepted_at,
                    ),
                )
                .where(PaymentPlan.loan_id.in_(loan_ids), PaymentPlan.status == "active")
                .group_by(PaymentPlan.id)
            ).all()
        )
        if loan_ids
        else {}
    )
    active, held = {}, defaultdict(int)
    for plan in plans:
        if plan.status == "active":
            ordered = sorted(plan.installments, key=lambda i: (i.due_on, i.number))
            covered = installments_covered(
                [i.amount_minor for i in ordered], -int(paid.get(plan.id, 0))
            )
            active[plan.loan_id] = PlanView(plan, ordered, covered)
        elif plan.ended_at is not None:
            held[plan.loan_id] += max((plan.ended_at - plan.accepted_at).days, 0)
    return PlanState(open_requests, active, dict(held))


def dashboard(borrower: Borrower, now: datetime | None = None) -> list[LoanOverview]:
    """One overview per loan of the borrower, with its latest contacts."""
    today = clock.today_for(borrower, now)
    loans = list(
        db.session.scalars(
            sa.select(Loan).where(Loan.borrower_id == borrower.id).order_by(Loan.opened_on, Loan.id)
        )
    )
    schedules = ledger.schedules([loan.id for loan in loans])
    ladders = ledger.ladders()
    contacts = ledger.borrower_contacts(borrower.id)
    breaches = ledger.marked(contacts, borrower)
    latest: dict[int, list[ContactLogEntry]] = defaultdict(list)
    breach_totals: Counter = Counter()
    for contact in contacts:
        if len(latest[contact.loan_id]) < LATEST_CONTACTS:
            latest[contact.loan_id].append(contact)
        if contact.id in breaches:
            breach_totals[contact.loan_id] += 1
    plans = _plan_state(borrower.id, [loan.id for loan in loans])
    return [
        _overview(
            loan,
            schedules[loan.id],
            ladders,
            today,
            latest[loan.id],
            breaches,
            breach_totals[loan.id],
            plans,
        )
        for loan in loans
    ]


def loan_detail(borrower: Borrower, loan_id: int, now: datetime | None = None) -> LoanDetail | None:
    """A borrower's own loan with its journal, schedule and full contact log; None if not theirs."""
    loan = db.session.scalar(
        sa.select(Loan).where(Loan.id == loan_id, Loan.borrower_id == borrower.id)
    )
    if loan is None:
        return None
    today = clock.today_for(borrower, now)
    schedule = ledger.schedules([loan.id])[loan.id]
    contacts = ledger.borrower_contacts(borrower.id)
    breaches = ledger.marked(contacts, borrower)
    own = [c for c in contacts if c.loan_id == loan.id]
    overview = _overview(
        loan,
        schedule,
        ledger.ladders(),
        today,
        own,
        breaches,
        sum(1 for c in own if c.id in breaches),
        _plan_state(borrower.id, [loan.id]),
    )
    entries = db.session.scalars(
        sa.select(JournalEntry)
        .where(JournalEntry.loan_id == loan.id)
        .order_by(JournalEntry.posted_at, JournalEntry.id)
    )
    running = Components()
    journal = []
    for entry in entries:
        change = Components(entry.principal_minor, entry.interest_minor, entry.fee_minor)
        running = running + change
        journal.append(JournalLine(entry, change, running))
    return LoanDetail(overview=overview, journal=journal, schedule=schedule)
