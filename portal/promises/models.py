"""Promises to pay and the rules that limit them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.extensions import db
from portal.promises import lifecycle


class PromiseRuleSet(db.Model):
    """Limits for promises to pay (the "default" set, or one per loan product).

    Effective-dated: a change is a new row with the time it takes effect.
    """

    __tablename__ = "promise_rule_sets"
    __table_args__ = (sa.UniqueConstraint("name", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    max_days: Mapped[int]
    max_promises: Mapped[int]
    period_days: Mapped[int]


class Promise(db.Model):
    """A borrower's promise to pay an amount on a loan by a day (their local date)."""

    __tablename__ = "promises"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", lifecycle.STATUSES), name="status_known"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.Index("ix_promises_loan_made", "loan_id", "made_at"),
        sa.Index("ix_promises_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"))
    # Equal to loan_id while the promise stands, NULL after: one standing promise per loan.
    standing_loan_id: Mapped[int | None] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(sa.String(12), default=lifecycle.STANDING)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    made_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The days it held escalation, once broken (added to the loan's held days).
    held_days: Mapped[int] = mapped_column(default=0)

    loan = relationship("Loan")
