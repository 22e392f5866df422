"""Borrowers, loans, the balance journal, the stage ladder and the collection contact log."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.extensions import db
from portal.loans.journal import Components

JOURNAL_KINDS = ("charge", "payment", "waiver", "adjustment", "reversal")
CONTACT_CHANNELS = ("sms", "email", "push", "call", "visit", "letter", "legal")
CONTACT_PARTIES = ("borrower", "emergency_contact", "family", "employer", "other_third_party")
CONTACT_OUTCOMES = (
    "answered",
    "unanswered",
    "delivered",
    "failed",
    "left_message",
    "promise_to_pay",
    "refused",
)
LOAN_STATUSES = ("active", "closed", "charged_off")


class Borrower(db.Model):
    """A customer of the lender, as imported from the lending system."""

    __tablename__ = "borrowers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # Only the last four characters of the national ID number are ever held.
    id_last4: Mapped[str] = mapped_column(sa.String(4))
    phone: Mapped[str] = mapped_column(sa.String(32), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    # The postal address: set by an accepted correction (the lender's import has none).
    address: Mapped[str | None] = mapped_column(sa.String(500))
    preferred_language: Mapped[str] = mapped_column(sa.String(8), default="zh_Hans")
    # When the person first chose their language in the portal (None: never; then the lender's
    # import, or their browser, may still set it).
    language_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_zone: Mapped[str] = mapped_column(sa.String(64), default=clock.DEFAULT_BUSINESS_TIME_ZONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now
    )

    user = relationship("User", back_populates="borrower", uselist=False)
    loans: Mapped[list[Loan]] = relationship(back_populates="borrower", order_by="Loan.id")


class Loan(db.Model):
    """A loan held by the lending system; the balance columns are the sum of its journal."""

    __tablename__ = "loans"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", LOAN_STATUSES), name="status_known"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"), index=True)
    loan_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    product: Mapped[str] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    opened_on: Mapped[date] = mapped_column(sa.Date)
    principal_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    interest_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    fee_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Money paid beyond what was owed (not part of the balance; refunded or applied by staff).
    credit_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # Days escalation was held by arrangements that later failed (a broken plan): collection
    # resumes from where it stood, so they do not count towards the stage ladder.
    held_days: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    borrower: Mapped[Borrower] = relationship(back_populates="loans")
    due_dates: Mapped[list[LoanDueDate]] = relationship(
        back_populates="loan", order_by="LoanDueDate.due_on"
    )

    @property
    def balance(self) -> Components:
        """What the loan owes now, split into principal, interest and fees."""
        return Components(self.principal_minor, self.interest_minor, self.fee_minor)


class LoanDueDate(db.Model):
    """One contractual repayment date of a loan and what falls due on it."""

    __tablename__ = "loan_due_dates"
    __table_args__ = (
        sa.UniqueConstraint("loan_id", "due_on"),
        sa.CheckConstraint("principal_minor >= 0 AND interest_minor >= 0", name="amounts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    due_on: Mapped[date] = mapped_column(sa.Date)
    principal_minor: Mapped[int] = mapped_column(sa.BigInteger)
    interest_minor: Mapped[int] = mapped_column(sa.BigInteger)

    loan: Mapped[Loan] = relationship(back_populates="due_dates")


class JournalEntry(db.Model):
    """An immutable change to a loan's balance; amounts are signed minor units."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", JOURNAL_KINDS), name="kind_known"),
        sa.UniqueConstraint("loan_id", "reference"),
        sa.Index("ix_journal_entries_loan_posted", "loan_id", "posted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    principal_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    interest_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    fee_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The lending system's (or a payment provider's) reference: makes imports idempotent.
    reference: Mapped[str | None] = mapped_column(sa.String(64))
    # A reversal (a refund, part of one, or a correction) points at the entry it reverses;
    # a payment refunded in parts has several.
    reverses_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("journal_entries.id"), index=True
    )
    description: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class CollectionStage(db.Model):
    """One rung of a stage ladder: the stage that starts at a number of days past due."""

    __tablename__ = "collection_stages"
    __table_args__ = (
        sa.UniqueConstraint("ladder", "effective_from", "code"),
        sa.UniqueConstraint("ladder", "effective_from", "position"),
        sa.UniqueConstraint("ladder", "effective_from", "min_days_past_due"),
        sa.CheckConstraint("min_days_past_due >= 0", name="threshold_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "default", or the product code of a loan product whose ladder differs.
    ladder: Mapped[str] = mapped_column(sa.String(64), default="default")
    # Ladders are effective-dated: a change is a new set of rungs with the time it takes effect.
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    code: Mapped[str] = mapped_column(sa.String(32))
    position: Mapped[int]
    min_days_past_due: Mapped[int]


class ContactLogEntry(db.Model):
    """One collection contact made by the lender or its agents, as reported by the lender."""

    __tablename__ = "contact_log_entries"
    __table_args__ = (
        sa.CheckConstraint(one_of("channel", CONTACT_CHANNELS), name="channel_known"),
        sa.CheckConstraint(one_of("party", CONTACT_PARTIES), name="party_known"),
        sa.CheckConstraint(one_of("outcome", CONTACT_OUTCOMES), name="outcome_known"),
        sa.Index("ix_contact_log_entries_loan_time", "loan_id", "contacted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    reference: Mapped[str] = mapped_column(sa.String(64), unique=True)
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(sa.String(16))
    party: Mapped[str] = mapped_column(sa.String(24), default="borrower")
    agent: Mapped[str] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(24))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class ContactRuleSet(db.Model):
    """The contact limits the contact log is checked against (the "default" set applies).

    Rule sets are effective-dated and never edited: a change is a new row with the time it takes
    effect, and a contact is judged by the newest set in force when it happened.
    """

    __tablename__ = "contact_rule_sets"
    __table_args__ = (
        sa.UniqueConstraint("name", "effective_from"),
        sa.CheckConstraint(
            "max_answered_calls_per_day >= 0 AND max_unanswered_calls_per_day >= 0 "
            "AND reachable_within_days >= 0",
            name="limits_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    quiet_from: Mapped[time] = mapped_column(sa.Time)
    quiet_until: Mapped[time] = mapped_column(sa.Time)
    max_answered_calls_per_day: Mapped[int]
    max_unanswered_calls_per_day: Mapped[int]
    reachable_within_days: Mapped[int]


class ContactPreference(db.Model):
    """The borrower's own limits on collection contact, in force from `set_at` until the next
    row: a change adds a row and never rewrites one, so each contact is judged by the
    preferences in force when it was made."""

    __tablename__ = "contact_preferences"
    __table_args__ = (
        sa.Index("ix_contact_preferences_borrower_set", "borrower_id", "set_at", "id"),
        sa.CheckConstraint("channels <> ''", name="some_channel_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    set_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Comma-separated codes: the channels collectors may use, and the parties they may not call.
    channels: Mapped[str] = mapped_column(sa.String(64))
    barred_parties: Mapped[str] = mapped_column(sa.String(64), default="")
    # The borrower's own hours on their wall clock, inside the legal ones (None: no limit).
    earliest: Mapped[time | None] = mapped_column(sa.Time)
    latest: Mapped[time | None] = mapped_column(sa.Time)
    representative_name: Mapped[str | None] = mapped_column(sa.String(200))
    representative_phone: Mapped[str | None] = mapped_column(sa.String(32))

    @property
    def channel_codes(self) -> frozenset[str]:
        return frozenset(code for code in self.channels.split(",") if code)

    @property
    def barred_party_codes(self) -> frozenset[str]:
        return frozenset(code for code in self.barred_parties.split(",") if code)


@sa.event.listens_for(ContactPreference, "before_update")
def _preferences_are_history(mapper, connection, target):
    raise ValueError("contact preferences are never rewritten; add a new row")
