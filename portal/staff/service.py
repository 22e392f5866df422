"""What the staff home pages show, and the audit of staff looking at borrowers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import audit, clock
from portal.account.service import Account, accounts
from portal.auth.models import User
from portal.auth.service import normalize_loan_number, normalize_phone
from portal.complaints import lifecycle as complaint_lifecycle
from portal.complaints.models import Complaint
from portal.disputes import lifecycle as dispute_lifecycle
from portal.disputes.models import Dispute
from portal.extensions import db
from portal.imports.models import ImportRun
from portal.loans.models import Borrower, CollectionStage, Loan
from portal.outbox.models import OutboxMessage
from portal.payments.models import Payment
from portal.plans import lifecycle as plan_lifecycle
from portal.plans.models import HardshipRequest
from portal.security import STAFF_ROLES


@dataclass(frozen=True)
class NumbersToWatch:
    open_complaints: int
    complaints_past_deadline: int  # an answer or an acknowledgement not given in time
    waiting_requests: int
    requests_past_deadline: int
    open_disputes: int
    disputes_past_deadline: int

    @property
    def past_deadline(self) -> int:
        return (
            self.complaints_past_deadline
            + self.requests_past_deadline
            + self.disputes_past_deadline
        )


@dataclass
class AdminOverview:
    staff: list[User]
    stages: list[CollectionStage]
    outbox_counts: dict[str, int]
    imports: list[ImportRun]
    watch: NumbersToWatch


def _count(model, *conditions):
    return sa.select(sa.func.count(model.id)).where(*conditions).scalar_subquery()


def numbers_to_watch(now: datetime | None = None) -> NumbersToWatch:
    """What is open and what is late across the queues, in one statement."""
    now = now or clock.now()
    open_complaint = Complaint.status.in_(complaint_lifecycle.OPEN_STATUSES)
    complaint_late = sa.or_(
        Complaint.response_due_at < now,
        sa.and_(Complaint.acknowledged_at.is_(None), Complaint.acknowledge_due_at < now),
    )
    waiting = HardshipRequest.status.in_(plan_lifecycle.WAITING)
    open_dispute = Dispute.status == dispute_lifecycle.OPEN
    row = db.session.execute(
        sa.select(
            _count(Complaint, open_complaint),
            _count(Complaint, open_complaint, complaint_late),
            _count(HardshipRequest, waiting),
            _count(HardshipRequest, waiting, HardshipRequest.decision_due_at < now),
            _count(Dispute, open_dispute),
            _count(Dispute, open_dispute, Dispute.due_at < now),
        )
    ).one()
    return NumbersToWatch(*row)


def admin_overview() -> AdminOverview:
    staff = db.session.scalars(
        sa.select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.role, User.email)
    ).all()
    stages = db.session.scalars(
        sa.select(CollectionStage)
        .where(CollectionStage.effective_from <= clock.now())
        .order_by(CollectionStage.ladder, CollectionStage.position)
    ).all()
    # Each ladder's version in force (scheduled and replaced versions are on the ladder page).
    in_force: dict[str, object] = {}
    for stage in stages:
        in_force[stage.ladder] = max(
            in_force.get(stage.ladder, stage.effective_from), stage.effective_from
        )
    stages = [stage for stage in stages if stage.effective_from == in_force[stage.ladder]]
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    imports = db.session.scalars(
        sa.select(ImportRun).order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(10)
    ).all()
    return AdminOverview(list(staff), list(stages), counts, list(imports), numbers_to_watch())


def find_borrowers(query: str, limit: int = 20) -> list[Borrower]:
    """Borrowers whose loan number, customer reference or phone is exactly the query."""
    matches = (
        sa.select(Borrower)
        .outerjoin(Loan, Loan.borrower_id == Borrower.id)
        .where(
            sa.or_(
                Loan.loan_number == normalize_loan_number(query),
                Borrower.customer_ref == query.strip(),
                Borrower.phone == normalize_phone(query),
            )
        )
        .options(selectinload(Borrower.loans))
        .distinct()
        .order_by(Borrower.id)
        .limit(limit)
    )
    found = list(db.session.scalars(matches))
    audit.record(
        "staff.borrower_search",
        details={"query_length": len(query), "results": [b.id for b in found]},
    )
    return found


@dataclass
class BorrowerRecord:
    """What staff see of one borrower: the loans with their standing, and every request,
    payment and complaint, newest first."""

    borrower: Borrower
    accounts: list[Account]
    requests: list[HardshipRequest]
    payments: list[Payment]
    complaints: list[Complaint]

    @property
    def loans(self) -> dict[int, Loan]:
        return {found.loan.id: found.loan for found in self.accounts}


def _newest_first(model, borrower_id: int) -> list:
    return list(
        db.session.scalars(
            sa.select(model)
            .where(model.borrower_id == borrower_id)
            .order_by(model.created_at.desc(), model.id.desc())
        )
    )


def view_borrower(borrower_id: int) -> BorrowerRecord | None:
    """Load a borrower's record for a staff page and record that staff looked."""
    borrower = db.session.get(Borrower, borrower_id)
    if borrower is None:
        return None
    audit.record(
        "staff.borrower_viewed",
        subject_type="borrower",
        subject_id=borrower.id,
        borrower_id=borrower.id,
    )
    return BorrowerRecord(
        borrower=borrower,
        accounts=accounts(borrower),
        requests=_newest_first(HardshipRequest, borrower.id),
        payments=_newest_first(Payment, borrower.id),
        complaints=_newest_first(Complaint, borrower.id),
    )
