"""Disputes: the borrower disputes a loan or one of its entries with evidence; support staff
answer with the lender's evidence.

Escalation is held while a dispute is open: the account model (account/service.py) reads the
open dispute of each loan as a Hold with no end. Flushes only; never commits.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from portal import audit, clock, notices
from portal.disputes import lifecycle
from portal.disputes.models import Dispute
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.loans.models import Borrower, JournalEntry, Loan
from portal.rows import locked, owned, valid_id
from portal.uploads import CheckedFile, UploadedFile, attach

SUBJECT = "dispute"
# The lender's evidence, attached to the answer.
ANSWER_SUBJECT = "dispute_answer"


class DisputeRefused(DomainError):
    """The dispute cannot be filed or answered; `code` says why."""


def disputed_entry(borrower: Borrower, loan_id: int, entry_id) -> tuple[Loan, JournalEntry | None]:
    """The borrower's loan and, if one is named, its journal entry; NotFound for anything not
    theirs."""
    loan = owned(Loan, loan_id, borrower.id)
    if loan is None:
        raise NotFound()
    if entry_id is None:
        return loan, None
    entry = db.session.get(JournalEntry, entry_id) if valid_id(entry_id) else None
    if entry is None or entry.loan_id != loan.id:
        raise NotFound()
    return loan, entry


def open_dispute(
    borrower: Borrower,
    loan_id: int,
    *,
    kind: str,
    statement: str,
    files: list[CheckedFile],
    entry_id: int | None = None,
    now: datetime | None = None,
) -> Dispute:
    """File a dispute; escalation on the loan is held until the lender answers."""
    now = now or clock.now()
    loan, entry = disputed_entry(borrower, loan_id, entry_id)
    if kind not in lifecycle.KINDS:
        raise DisputeRefused("kind", field="kind")
    already = db.session.scalar(sa.select(Dispute.id).where(Dispute.open_loan_id == loan.id))
    if already is not None:
        raise DisputeRefused("already_open", dispute_id=already)
    dispute = Dispute(
        loan_id=loan.id,
        borrower_id=borrower.id,
        journal_entry_id=entry.id if entry is not None else None,
        open_loan_id=loan.id,
        kind=kind,
        statement=statement.strip(),
        opened_at=now,
        opened_on=clock.today_for(borrower, now),
        due_at=lifecycle.answer_due(now),
    )
    db.session.add(dispute)
    db.session.flush()
    attach(borrower.id, SUBJECT, dispute.id, files)
    audit.record(
        "dispute.opened",
        subject_type=SUBJECT,
        subject_id=dispute.id,
        borrower_id=borrower.id,
        details={"kind": kind, "loan_id": loan.id, "entry_id": dispute.journal_entry_id},
    )
    notices.dispute_received(dispute)
    db.session.flush()
    return dispute


def evidence(dispute_id: int, subject_type: str = SUBJECT) -> list[UploadedFile]:
    """The borrower's evidence (or, with ANSWER_SUBJECT, the lender's), oldest first."""
    return list(
        db.session.scalars(
            sa.select(UploadedFile)
            .where(UploadedFile.subject_type == subject_type, UploadedFile.subject_id == dispute_id)
            .order_by(UploadedFile.id)
        )
    )


def borrower_disputes(borrower: Borrower) -> list[Dispute]:
    """Every dispute of the borrower, newest first."""
    return list(
        db.session.scalars(
            sa.select(Dispute)
            .where(Dispute.borrower_id == borrower.id)
            .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
        )
    )


# --- staff --------------------------------------------------------------------------------------


def open_disputes() -> list[Dispute]:
    """The disputes waiting for an answer, the earliest deadline first."""
    return list(
        db.session.scalars(
            sa.select(Dispute)
            .where(Dispute.status == lifecycle.OPEN)
            .order_by(Dispute.due_at, Dispute.id)
        )
    )


def dispute_for_staff(dispute_id: int) -> Dispute | None:
    """A dispute for support staff (audited: it shows the borrower's data)."""
    return audit.staff_read(Dispute, dispute_id, "staff.dispute_viewed", SUBJECT)


def answer_dispute(
    dispute_id: int, staff_user, *, answer: str, files: list[CheckedFile], now=None
) -> Dispute:
    """Answer a dispute with the lender's evidence; the hold ends and its days count as held,
    so escalation resumes from where it stood."""
    now = now or clock.now()
    dispute = locked(Dispute, dispute_id)
    if dispute is None:
        raise NotFound()
    if not answer.strip():
        raise DisputeRefused("answer_missing", field="answer")
    dispute.status = lifecycle.transition(dispute.status, lifecycle.ANSWER)
    today = clock.today_for(dispute.borrower, now)
    dispute.held_days = max((today - dispute.opened_on).days, 0)
    dispute.loan.held_days += dispute.held_days
    dispute.open_loan_id = None
    dispute.answer, dispute.answered_at, dispute.answered_by_id = answer.strip(), now, staff_user.id
    attach(dispute.borrower_id, ANSWER_SUBJECT, dispute.id, files)
    audit.record(
        "dispute.answered",
        subject_type=SUBJECT,
        subject_id=dispute.id,
        borrower_id=dispute.borrower_id,
        details={"held_days": dispute.held_days, "files": len(files)},
    )
    notices.dispute_answered(dispute)
    db.session.flush()
    return dispute
