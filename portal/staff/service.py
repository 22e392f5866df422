"""What the staff home pages show, and the audit of staff looking at borrowers."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import audit, clock
from portal.auth.models import User
from portal.auth.service import normalize_loan_number, normalize_phone
from portal.extensions import db
from portal.imports.models import ImportRun
from portal.loans.models import Borrower, CollectionStage, Loan
from portal.outbox.models import OutboxMessage
from portal.security import STAFF_ROLES


@dataclass
class AdminOverview:
    staff: list[User]
    stages: list[CollectionStage]
    outbox_counts: dict[str, int]
    imports: list[ImportRun]


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
    return AdminOverview(list(staff), list(stages), counts, list(imports))


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


def view_borrower(borrower_id: int) -> Borrower | None:
    """Load a borrower for a staff page and record that staff looked."""
    borrower = db.session.scalar(
        sa.select(Borrower).where(Borrower.id == borrower_id).options(selectinload(Borrower.loans))
    )
    if borrower is not None:
        audit.record(
            "staff.borrower_viewed",
            subject_type="borrower",
            subject_id=borrower.id,
            borrower_id=borrower.id,
        )
    return borrower
