"""Correction requests and the forms sent once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.corrections import lifecycle
from portal.extensions import db


class CorrectionRequest(db.Model):
    """A borrower's request to correct one item of their personal data, and its answer."""

    __tablename__ = "correction_requests"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", lifecycle.STATUSES), name="status_known"),
        sa.CheckConstraint(one_of("field", lifecycle.FIELDS), name="field_known"),
        sa.Index("ix_correction_requests_status_due", "status", "due_at"),
        sa.Index("ix_correction_requests_borrower_opened", "borrower_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"))
    field: Mapped[str] = mapped_column(sa.String(16))
    # "<borrower id>:<field>" while the request is open, NULL after: one open request per item.
    open_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    status: Mapped[str] = mapped_column(sa.String(12), default=lifecycle.OPEN)
    # The value held when the borrower asked, and the value they asked for.
    current_value: Mapped[str | None] = mapped_column(sa.String(500))
    requested_value: Mapped[str] = mapped_column(sa.String(500))
    explanation: Mapped[str] = mapped_column(sa.String(2000), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once by the `tick` when the deadline passed with the request still open.
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The answer: accepted or refused, by whom, when, and what the borrower is told.
    answer: Mapped[str] = mapped_column(sa.String(2000), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    borrower = relationship("Borrower")
    answered_by = relationship("User")

    @property
    def is_open(self) -> bool:
        return self.status == lifecycle.OPEN


SENT_FORMS = ("request", "accept", "refuse")


class CorrectionSentForm(db.Model):
    """A correction form that was sent: its token (one per form shown) is unique, so the same
    form sent again, twice at once or replayed, is done once (as complaint forms are)."""

    __tablename__ = "correction_sent_forms"
    __table_args__ = (sa.CheckConstraint(one_of("kind", SENT_FORMS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    correction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("correction_requests.id"), index=True
    )
    # sha256 of what was sent: the typed fields and each file's content.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
