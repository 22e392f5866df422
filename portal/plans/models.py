"""Hardship requests (extensions and installment plans), their decisions, and plans."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.extensions import db
from portal.plans import lifecycle
from portal.plans.terms import Terms

PLAN_STATUSES = ("active", "completed", "broken")


class PlanRuleSet(db.Model):
    """Limits for requests and plans (the "default" set, or one per loan product).

    Effective-dated: a change is a new row with the time it takes effect.
    """

    __tablename__ = "plan_rule_sets"
    __table_args__ = (sa.UniqueConstraint("name", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    extension_min_days: Mapped[int]
    extension_max_days: Mapped[int]
    max_extensions_per_loan: Mapped[int]
    plan_min_months: Mapped[int]
    plan_max_months: Mapped[int]
    min_installment_minor: Mapped[int] = mapped_column(sa.BigInteger)
    first_due_within_days: Mapped[int]
    stop_interest: Mapped[bool]
    second_approval_above_minor: Mapped[int] = mapped_column(sa.BigInteger)
    decision_due_days: Mapped[int]
    offer_valid_days: Mapped[int]
    grace_days: Mapped[int]


class HardshipRequest(db.Model):
    """A borrower's request for an extension or an installment plan on one loan."""

    __tablename__ = "hardship_requests"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", ("extension", "installment_plan")), name="kind_known"),
        sa.CheckConstraint(one_of("status", lifecycle.STATUSES), name="status_known"),
        sa.Index("ix_hardship_requests_status_created", "status", "created_at"),
        sa.Index("ix_hardship_requests_borrower_created", "borrower_id", "created_at"),
        sa.Index("ix_hardship_requests_loan", "loan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"))
    # Equal to loan_id while the request is open, NULL after: one open request per loan,
    # enforced by the database on every engine.
    open_loan_id: Mapped[int | None] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default=lifecycle.SUBMITTED)
    extension_days: Mapped[int | None]
    months: Mapped[int | None]
    down_payment_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    first_due_on: Mapped[date | None] = mapped_column(sa.Date)
    reason_code: Mapped[str] = mapped_column(sa.String(32))
    reason_text: Mapped[str] = mapped_column(sa.String(1000), default="")
    currency: Mapped[str] = mapped_column(sa.String(3))
    balance_minor: Mapped[int] = mapped_column(sa.BigInteger)
    overdue_minor: Mapped[int] = mapped_column(sa.BigInteger)
    # The terms on offer to the borrower (the requested ones, or a counter-offer).
    offer_is_counter: Mapped[bool] = mapped_column(default=False)
    offer_extension_days: Mapped[int | None]
    offer_months: Mapped[int | None]
    offer_down_payment_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    offer_first_due_on: Mapped[date | None] = mapped_column(sa.Date)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_approver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reject_reason_code: Mapped[str | None] = mapped_column(sa.String(32))
    decision_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decision_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    loan = relationship("Loan")
    borrower = relationship("Borrower")
    decisions: Mapped[list[RequestDecision]] = relationship(
        back_populates="request", order_by="RequestDecision.step"
    )

    @property
    def is_open(self) -> bool:
        """Waiting for an approver or for the borrower."""
        return self.status in lifecycle.OPEN

    @property
    def awaits_decision(self) -> bool:
        """Waiting for an approver (a first or a second approval)."""
        return self.status in lifecycle.WAITING

    @property
    def requested(self) -> Terms:
        """The terms the borrower asked for."""
        return Terms(
            self.kind,
            extension_days=self.extension_days,
            months=self.months,
            down_payment=self.down_payment_minor,
            first_due_on=self.first_due_on,
        )

    @property
    def offered(self) -> Terms:
        """The terms on offer to the borrower (as asked, or a counter-offer)."""
        return Terms(
            self.kind,
            extension_days=self.offer_extension_days,
            months=self.offer_months,
            down_payment=self.offer_down_payment_minor or 0,
            first_due_on=self.offer_first_due_on,
        )


class RequestDecision(db.Model):
    """One approver's decision on a request; (request, step) is unique, so two approvers
    deciding at the same moment produce one decision."""

    __tablename__ = "request_decisions"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "step"),
        sa.CheckConstraint(
            one_of("action", lifecycle.DECISIONS),
            name="action_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("hardship_requests.id"))
    step: Mapped[int]
    approver_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(16))
    reason_code: Mapped[str | None] = mapped_column(sa.String(32))
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    request: Mapped[HardshipRequest] = relationship(back_populates="decisions")
    approver = relationship("User")


class PaymentPlan(db.Model):
    """An accepted extension or installment plan: the agreement and its schedule."""

    __tablename__ = "payment_plans"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", PLAN_STATUSES), name="status_known"),
        sa.Index("ix_payment_plans_loan", "loan_id"),
        sa.Index("ix_payment_plans_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"))
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("hardship_requests.id"), unique=True)
    # Equal to loan_id while the plan is active: one active plan per loan.
    active_loan_id: Mapped[int | None] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(12), default="active")
    principal_minor: Mapped[int] = mapped_column(sa.BigInteger)
    interest_minor: Mapped[int] = mapped_column(sa.BigInteger)
    fee_minor: Mapped[int] = mapped_column(sa.BigInteger)
    stop_interest: Mapped[bool]
    grace_days: Mapped[int]
    # Days past due when the plan started: collection resumes from here if it breaks.
    days_past_due_at_start: Mapped[int]
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    loan = relationship("Loan")
    installments: Mapped[list[PlanInstallment]] = relationship(
        back_populates="plan", order_by="PlanInstallment.number"
    )


class PlanInstallment(db.Model):
    """One installment of a plan: what is due, and when."""

    __tablename__ = "plan_installments"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "number"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_plans.id"))
    number: Mapped[int]
    due_on: Mapped[date] = mapped_column(sa.Date)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)

    plan: Mapped[PaymentPlan] = relationship(back_populates="installments")
