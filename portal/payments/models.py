"""Payments made through the portal, and the Stripe events received about them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.extensions import db

PAYMENT_STATUSES = ("created", "processing", "succeeded", "failed", "canceled", "refunded")
PURPOSES = ("overdue", "installment", "full_balance", "other_amount")


class Payment(db.Model):
    """One payment a borrower started; it changes the balance only once it is confirmed."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", PAYMENT_STATUSES), name="status_known"),
        sa.CheckConstraint(one_of("purpose", PURPOSES), name="purpose_known"),
        sa.CheckConstraint(one_of("provider", ("stripe", "development")), name="provider_known"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.Index("ix_payments_borrower_created", "borrower_id", "created_at"),
        sa.Index("ix_payments_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"))
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    purpose: Mapped[str] = mapped_column(sa.String(16))
    provider: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(12), default="created")
    # Sent with every create call, so a retry or a double click cannot charge twice.
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(sa.String(1000))
    # Exactly what was sent to create the Checkout Session: Stripe accepts a retry under the
    # same idempotency key only with the same parameters.
    checkout_params: Mapped[dict | None] = mapped_column(sa.JSON)
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    journal_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id"))
    # Paid beyond what was owed when it succeeded: kept, flagged for staff, never lost.
    credit_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # How much of the payment has been refunded and reversed so far (refunds may come in parts).
    refunded_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # The loan right after the payment was posted, for the receipt: what was still owed and
    # what was still overdue on the schedule in force.
    balance_after_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    overdue_after_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    # How it was paid, as Stripe names the method (card, alipay, wechat_pay), or "development";
    # None when Stripe did not say.
    method: Mapped[str | None] = mapped_column(sa.String(32))
    failure_reason: Mapped[str | None] = mapped_column(sa.String(255))
    receipt_number: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    loan = relationship("Loan")
    journal_entry = relationship("JournalEntry")


class StripeEvent(db.Model):
    """A Stripe event already handled: a second delivery of the same event does nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
