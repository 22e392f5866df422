"""Disputes of a loan or one of its journal entries."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.disputes import lifecycle
from portal.extensions import db


class Dispute(db.Model):
    """A borrower's dispute of a debt or an amount, and the lender's answer."""

    __tablename__ = "disputes"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", lifecycle.STATUSES), name="status_known"),
        sa.CheckConstraint(one_of("kind", lifecycle.KINDS), name="kind_known"),
        sa.Index("ix_disputes_status_due", "status", "due_at"),
        sa.Index("ix_disputes_borrower_opened", "borrower_id", "opened_at"),
        sa.Index("ix_disputes_loan", "loan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"))
    # The journal entry disputed, or NULL for the whole loan.
    journal_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id"))
    # Equal to loan_id while the dispute is open, NULL after: one open dispute per loan.
    open_loan_id: Mapped[int | None] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(12), default=lifecycle.OPEN)
    statement: Mapped[str] = mapped_column(sa.String(4000))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The borrower's date when it was opened: the hold's days count from here.
    opened_on: Mapped[date] = mapped_column(sa.Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(sa.String(4000))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    held_days: Mapped[int] = mapped_column(default=0)

    loan = relationship("Loan")
    borrower = relationship("Borrower")
    journal_entry = relationship("JournalEntry")

    @property
    def is_open(self) -> bool:
        return self.status == lifecycle.OPEN
