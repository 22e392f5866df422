"""Hardship requests: submit, withdraw, decide, accept, and what time decides.

Functions flush and never commit: the request edge commits (the tick command, for
`apply_time`). Every refusal is a DomainError raised before anything is written; what a
request's status allows is asked of `portal.plans.lifecycle`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal import audit, clock, notices, rows
from portal.errors import DomainError, NotAllowed, NotFound
from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import Borrower, Loan
from portal.loans.service import contract_standing
from portal.pagination import Page, paginate
from portal.plans import lifecycle
from portal.plans.models import (
    HardshipRequest,
    PaymentPlan,
    PlanInstallment,
    PlanRuleSet,
    RequestDecision,
)
from portal.plans.terms import (
    EXTENSION,
    Installment,
    PlanRules,
    RuleBroken,
    Terms,
    problems,
    schedule_for,
)
from portal.uploads import CheckedFile, UploadedFile, UploadRefused, attach, check_files

REJECT_REASONS = (
    "not_affordable",
    "missing_documents",
    "rules_not_met",
    "recent_plan_broken",
    "other",
)
RULE_FIELDS = (
    "extension_min_days",
    "extension_max_days",
    "max_extensions_per_loan",
    "plan_min_months",
    "plan_max_months",
    "min_installment_minor",
    "first_due_within_days",
    "stop_interest",
    "second_approval_above_minor",
    "decision_due_days",
    "offer_valid_days",
    "grace_days",
)


class RequestRefused(DomainError):
    """The terms break one or more rules: `problems` holds each (a RuleBroken); the error
    itself reads as the first."""

    def __init__(self, found: list[RuleBroken]):
        super().__init__(found[0].code, found[0].field, **found[0].values)
        self.problems = found


class DocumentsRefused(DomainError):
    """An uploaded document that cannot be accepted; `code` names why."""


# The rule sets that predate effect dates have been in force since then.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def ensure_plan_rules() -> None:
    if db.session.scalar(sa.select(PlanRuleSet.id).where(PlanRuleSet.name == "default")) is None:
        defaults = PlanRules()
        db.session.add(
            PlanRuleSet(
                name="default",
                effective_from=BEGINNING,
                **{f: getattr(defaults, f) for f in RULE_FIELDS},
            )
        )
        db.session.flush()


def plan_rules(product: str | None = None, at: datetime | None = None) -> PlanRules:
    """The rules in force at `at` (now by default) for a loan product (its own set if there
    is one, else the default)."""
    rows = {
        row.name: row
        for row in db.session.scalars(
            sa.select(PlanRuleSet)
            .where(
                PlanRuleSet.name.in_([product or "", "default"]),
                PlanRuleSet.effective_from <= (at or clock.now()),
            )
            .order_by(PlanRuleSet.effective_from)
        )
    }
    row = rows.get(product or "") or rows.get("default")
    if row is None:
        return PlanRules()
    return PlanRules(**{f: getattr(row, f) for f in RULE_FIELDS})


# --- the borrower's side --------------------------------------------------------------------


@dataclass
class RequestContext:
    """What a borrower's request on one loan is judged against, today."""

    loan: Loan
    rules: PlanRules
    today: date
    balance: Components
    overdue: int
    days_past_due: int
    extensions_used: int
    open_request: HardshipRequest | None
    active_plan: PaymentPlan | None

    def blocking_problems(self) -> list[RuleBroken]:
        """What stops any request on this loan, whatever its terms."""
        found = []
        if self.open_request is not None:
            found.append(RuleBroken("open_request"))
        if self.active_plan is not None:
            found.append(RuleBroken("active_plan"))
        return found

    def problems(self, terms: Terms) -> list[RuleBroken]:
        return problems(
            terms,
            self.rules,
            balance=self.balance.total,
            overdue=self.overdue,
            today=self.today,
            extensions_used=self.extensions_used,
            has_open_request=self.open_request is not None,
            has_active_plan=self.active_plan is not None,
            currency=self.loan.currency,
        )

    def schedule(self, terms: Terms) -> list[Installment]:
        return schedule_for(
            terms, balance=self.balance.total, overdue=self.overdue, today=self.today
        )

    def digest(self, terms: Terms) -> str:
        """A fingerprint of the terms and the figures they were judged on: a request is sent
        only for the very schedule the borrower saw."""
        text = repr((terms, self.balance, self.overdue, self.today))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def request_context(
    borrower: Borrower, loan_id: int, now: datetime | None = None, *, lock: bool = False
) -> RequestContext | None:
    """The borrower's own loan and everything a request on it depends on; None if not theirs.

    `lock` serialises submissions for one loan (a PostgreSQL row lock).
    """
    loan = rows.owned(Loan, loan_id, borrower.id, lock=lock)
    if loan is None:
        return None
    today = clock.today_for(borrower, now)
    standing = contract_standing(loan, today)
    extensions_used = db.session.scalar(
        sa.select(sa.func.count(PaymentPlan.id)).where(
            PaymentPlan.loan_id == loan.id, PaymentPlan.kind == EXTENSION
        )
    )
    return RequestContext(
        loan=loan,
        rules=plan_rules(loan.product),
        today=today,
        balance=loan.balance,
        overdue=standing.due_now,
        days_past_due=standing.days_past_due,
        extensions_used=extensions_used,
        open_request=db.session.scalar(
            sa.select(HardshipRequest).where(HardshipRequest.open_loan_id == loan.id)
        ),
        active_plan=db.session.scalar(
            sa.select(PaymentPlan).where(PaymentPlan.active_loan_id == loan.id)
        ),
    )


@dataclass(frozen=True)
class Preview:
    """The exact schedule a borrower's terms give, and the digest a submission must carry."""

    terms: Terms
    schedule: list[Installment]
    digest: str


def preview_request(context: RequestContext, terms: Terms) -> Preview:
    """The schedule the terms give on this loan today; RequestRefused with every rule broken."""
    found = context.problems(terms)
    if found:
        raise RequestRefused(found)
    return Preview(terms, context.schedule(terms), context.digest(terms))


def submit_request(
    borrower: Borrower,
    loan_id: int,
    terms: Terms,
    *,
    reason_code: str,
    reason_text: str,
    documents=(),
    now: datetime | None = None,
) -> HardshipRequest:
    """File a request after checking every rule again; one open request per loan. Documents
    sent with it (uploaded files) are checked first, as when they are added later."""
    now = now or clock.now()
    files = _checked_documents(documents)
    context = request_context(borrower, loan_id, now, lock=True)
    if context is None:
        raise NotFound()
    found = context.problems(terms)
    if found:
        raise RequestRefused(found)
    request = HardshipRequest(
        loan_id=context.loan.id,
        borrower_id=borrower.id,
        open_loan_id=context.loan.id,
        kind=terms.kind,
        status=lifecycle.SUBMITTED,
        extension_days=terms.extension_days,
        months=terms.months,
        down_payment_minor=terms.down_payment,
        first_due_on=terms.first_due_on,
        reason_code=reason_code,
        reason_text=reason_text.strip(),
        currency=context.loan.currency,
        balance_minor=context.balance.total,
        overdue_minor=context.overdue,
        decision_due_at=now + timedelta(days=context.rules.decision_due_days),
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError as error:
        # Another submission for the same loan won the race.
        raise RequestRefused([RuleBroken("open_request")]) from error
    audit.record(
        "request.submitted",
        subject_type="hardship_request",
        subject_id=request.id,
        borrower_id=borrower.id,
        details={"kind": terms.kind},
    )
    notices.request_received(request)
    if files:
        _store_documents(borrower, request, files)
    db.session.flush()
    return request


def borrower_requests(borrower: Borrower) -> list[HardshipRequest]:
    return list(
        db.session.scalars(
            sa.select(HardshipRequest)
            .where(HardshipRequest.borrower_id == borrower.id)
            .order_by(HardshipRequest.created_at.desc(), HardshipRequest.id.desc())
        )
    )


@dataclass(frozen=True)
class Offer:
    """The terms on offer to the borrower, their schedule, and the figures they cover."""

    terms: Terms
    schedule: list[Installment]
    context: RequestContext


def offer_on(borrower: Borrower, request: HardshipRequest) -> Offer | None:
    """The offer waiting for the borrower's answer on their request, if there is one."""
    if lifecycle.ACCEPT not in lifecycle.allowed_actions(request.status, actor=lifecycle.BORROWER):
        return None
    context = request_context(borrower, request.loan_id)
    terms = request.offered
    return Offer(terms, context.schedule(terms), context)


def _borrowers_locked(borrower: Borrower, request_id: int) -> HardshipRequest:
    """The borrower's own request, locked for the change; NotFound for anyone else's."""
    request = rows.owned(HardshipRequest, request_id, borrower.id, lock=True)
    if request is None:
        raise NotFound()
    return request


def _close(request: HardshipRequest, status: str, now: datetime) -> None:
    request.status = status
    request.open_loan_id = None
    request.closed_at = now


def withdraw(borrower: Borrower, request_id: int, now: datetime | None = None) -> None:
    """The borrower takes back a request that is still open."""
    request = _borrowers_locked(borrower, request_id)
    status = lifecycle.transition(request.status, lifecycle.WITHDRAW, actor=lifecycle.BORROWER)
    _close(request, status, now or clock.now())
    audit.record(
        "request.withdrawn",
        subject_type="hardship_request",
        subject_id=request.id,
        borrower_id=borrower.id,
    )


def accept_offer(
    borrower: Borrower, user_id: int, request_id: int, now: datetime | None = None
) -> PaymentPlan:
    """Record the borrower's acceptance of the offered terms and start the plan."""
    now = now or clock.now()
    request = _borrowers_locked(borrower, request_id)
    status = lifecycle.transition(request.status, lifecycle.ACCEPT, actor=lifecycle.BORROWER)
    if request.offer_expires_at and request.offer_expires_at <= now:
        raise NotAllowed("offer_expired")
    context = request_context(borrower, request.loan_id, now)
    terms = request.offered
    if terms.first_due_on is not None and terms.first_due_on <= context.today:
        raise NotAllowed("first_due_passed")
    schedule = context.schedule(terms)
    plan = PaymentPlan(
        loan_id=request.loan_id,
        request_id=request.id,
        active_loan_id=request.loan_id,
        kind=request.kind,
        status="active",
        principal_minor=context.balance.principal,
        interest_minor=context.balance.interest,
        fee_minor=context.balance.fee,
        stop_interest=context.rules.stop_interest,
        grace_days=context.rules.grace_days,
        days_past_due_at_start=context.days_past_due,
        accepted_at=now,
        accepted_by_id=user_id,
    )
    db.session.add(plan)
    db.session.flush()
    for item in schedule:
        db.session.add(
            PlanInstallment(
                plan_id=plan.id, number=item.number, due_on=item.due_on, amount_minor=item.amount
            )
        )
    _close(request, status, now)
    audit.record(
        "request.offer_accepted",
        subject_type="hardship_request",
        subject_id=request.id,
        borrower_id=borrower.id,
        details={"plan_id": plan.id, "terms_total": sum(i.amount for i in schedule)},
    )
    notices.plan_accepted(plan, schedule)
    db.session.flush()
    return plan


def decline_offer(borrower: Borrower, request_id: int, now: datetime | None = None) -> None:
    request = _borrowers_locked(borrower, request_id)
    status = lifecycle.transition(request.status, lifecycle.DECLINE, actor=lifecycle.BORROWER)
    _close(request, status, now or clock.now())
    audit.record(
        "request.offer_declined",
        subject_type="hardship_request",
        subject_id=request.id,
        borrower_id=borrower.id,
    )


# --- the approver's side --------------------------------------------------------------------


def _is_own_request(approver, request: HardshipRequest) -> bool:
    email = request.borrower.email
    return bool(approver.email and email and approver.email.lower() == email)


def decide(
    request_id: int,
    approver,
    action: str,
    *,
    reason_code: str | None = None,
    note: str = "",
    counter: Terms | None = None,
    now: datetime | None = None,
) -> HardshipRequest:
    """Approve, reject or counter-offer; a large request's approval needs a second approver."""
    now = now or clock.now()
    request = rows.locked(HardshipRequest, request_id)
    if request is None:
        raise NotFound()
    if _is_own_request(approver, request):
        raise NotAllowed("own_request")
    rules = plan_rules(request.loan.product)
    action = lifecycle.approver_action(request.status, action)
    status = lifecycle.transition(
        request.status,
        action,
        actor=lifecycle.APPROVER,
        needs_second_approval=request.balance_minor > rules.second_approval_above_minor,
        first_approver=approver.id == request.first_approver_id,
    )
    offer = _decided_offer(request, action, reason_code=reason_code, counter=counter, now=now)
    try:
        # A decision's step is unique per request: of two approvers deciding at once, one wins.
        with db.session.begin_nested():
            _record_decision(
                request, approver, action, status, offer, reason_code, note, rules, now
            )
    except IntegrityError as error:
        raise NotAllowed("already_decided") from error
    audit.record(
        f"request.{action}",
        subject_type="hardship_request",
        subject_id=request.id,
        borrower_id=request.borrower_id,
        details={"reason_code": reason_code, "note": (note or "")[:200]},
    )
    notices.request_decided(request, action)
    return request


def preview_decision(
    request_id: int,
    approver,
    action: str,
    *,
    counter: Terms | None = None,
    now: datetime | None = None,
) -> list[Installment]:
    """Check a decision exactly as `decide` would, without making it, and return the schedule
    it would offer: what an approver confirms. Refusals are raised as by `decide`."""
    savepoint = db.session.begin_nested()
    try:
        request = decide(request_id, approver, action, counter=counter, now=now)
        return schedule_of(request, counter or request.requested, now)
    finally:
        savepoint.rollback()


def _decided_offer(
    request: HardshipRequest,
    action: str,
    *,
    reason_code: str | None,
    counter: Terms | None,
    now: datetime,
) -> Terms | None:
    """The terms a decision offers (None for a rejection), once what it needs is checked."""
    if action == lifecycle.REJECT:
        if reason_code not in REJECT_REASONS:
            raise DomainError("reason_required", "reason_code")
        return None
    if action == lifecycle.COUNTER:
        found = _approver_context(request, now).problems(counter)
        if counter.kind != request.kind:
            found.append(RuleBroken("unknown_kind"))
        if found:
            raise RequestRefused(found)
        return counter
    return request.requested if action == lifecycle.APPROVE else request.offered


def _record_decision(
    request: HardshipRequest,
    approver,
    action: str,
    status: str,
    offer: Terms | None,
    reason_code: str | None,
    note: str,
    rules: PlanRules,
    now: datetime,
) -> None:
    """Write a decision: the request's new status and offer (none for a rejection), and the
    decision itself."""
    step = len(request.decisions) + 1
    if offer is None:
        request.reject_reason_code = reason_code
        _close(request, status, now)
    else:
        request.offer_extension_days = offer.extension_days
        request.offer_months = offer.months
        request.offer_down_payment_minor = offer.down_payment
        request.offer_first_due_on = offer.first_due_on
        if action == lifecycle.COUNTER:
            request.offer_is_counter = True
        request.status = status
        if status == lifecycle.SECOND_APPROVAL:
            request.first_approver_id = approver.id
        else:
            request.offer_expires_at = now + timedelta(days=rules.offer_valid_days)
    request.decided_at = now
    db.session.add(
        RequestDecision(
            request_id=request.id,
            step=step,
            approver_id=approver.id,
            action=action,
            reason_code=reason_code,
            note=(note or "").strip()[:1000],
            created_at=now,
        )
    )


def _approver_context(request: HardshipRequest, now: datetime) -> RequestContext:
    context = request_context(request.borrower, request.loan_id, now)
    context.open_request = None
    return context


# --- what time decides ------------------------------------------------------------------------


def apply_time(now: datetime | None = None) -> dict[str, int]:
    """Flag late decisions and lapse stale offers. Idempotent. (Plans are completed or broken by
    the account model: account.service.settle_plans.)

    Flushes only: the tick command commits.
    """
    now = now or clock.now()
    counts = {
        "flagged": _flag_late_decisions(now),
        "lapsed": _lapse_stale_offers(now),
    }
    db.session.flush()
    return counts


def _flag_late_decisions(now: datetime) -> int:
    """Mark requests still waiting for an approver after their decision deadline."""
    late = db.session.scalars(
        sa.select(HardshipRequest).where(
            HardshipRequest.status.in_(lifecycle.WAITING),
            HardshipRequest.decision_due_at <= now,
            HardshipRequest.decision_overdue_at.is_(None),
        )
    ).all()
    for request in late:
        request.decision_overdue_at = now
        audit.record(
            "request.decision_overdue",
            subject_type="hardship_request",
            subject_id=request.id,
            borrower_id=request.borrower_id,
        )
    return len(late)


def _lapse_stale_offers(now: datetime) -> int:
    """Close offers the borrower did not answer in time."""
    # Locked, so that an offer accepted at this very moment is not lapsed after all.
    stale = db.session.scalars(
        sa.select(HardshipRequest)
        .where(HardshipRequest.status == lifecycle.OFFERED, HardshipRequest.offer_expires_at <= now)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for request in stale:
        status = lifecycle.transition(request.status, lifecycle.LAPSE, actor=lifecycle.TIME)
        _close(request, status, now)
        audit.record(
            "request.offer_lapsed",
            subject_type="hardship_request",
            subject_id=request.id,
            borrower_id=request.borrower_id,
        )
    return len(stale)


def complete_plan(plan: PaymentPlan, now: datetime) -> None:
    """End a plan whose installments are all paid."""
    plan.status, plan.active_loan_id, plan.ended_at = "completed", None, now
    audit.record(
        "plan.completed",
        subject_type="payment_plan",
        subject_id=plan.id,
        borrower_id=plan.loan.borrower_id,
    )


def break_plan(plan: PaymentPlan, now: datetime, *, held_days: int, installment: int) -> None:
    """End a plan with an installment unpaid past grace: collection resumes from where it
    stood, so the `held_days` the plan held escalation are kept off the stage ladder."""
    plan.status, plan.active_loan_id, plan.ended_at = "broken", None, now
    plan.loan.held_days += held_days
    audit.record(
        "plan.broken",
        subject_type="payment_plan",
        subject_id=plan.id,
        borrower_id=plan.loan.borrower_id,
        details={"installment": installment, "held_days": held_days},
    )
    notices.plan_broken(plan)


# --- supporting documents ---------------------------------------------------------------------

MAX_DOCUMENTS = 5


def request_documents(request_id: int) -> list[UploadedFile]:
    return list(
        db.session.scalars(
            sa.select(UploadedFile)
            .where(
                UploadedFile.subject_type == "hardship_request",
                UploadedFile.subject_id == request_id,
            )
            .order_by(UploadedFile.id)
        )
    )


def add_documents(borrower: Borrower, request_id: int, uploads) -> None:
    """Check the uploaded files and attach them to an open request of the borrower (at most
    5 in all)."""
    files = _checked_documents(uploads)
    if not files:
        raise DomainError("no_files", "documents")
    request = _borrowers_locked(borrower, request_id)
    lifecycle.transition(request.status, lifecycle.ADD_DOCUMENTS, actor=lifecycle.BORROWER)
    if len(request_documents(request.id)) + len(files) > MAX_DOCUMENTS:
        raise DomainError("too_many", "documents")
    _store_documents(borrower, request, files)


def _checked_documents(uploads) -> list[CheckedFile]:
    try:
        return check_files(uploads)
    except UploadRefused as error:
        raise DocumentsRefused(error.code, "documents", name=error.name) from error


def _store_documents(
    borrower: Borrower, request: HardshipRequest, files: list[CheckedFile]
) -> None:
    attach(borrower.id, "hardship_request", request.id, files)
    audit.record(
        "request.documents_added",
        subject_type="hardship_request",
        subject_id=request.id,
        borrower_id=borrower.id,
        details={"count": len(files)},
    )
    db.session.flush()


# --- the approver queue ---------------------------------------------------------------------

QUEUE_STATES = {
    "waiting": lifecycle.WAITING,
    "second": (lifecycle.SECOND_APPROVAL,),
    "offered": (lifecycle.OFFERED,),
    "closed": lifecycle.CLOSED,
}
QUEUE_SORTS = {
    "oldest": (HardshipRequest.created_at.asc(), HardshipRequest.id.asc()),
    "newest": (HardshipRequest.created_at.desc(), HardshipRequest.id.desc()),
    "largest": (HardshipRequest.balance_minor.desc(), HardshipRequest.id.asc()),
    "smallest": (HardshipRequest.balance_minor.asc(), HardshipRequest.id.asc()),
}


def approver_queue(
    *,
    state: str = "waiting",
    kind: str = "",
    late_only: bool = False,
    sort: str = "oldest",
    page: int = 1,
) -> Page:
    """Requests for approvers, filtered and sorted, one page at a time (two queries)."""
    state = state if state in QUEUE_STATES else "waiting"
    kind = kind if kind in ("extension", "installment_plan") else ""
    sort = sort if sort in QUEUE_SORTS else "oldest"
    return paginate(*_approver_queue_statements(state, kind, late_only, sort), page)


@lru_cache(maxsize=64)  # a few dozen filters, each built once
def _approver_queue_statements(state: str, kind: str, late_only: bool, sort: str):
    # On the table's columns, so that the count runs as a Core statement (no ORM work).
    request = HardshipRequest.__table__.c
    conditions = [request.status.in_(QUEUE_STATES[state])]
    if kind:
        conditions.append(request.kind == kind)
    if late_only:
        conditions.append(request.decision_overdue_at.is_not(None))
    return (
        sa.select(HardshipRequest, Loan, Borrower)
        .join(Loan, HardshipRequest.loan_id == Loan.id)
        .join(Borrower, HardshipRequest.borrower_id == Borrower.id)
        .where(*conditions)
        .order_by(*QUEUE_SORTS[sort]),
        sa.select(sa.func.count(request.id)).where(*conditions),
    )


def schedule_of(
    request: HardshipRequest, terms: Terms | None = None, now=None
) -> list[Installment]:
    """The schedule the request's terms (or other terms for it) give today, as the borrower
    would be offered it: what an approver sees before deciding."""
    context = _approver_context(request, now or clock.now())
    return context.schedule(terms or request.requested) if context is not None else []


def request_for_approver(request_id: int) -> HardshipRequest | None:
    """A request with the borrower's data, for an approver; the look is audited."""
    return audit.staff_read(HardshipRequest, request_id, "staff.request_viewed", "hardship_request")


def loan_requests(loan_id: int) -> list[HardshipRequest]:
    return list(
        db.session.scalars(
            sa.select(HardshipRequest)
            .where(HardshipRequest.loan_id == loan_id)
            .order_by(HardshipRequest.created_at.desc())
        )
    )
