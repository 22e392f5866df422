"""The audit log: who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.columns import UTCDateTime
from portal.extensions import db
from portal.rows import valid_id


class AuditEntry(db.Model):
    """One audited action. Never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_borrower_at", "borrower_id", "at"),
        sa.Index("ix_audit_log_actor_at", "actor_user_id", "at"),
        sa.Index("ix_audit_log_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str | None] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None]
    # Whose personal data the action touched, so a borrower's access history can be listed.
    borrower_id: Mapped[int | None] = mapped_column(sa.ForeignKey("borrowers.id"))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))


def record(
    action: str,
    *,
    subject_type: str | None = None,
    subject_id: int | None = None,
    borrower_id: int | None = None,
    actor_user_id: int | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Write an audit entry for the current actor (the logged-in user unless one is given)."""
    ip_address = None
    if has_request_context():
        ip_address = request.remote_addr
        if actor_user_id is None and current_user.is_authenticated:
            actor_user_id = current_user.id
    entry = AuditEntry(
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        borrower_id=borrower_id,
        actor_user_id=actor_user_id,
        details=details or {},
        ip_address=ip_address,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def staff_read(model, row_id, action: str, subject_type: str):
    """A row a staff member opens (anything with a borrower), or None when there is none with
    that id; the look at the borrower's data is audited."""
    row = db.session.get(model, row_id) if valid_id(row_id) else None
    if row is not None:
        record(action, subject_type=subject_type, subject_id=row.id, borrower_id=row.borrower_id)
    return row


@sa.event.listens_for(AuditEntry, "before_update")
def _audit_is_immutable(mapper, connection, target):
    raise RuntimeError("audit entries are never changed")
