"""Everything the portal holds about one borrower, gathered once for their copy of it.

The readable copy (a page in their language) and the machine-readable one (JSON) are two
renderings of the same `PersonalRecords`, so neither can leave out what the other shows. What
is not the borrower's to read stays out of both: internal notes on complaints, approvers' notes
and names, one-time codes and links in messages, other borrowers' rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.account.overview import ContactView
from portal.account.settings import preference_history
from portal.audit import AuditEntry
from portal.auth.models import LoginSession, User
from portal.complaints.models import Complaint, ComplaintMessage
from portal.disputes.models import Dispute
from portal.extensions import db
from portal.loans import service as ledger
from portal.loans.models import Borrower, ContactPreference, JournalEntry, Loan, LoanDueDate
from portal.outbox.models import OutboxMessage
from portal.payments.models import Payment
from portal.plans.models import HardshipRequest, PaymentPlan
from portal.promises.models import Promise
from portal.uploads import UploadedFile

# Messages whose body held a secret that must not be handed out again.
SECRET_MESSAGE_PURPOSES = {"activation_code", "password_reset"}
LANGUAGE_CHANGED = "account.language_changed"
OFFER_ACCEPTED = "request.offer_accepted"


@dataclass
class LoanRecords:
    """One loan with its contract schedule, journal and contact log (oldest first)."""

    loan: Loan
    due_dates: list[LoanDueDate] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    contacts: list[ContactView] = field(default_factory=list)


@dataclass
class ComplaintRecords:
    """A complaint and the part of its thread the borrower may read."""

    complaint: Complaint
    messages: list[ComplaintMessage]


@dataclass
class PersonalRecords:
    borrower: Borrower
    user: User | None
    sessions: list[LoginSession]
    loans: list[LoanRecords]
    requests: list[HardshipRequest]
    plans: list[PaymentPlan]
    payments: list[Payment]
    promises: list[Promise]
    disputes: list[Dispute]
    complaints: list[ComplaintRecords]
    documents: list[UploadedFile]
    messages: list[OutboxMessage]
    preferences: list[ContactPreference]
    # The borrower's own acts the portal recorded as such: language changes, and consents
    # (each accepted agreement); and everyone's access to their data, with the role only.
    language_changes: list[AuditEntry]
    consents: list[AuditEntry]
    access_log: list[tuple[AuditEntry, str | None]]

    def loan_number(self, loan_id: int | None) -> str | None:
        for records in self.loans:
            if records.loan.id == loan_id:
                return records.loan.loan_number
        return None

    def plan_of(self, request_id: int) -> PaymentPlan | None:
        return next((plan for plan in self.plans if plan.request_id == request_id), None)

    @staticmethod
    def message_text(message: OutboxMessage) -> str | None:
        """What a message said, or None where it held a one-time code or link."""
        return None if message.purpose in SECRET_MESSAGE_PURPOSES else message.body


def _all(statement) -> list:
    return list(db.session.scalars(statement))


def personal_records(borrower_id: int) -> PersonalRecords:
    """Everything the portal holds about one borrower (and nothing about anyone else)."""
    borrower = db.session.get(Borrower, borrower_id)
    user = db.session.scalar(sa.select(User).where(User.borrower_id == borrower_id))
    loans = _all(sa.select(Loan).where(Loan.borrower_id == borrower_id).order_by(Loan.id))
    by_loan = {loan.id: LoanRecords(loan) for loan in loans}
    loan_ids = list(by_loan)
    for row in _all(
        sa.select(LoanDueDate).where(LoanDueDate.loan_id.in_(loan_ids)).order_by(LoanDueDate.due_on)
    ):
        by_loan[row.loan_id].due_dates.append(row)
    for row in _all(
        sa.select(JournalEntry)
        .where(JournalEntry.loan_id.in_(loan_ids))
        .order_by(JournalEntry.posted_at, JournalEntry.id)
    ):
        by_loan[row.loan_id].journal.append(row)
    judged = ledger.judged_contacts(borrower_id)
    marks = ledger.judged_marks(judged, borrower)
    for contact in reversed(judged.contacts):  # oldest first, like the journal
        by_loan[contact.loan_id].contacts.append(
            ContactView(
                contact,
                marks.get(contact.id, []),
                judged.preferences.get(contact.id),
                judged.rules.in_force(contact.contacted_at),
            )
        )

    sessions, messages = [], []
    if user is not None:
        sessions = _all(
            sa.select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        )
        messages = _all(
            sa.select(OutboxMessage)
            .where(OutboxMessage.user_id == user.id)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    complaints = _all(
        sa.select(Complaint)
        .where(Complaint.borrower_id == borrower_id)
        .options(selectinload(Complaint.messages))
        .order_by(Complaint.created_at, Complaint.id)
    )
    audit_rows = db.session.execute(
        sa.select(AuditEntry, User.role)
        .outerjoin(User, AuditEntry.actor_user_id == User.id)
        .where(AuditEntry.borrower_id == borrower_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return PersonalRecords(
        borrower=borrower,
        user=user,
        sessions=sessions,
        loans=list(by_loan.values()),
        requests=_all(
            sa.select(HardshipRequest)
            .where(HardshipRequest.borrower_id == borrower_id)
            .options(selectinload(HardshipRequest.decisions))
            .order_by(HardshipRequest.created_at, HardshipRequest.id)
        ),
        plans=_all(
            sa.select(PaymentPlan)
            .where(PaymentPlan.loan_id.in_(loan_ids))
            .options(selectinload(PaymentPlan.installments))
            .order_by(PaymentPlan.accepted_at, PaymentPlan.id)
        ),
        payments=_all(
            sa.select(Payment)
            .where(Payment.borrower_id == borrower_id)
            .order_by(Payment.created_at, Payment.id)
        ),
        promises=_all(
            sa.select(Promise)
            .where(Promise.borrower_id == borrower_id)
            .order_by(Promise.made_at, Promise.id)
        ),
        disputes=_all(
            sa.select(Dispute)
            .where(Dispute.borrower_id == borrower_id)
            .order_by(Dispute.opened_at, Dispute.id)
        ),
        complaints=[
            ComplaintRecords(c, [m for m in c.messages if m.borrower_visible]) for c in complaints
        ],
        documents=_all(
            sa.select(UploadedFile)
            .where(UploadedFile.borrower_id == borrower_id)
            .order_by(UploadedFile.created_at, UploadedFile.id)
        ),
        messages=messages,
        preferences=preference_history(borrower_id),
        language_changes=[e for e, _ in audit_rows if e.action == LANGUAGE_CHANGED],
        consents=[e for e, _ in audit_rows if e.action == OFFER_ACCEPTED],
        access_log=[(e, role) for e, role in audit_rows],
    )
