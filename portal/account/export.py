"""The borrower's copy of everything the portal holds on them (access and copy rights)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from portal import audit
from portal.account.settings import preference_history, preferences_record
from portal.audit import AuditEntry
from portal.auth.models import LoginSession, User
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.loans.models import Borrower, ContactLogEntry, JournalEntry, Loan, LoanDueDate
from portal.outbox.models import OutboxMessage

# Messages whose body held a secret that must not be handed out again.
SECRET_MESSAGE_PURPOSES = {"activation_code", "password_reset"}


def personal_data_export(borrower_id: int) -> dict:
    """Everything the portal holds about one borrower, as plain JSON-ready data."""

    def when(value):
        return value.isoformat() if value is not None else None

    borrower = db.session.get(Borrower, borrower_id)
    user = db.session.scalar(sa.select(User).where(User.borrower_id == borrower_id))
    loans = db.session.scalars(
        sa.select(Loan).where(Loan.borrower_id == borrower_id).order_by(Loan.id)
    ).all()
    loan_ids = [loan.id for loan in loans]
    due = db.session.scalars(
        sa.select(LoanDueDate).where(LoanDueDate.loan_id.in_(loan_ids)).order_by(LoanDueDate.due_on)
    ).all()
    journal = db.session.scalars(
        sa.select(JournalEntry)
        .where(JournalEntry.loan_id.in_(loan_ids))
        .order_by(JournalEntry.posted_at, JournalEntry.id)
    ).all()
    contacts = db.session.scalars(
        sa.select(ContactLogEntry)
        .where(ContactLogEntry.loan_id.in_(loan_ids))
        .order_by(ContactLogEntry.contacted_at, ContactLogEntry.id)
    ).all()
    sessions = messages = []
    if user is not None:
        sessions = db.session.scalars(
            sa.select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        ).all()
        messages = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.user_id == user.id)
            .order_by(OutboxMessage.id)
        ).all()
    audit_rows = db.session.execute(
        sa.select(AuditEntry, User.role)
        .outerjoin(User, AuditEntry.actor_user_id == User.id)
        .where(AuditEntry.borrower_id == borrower_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()

    return {
        "borrower": {
            "customer_reference": borrower.customer_ref,
            "name": borrower.full_name,
            "id_number_last_4": borrower.id_last4,
            "mobile_number": borrower.phone,
            "email": borrower.email,
            "address": borrower.address,
            "preferred_language": borrower.preferred_language,
            "time_zone": borrower.time_zone,
            "received_from_lender_at": when(borrower.created_at),
        },
        "account": None
        if user is None
        else {
            "activated_at": when(user.activated_at),
            "last_login_at": when(user.last_login_at),
            "password_changed_at": when(user.password_changed_at),
            "login_sessions": [
                {
                    "started_at": when(s.created_at),
                    "last_seen_at": when(s.last_seen_at),
                    "ended_at": when(s.revoked_at),
                    "ip_address": s.ip_address,
                    "browser": s.user_agent,
                }
                for s in sessions
            ],
        },
        "loans": [
            {
                "loan_number": loan.loan_number,
                "product": loan.product,
                "currency": loan.currency,
                "status": loan.status,
                "opened_on": loan.opened_on.isoformat(),
                "balance_minor_units": {
                    "principal": loan.principal_minor,
                    "interest": loan.interest_minor,
                    "fees": loan.fee_minor,
                },
                "due_dates": [
                    {
                        "due_on": d.due_on.isoformat(),
                        "principal": d.principal_minor,
                        "interest": d.interest_minor,
                    }
                    for d in due
                    if d.loan_id == loan.id
                ],
                "journal": [
                    {
                        "kind": e.kind,
                        "posted_at": when(e.posted_at),
                        "principal": e.principal_minor,
                        "interest": e.interest_minor,
                        "fees": e.fee_minor,
                        "reference": e.reference,
                        "description": e.description,
                    }
                    for e in journal
                    if e.loan_id == loan.id
                ],
                "contact_log": [
                    {
                        "contacted_at": when(c.contacted_at),
                        "channel": c.channel,
                        "party": c.party,
                        "agent": c.agent,
                        "outcome": c.outcome,
                        "note": c.note,
                    }
                    for c in contacts
                    if c.loan_id == loan.id
                ],
            }
            for loan in loans
        ],
        "messages_sent_to_you": [
            {
                "created_at": when(m.created_at),
                "channel": m.channel,
                "to": m.recipient,
                "subject": m.subject,
                "status": m.status,
                "text": "(one-time code or link removed)"
                if m.purpose in SECRET_MESSAGE_PURPOSES
                else m.body,
            }
            for m in messages
        ],
        "complaints": _complaints(borrower_id, when),
        "correction_requests": _corrections(borrower_id, when),
        # Every version, oldest first: each was in force from its set_at until the next.
        "contact_preferences": [preferences_record(row) for row in preference_history(borrower_id)],
        "record_of_access_and_changes": [
            {"at": when(entry.at), "action": entry.action, "by": role or "system"}
            for entry, role in audit_rows
        ],
    }


def _complaints(borrower_id: int, when) -> list[dict]:
    """The borrower's complaints and the messages they can see (never internal notes)."""
    from sqlalchemy.orm import selectinload

    rows = db.session.scalars(
        sa.select(Complaint)
        .where(Complaint.borrower_id == borrower_id)
        .options(selectinload(Complaint.messages))
        .order_by(Complaint.id)
    ).all()
    return [
        {
            "reference": c.reference,
            "filed_at": when(c.created_at),
            "category": c.category,
            "status": c.status,
            "description": c.description,
            "desired_outcome": c.desired_outcome,
            "outcome": c.outcome,
            "messages": [
                {
                    "at": when(m.created_at),
                    "from": "you" if m.kind == "borrower" else "support",
                    "text": m.body,
                }
                for m in c.messages
                if m.borrower_visible
            ],
        }
        for c in rows
    ]


def _corrections(borrower_id: int, when) -> list[dict]:
    """The borrower's requests to correct their data, and the answers."""
    from portal.corrections.models import CorrectionRequest

    rows = db.session.scalars(
        sa.select(CorrectionRequest)
        .where(CorrectionRequest.borrower_id == borrower_id)
        .order_by(CorrectionRequest.id)
    ).all()
    return [
        {
            "item": c.field,
            "held_when_asked": c.current_value,
            "asked_for": c.requested_value,
            "explanation": c.explanation,
            "asked_at": when(c.opened_at),
            "answer_due_at": when(c.due_at),
            "status": c.status,
            "answered_at": when(c.answered_at),
            "answer": c.answer,
        }
        for c in rows
    ]


def download_personal_data(borrower_id: int) -> str:
    """The borrower's export as the JSON document they download; the download is audited."""
    data = personal_data_export(borrower_id)
    audit.record(
        "borrower.data_exported",
        subject_type="borrower",
        subject_id=borrower_id,
        borrower_id=borrower_id,
    )
    return json.dumps(data, ensure_ascii=False, indent=2)
