"""Complaints, their routing rules, and their message threads."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.complaints.lifecycle import OPEN_STATUSES, STATUSES
from portal.complaints.rules import CATEGORIES, OUTCOMES, QUEUES
from portal.extensions import db


class ComplaintRoute(db.Model):
    """Where complaints of one category go, and how urgent they are (routing as data).

    Effective-dated: a change is a new row with the time it takes effect; a complaint is routed
    by its category's newest row in force when it is filed.
    """

    __tablename__ = "complaint_routes"
    __table_args__ = (
        sa.UniqueConstraint("category", "effective_from"),
        sa.CheckConstraint(one_of("queue", QUEUES), name="queue_known"),
        sa.CheckConstraint("priority BETWEEN 1 AND 4", name="priority_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(32))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    queue: Mapped[str] = mapped_column(sa.String(16))
    priority: Mapped[int]


class Complaint(db.Model):
    """A borrower's complaint, routed to a queue with deadlines."""

    __tablename__ = "complaints"
    __table_args__ = (
        sa.CheckConstraint(one_of("category", CATEGORIES), name="category_known"),
        sa.CheckConstraint(one_of("status", STATUSES), name="status_known"),
        sa.CheckConstraint(one_of("queue", QUEUES), name="queue_known"),
        sa.CheckConstraint(
            f"outcome IS NULL OR {one_of('outcome', OUTCOMES)}", name="outcome_known"
        ),
        # The staff queue: filtered by queue/status/assignee, ordered by priority and deadline.
        sa.Index(
            "ix_complaints_queue_status_priority", "queue", "status", "priority", "response_due_at"
        ),
        sa.Index("ix_complaints_status_priority", "status", "priority", "response_due_at"),
        sa.Index("ix_complaints_assignee_status", "assigned_to_id", "status"),
        sa.Index("ix_complaints_response_due", "response_due_at"),
        sa.Index("ix_complaints_borrower_created", "borrower_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(sa.String(24), unique=True)
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"))
    loan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("loans.id"))
    contact_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_log_entries.id"))
    category: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.Text)
    desired_outcome: Mapped[str] = mapped_column(sa.String(1000), default="")
    queue: Mapped[str] = mapped_column(sa.String(16))
    priority: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default="new")
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledge_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledge_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(sa.String(24))
    relief_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    dispute_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    borrower = relationship("Borrower")
    loan = relationship("Loan")
    contact_entry = relationship("ContactLogEntry")
    assigned_to = relationship("User")
    messages: Mapped[list[ComplaintMessage]] = relationship(
        back_populates="complaint", order_by="ComplaintMessage.created_at"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def currency(self) -> str:
        """The currency of money in the complaint (its loan's; CNY without a loan)."""
        return self.loan.currency if self.loan else "CNY"


class ComplaintMessage(db.Model):
    """One entry in a complaint's thread: a reply to or from the borrower, or an internal note
    that the borrower never sees."""

    __tablename__ = "complaint_messages"
    __table_args__ = (
        sa.CheckConstraint(
            one_of("kind", ("borrower", "staff_reply", "internal_note", "resolution")),
            name="kind_known",
        ),
        sa.Index("ix_complaint_messages_thread", "complaint_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    complaint: Mapped[Complaint] = relationship(back_populates="messages")
    author = relationship("User")

    @property
    def borrower_visible(self) -> bool:
        return self.kind != "internal_note"


SENT_FORMS = ("complaint", "borrower_reply", "staff_action")


class SentForm(db.Model):
    """A complaint form that was sent: its token (one per form shown) is unique, so the same
    form sent again, twice at once or replayed, is done once; the fingerprint tells a resend
    with something changed (another file) from the same form sent twice."""

    __tablename__ = "complaint_sent_forms"
    __table_args__ = (sa.CheckConstraint(one_of("kind", SENT_FORMS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # Set in the same transaction as the form's work (a new complaint has no id before it).
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaints.id"), index=True)
    # sha256 of what was sent: the typed fields and each file's content.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
