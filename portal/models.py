"""Imports every feature's models so that the metadata (and Alembic) sees all tables."""

from portal.audit import AuditEntry
from portal.auth.models import AuthFailure, LoginSession, RecoveryCode, User, VerificationToken
from portal.complaints.models import Complaint, ComplaintMessage, ComplaintRoute
from portal.corrections.models import CorrectionRequest, CorrectionSentForm
from portal.disputes.models import Dispute
from portal.holidays.models import CalendarDay
from portal.imports.models import ImportRun
from portal.loans.models import (
    Borrower,
    CollectionStage,
    ContactLogEntry,
    ContactPreference,
    ContactRuleSet,
    JournalEntry,
    Loan,
    LoanDueDate,
)
from portal.outbox.models import OutboxMessage
from portal.payments.models import Payment, StripeEvent
from portal.plans.models import (
    HardshipRequest,
    PaymentPlan,
    PlanInstallment,
    PlanRuleSet,
    RequestDecision,
)
from portal.promises.models import Promise, PromiseRuleSet
from portal.uploads import UploadedFile

__all__ = [
    "ImportRun",
    "RecoveryCode",
    "CalendarDay",
    "Payment",
    "StripeEvent",
    "Complaint",
    "ComplaintMessage",
    "ComplaintRoute",
    "HardshipRequest",
    "PaymentPlan",
    "PlanInstallment",
    "PlanRuleSet",
    "RequestDecision",
    "UploadedFile",
    "Promise",
    "Dispute",
    "CorrectionRequest",
    "CorrectionSentForm",
    "PromiseRuleSet",
    "AuditEntry",
    "AuthFailure",
    "Borrower",
    "CollectionStage",
    "ContactRuleSet",
    "ContactLogEntry",
    "ContactPreference",
    "JournalEntry",
    "Loan",
    "LoanDueDate",
    "LoginSession",
    "OutboxMessage",
    "User",
    "VerificationToken",
]
