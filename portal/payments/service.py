"""Payments: what may be paid, starting a payment, and posting it to the balance exactly once.

The balance changes only when a payment is confirmed (a verified Stripe event, a server-side
look-up, or the development path), through `post_success`, which locks the payment row and
does nothing the second time. Functions flush and never commit: a request commits at its edge,
and `flask portal reconcile-payments` commits after each payment it reconciles.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal import audit, clock, notices, rows
from portal.account.service import account as account_of
from portal.account.service import allocation_for
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.i18n import parse_amount
from portal.loans.journal import ONLINE_PAYMENT_DESCRIPTION, REFUND_DESCRIPTION, Components
from portal.loans.models import Borrower, JournalEntry, Loan
from portal.loans.service import post_entry
from portal.loans.standing import PAY_OVERDUE, NextAction, refund_reversal
from portal.payments.gateway import (
    GatewayRefused,
    GatewayUnavailable,
    PaymentState,
    StripeGateway,
    method_of,
)
from portal.payments.models import Payment, StripeEvent


class PaymentRefused(DomainError):
    """The chosen amount may not be paid; the codes' messages are in `labels.MESSAGES`."""


def gateway() -> StripeGateway | None:
    """The Stripe gateway when keys are configured (tests may put a stand-in in config)."""
    config = current_app.config
    if config.get("PAYMENT_GATEWAY") is not None:
        return config["PAYMENT_GATEWAY"]
    if not config.get("STRIPE_SECRET_KEY"):
        return None
    methods = tuple(m.strip() for m in config["STRIPE_PAYMENT_METHODS"].split(",") if m.strip())
    return StripeGateway(
        config["STRIPE_SECRET_KEY"],
        api_base=config.get("STRIPE_API_BASE") or None,
        payment_methods=methods or ("card",),
    )


def development_payments() -> bool:
    """The clearly marked development path: only without Stripe keys, never in production."""
    config = current_app.config
    return not config["PRODUCTION"] and gateway() is None


# --- what may be paid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PayOptions:
    """What a borrower may pay on one loan: read from the one account model (pay_options)."""

    loan: Loan
    outstanding: int
    overdue: int  # the overdue amount, when that is what to pay next
    next_installment: int  # the next installment of the schedule in force, when nothing is overdue
    minimum: int
    next_action: NextAction | None = None

    @property
    def currency(self) -> str:
        return self.loan.currency


def pay_options(borrower: Borrower, loan_id: int, now: datetime | None = None) -> PayOptions:
    """The amounts a borrower may pay on their own loan; NotFound if it is not theirs."""
    found = account_of(borrower, loan_id, now=now) if rows.valid_id(loan_id) else None
    if found is None:
        raise NotFound()
    owed = found.standing.owed
    action = found.standing.next_action
    overdue = action.amount if action is not None and action.kind == PAY_OVERDUE else 0
    installment = action.amount if action is not None and action.kind != PAY_OVERDUE else 0
    minimum = min(current_app.config["PAYMENT_MIN_MINOR"], owed)
    return PayOptions(found.loan, owed, overdue, installment, minimum, action)


def choose_amount(options: PayOptions, choice: str, other_amount: str | None) -> tuple[str, int]:
    """The purpose and amount of a payment from the form's choice (and the amount typed for
    "other_amount"), or AmountError / PaymentRefused about the field at fault."""
    field = "other_amount" if choice == "other_amount" else "choice"
    typed = None
    if choice == "other_amount" and other_amount:
        typed = parse_amount(other_amount, options.currency, field=field)
    if options.outstanding <= 0:
        raise PaymentRefused("nothing_owed", field)
    if choice == "overdue":
        if options.overdue <= 0:
            raise PaymentRefused("nothing_overdue", field)
        return "overdue", options.overdue
    if choice == "installment":
        if options.next_installment <= 0:
            raise PaymentRefused("no_installment", field)
        return "installment", options.next_installment
    if choice == "full_balance":
        return "full_balance", options.outstanding
    if choice == "other_amount":
        if typed is None:
            raise PaymentRefused("no_amount", field)
        if typed < options.minimum:
            raise PaymentRefused(
                "too_small", field, minimum=options.minimum, currency=options.currency
            )
        if typed > options.outstanding:
            raise PaymentRefused(
                "too_large", field, maximum=options.outstanding, currency=options.currency
            )
        return "other_amount", typed
    raise PaymentRefused("choose", field)


def begin_payment(
    borrower: Borrower,
    options: PayOptions,
    choice: str,
    other_amount: str | None,
    form_token: str,
    *,
    language: str,
    description: str,
    status_url: Callable[[int], str],
) -> Payment:
    """Check the amount chosen, record the payment and, with Stripe, open its Checkout Session
    (`status_url(payment_id)` is where Stripe sends the borrower back). The same form sent
    twice gives the same payment. Refusals (PaymentRefused, AmountError) come before any
    write; NotFound without Stripe keys in production, or for another borrower's form."""
    purpose, amount = choose_amount(options, choice, other_amount)
    provider = "stripe" if gateway() is not None else "development"
    if provider == "development" and not development_payments():
        raise NotFound()
    payment, created = start_payment(borrower, options, purpose, amount, form_token, provider)
    if created and provider == "stripe":
        back = status_url(payment.id)
        open_checkout(
            payment,
            language=language,
            success_url=back,
            cancel_url=back + "?cancelled=1",
            description=description,
        )
    return payment


def start_payment(
    borrower: Borrower,
    options: PayOptions,
    purpose: str,
    amount: int,
    form_token: str,
    provider: str,
) -> tuple[Payment, bool]:
    """Record a payment before anything is sent to Stripe; the same form sent twice gives the
    same payment (the token is the idempotency key). Returns (payment, created)."""
    key = f"portal-payment-{form_token}"
    existing = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    if existing is not None:
        if existing.borrower_id != borrower.id:
            raise NotFound()
        return existing, False
    payment = Payment(
        borrower_id=borrower.id,
        loan_id=options.loan.id,
        amount_minor=amount,
        currency=options.currency,
        purpose=purpose,
        provider=provider,
        status="created",
        idempotency_key=key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
            db.session.flush()
    except IntegrityError:
        return db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key)), False
    audit.record(
        "payment.started",
        subject_type="payment",
        subject_id=payment.id,
        borrower_id=borrower.id,
        details={"amount": amount, "purpose": purpose},
    )
    return payment, True


def new_form_token() -> str:
    """A fresh token for one payment form shown: its idempotency key."""
    return secrets.token_urlsafe(24)


def open_checkout(
    payment: Payment, *, language: str, success_url: str, cancel_url: str, description: str
) -> None:
    """Create the Stripe Checkout Session; a slow or unreachable Stripe leaves it pending."""
    payment.checkout_params = {
        "payment_id": payment.id,
        "amount": payment.amount_minor,
        "currency": payment.currency,
        "description": description,
        "language": language,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "idempotency_key": payment.idempotency_key,
    }
    payment.status = "processing"
    payment.updated_at = clock.now()
    _create_checkout(payment)


def _create_checkout(payment: Payment) -> None:
    try:
        checkout = gateway().create_checkout(**payment.checkout_params)
    except GatewayUnavailable as error:
        payment.failure_reason = f"pending: {error}"[:255]
        return
    except GatewayRefused as error:
        payment.status, payment.failure_reason = "failed", str(error)[:255]
        return
    payment.checkout_session_id = checkout.session_id
    payment.checkout_url = checkout.url
    payment.payment_intent_id = checkout.payment_intent_id
    payment.failure_reason = None


# --- posting ------------------------------------------------------------------------------------


def _locked(payment_id: int) -> Payment:
    payment = rows.locked(Payment, payment_id)
    if payment is None:
        raise NotFound()
    return payment


def post_success(
    payment_id: int,
    *,
    amount_received: int,
    payment_intent_id: str | None,
    method: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Post a confirmed payment to the loan's journal, once. True if it posted now.
    `method` is how it was paid, when known (a later event may tell it after the posting)."""
    now = now or clock.now()
    payment = _locked(payment_id)
    if method and payment.method is None:
        payment.method = method[:32]
    if payment.journal_entry_id is not None or payment.succeeded_at is not None:
        return False
    if payment_intent_id and payment.payment_intent_id is None:
        payment.payment_intent_id = payment_intent_id
    amount = amount_received or payment.amount_minor
    payment.status, payment.succeeded_at, payment.updated_at = "succeeded", now, now
    payment.receipt_number = f"R{now:%Y%m%d}{payment.id:07d}"
    if payment.refunded_minor >= amount:
        # The whole refund arrived first: the money came and went, the balance never moves.
        payment.status = "refunded"
        audit.record(
            "payment.succeeded_after_refund",
            subject_type="payment",
            subject_id=payment.id,
            borrower_id=payment.borrower_id,
        )
        return False
    borrower = db.session.get(Borrower, payment.borrower_id)
    # Computed from the balance read under the loan's row lock, which the posting then moves.
    allocation = allocation_for(borrower, payment.loan_id, amount, now=now)
    loan = db.session.get(Loan, payment.loan_id)
    if allocation.applied.total > 0:
        entry = post_entry(
            loan.id,
            "payment",
            allocation.change,
            posted_at=now,
            reference=payment.payment_intent_id or f"portal-payment-{payment.id}",
            description=ONLINE_PAYMENT_DESCRIPTION,
        )
        payment.journal_entry_id = entry.id
    if allocation.credit:
        payment.credit_minor = allocation.credit
        loan.credit_minor += allocation.credit
        audit.record(
            "payment.credit_kept",
            subject_type="payment",
            subject_id=payment.id,
            borrower_id=payment.borrower_id,
            details={"credit": allocation.credit},
        )
    audit.record(
        "payment.posted",
        subject_type="payment",
        subject_id=payment.id,
        borrower_id=payment.borrower_id,
        details={
            "amount": amount,
            "principal": allocation.applied.principal,
            "interest": allocation.applied.interest,
            "fee": allocation.applied.fee,
        },
    )
    if payment.refunded_minor:
        # Part of it was refunded before the success arrived: take that part back now.
        _reverse_refunded(payment, payment.refunded_minor, already=0)
    _remember_outcome(payment, borrower, now)
    notices.payment_received(payment, amount, allocation.applied)
    db.session.flush()
    return True


def _remember_outcome(payment: Payment, borrower: Borrower, now: datetime) -> None:
    """Keep the balance and what is still overdue right after the payment, for the receipt."""
    after = account_of(borrower, payment.loan_id, now=now).standing
    payment.balance_after_minor = after.owed
    payment.overdue_after_minor = after.overdue.total


def settle_development(payment: Payment, succeed: bool) -> bool:
    """The development path: the borrower confirms or declines a payment themselves, and it
    goes through the same posting code as a confirmed Stripe payment. False if already settled."""
    if payment.status != "created":
        return False
    if succeed:
        post_success(
            payment.id,
            amount_received=payment.amount_minor,
            payment_intent_id=None,
            method="development",
        )
    else:
        mark_unsuccessful(payment.id, "failed", "declined in the development path")
    return True


def mark_unsuccessful(
    payment_id: int, status: str, reason: str = "", now: datetime | None = None
) -> None:
    """A payment that failed or was cancelled; a posted payment is never undone this way."""
    payment = _locked(payment_id)
    if payment.status in ("succeeded", "refunded"):
        return
    payment.status, payment.failure_reason = status, reason[:255] or None
    payment.updated_at = now or clock.now()
    audit.record(
        f"payment.{status}",
        subject_type="payment",
        subject_id=payment.id,
        borrower_id=payment.borrower_id,
    )
    notices.payment_failed(payment)


def refund(payment_id: int, refunded_total: int | None = None, now: datetime | None = None) -> None:
    """Reverse what was refunded of a payment, by the amount refunded and never more.

    `refunded_total` is everything refunded on the payment so far (Stripe's `amount_refunded`);
    None means all of it. Refunds come whole or in parts, late, early or twice: each part is
    reversed once, newest allocation first. A refund before the success is remembered and
    taken back when the success is posted, so the two net to what was kept.
    """
    now = now or clock.now()
    payment = _locked(payment_id)
    total = payment.amount_minor if refunded_total is None else refunded_total
    total = min(max(total, 0), payment.amount_minor)
    already = payment.refunded_minor
    if total <= already:
        return
    payment.refunded_at, payment.updated_at = payment.refunded_at or now, now
    if payment.succeeded_at is not None:
        _reverse_refunded(payment, total, already=already)
    payment.refunded_minor = total
    if total >= payment.amount_minor and payment.succeeded_at is not None:
        payment.status = "refunded"
    audit.record(
        "payment.refunded",
        subject_type="payment",
        subject_id=payment.id,
        borrower_id=payment.borrower_id,
        details={"refunded": total, "before": already},
    )
    db.session.flush()


def _reverse_refunded(payment: Payment, total: int, *, already: int) -> None:
    """Post the reversal of the part `already`..`total` of the payment's refund."""
    entry = (
        db.session.get(JournalEntry, payment.journal_entry_id) if payment.journal_entry_id else None
    )
    applied = (
        [-Components(entry.principal_minor, entry.interest_minor, entry.fee_minor)]
        if entry is not None
        else []
    )
    change = refund_reversal(total, already, applied, credit=payment.credit_minor)
    credit_back = min(total, payment.credit_minor) - min(already, payment.credit_minor)
    if credit_back:
        loan = db.session.get(Loan, payment.loan_id)
        loan.credit_minor -= credit_back
    if not change.is_zero():
        post_entry(
            payment.loan_id,
            "reversal",
            change,
            reference=f"refund-{payment.payment_intent_id or payment.id}-{total}"[:64],
            description=REFUND_DESCRIPTION,
            reverses=entry,
        )


def apply_state(payment: Payment, state: PaymentState) -> None:
    """Bring a payment in line with what Stripe reports."""
    if state.status == "succeeded":
        post_success(
            payment.id,
            amount_received=state.amount_received,
            payment_intent_id=state.payment_intent_id,
            method=state.method,
        )
    elif state.status in ("failed", "canceled"):
        mark_unsuccessful(payment.id, state.status)


# --- Stripe events --------------------------------------------------------------------------


def _payment_for(obj) -> Payment | None:
    metadata = obj.get("metadata") or {}
    if str(metadata.get("payment_id", "")).isdigit():
        payment_id = int(metadata["payment_id"])
        return db.session.get(Payment, payment_id) if rows.valid_id(payment_id) else None
    intent = obj.get("payment_intent") if obj.get("object") != "payment_intent" else obj.get("id")
    if intent:
        return db.session.scalar(sa.select(Payment).where(Payment.payment_intent_id == intent))
    return None


HANDLED = (
    "payment_intent.succeeded",
    "checkout.session.completed",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "checkout.session.expired",
    "charge.refunded",
)


def handle_event(event) -> str:
    """Apply one verified Stripe event exactly once. Returns what happened.

    The event row and its posting are written in the same transaction: if the posting fails,
    neither is kept and Stripe's next delivery applies the event. The savepoint only turns a
    concurrent delivery of the same event into "duplicate".

    The payment row is locked before the event row is written: the event's foreign key takes
    a share lock on the payment, and two events for one payment (Stripe sends Checkout's
    completion and the PaymentIntent's success together) that each held that share lock and
    then asked to lock the payment for update would deadlock on PostgreSQL."""
    event_type = event.get("type")
    if event_type not in HANDLED:
        return "ignored"
    obj = event["data"]["object"]
    payment = _payment_for(obj)
    if payment is not None:
        payment = _locked(payment.id)
    try:
        with db.session.begin_nested():
            db.session.add(
                StripeEvent(
                    id=event["id"], type=event_type, payment_id=payment.id if payment else None
                )
            )
            db.session.flush()
    except IntegrityError:
        return "duplicate"
    if payment is None:
        return "unknown_payment"
    if event_type == "payment_intent.succeeded":
        posted = post_success(
            payment.id,
            amount_received=int(obj.get("amount_received") or obj.get("amount") or 0),
            payment_intent_id=obj.get("id"),
            method=method_of(obj),
        )
    elif event_type == "checkout.session.completed":
        if obj.get("payment_status") != "paid":
            return "not_paid_yet"
        intent = obj.get("payment_intent")
        posted = post_success(
            payment.id,
            amount_received=int(obj.get("amount_total") or 0),
            payment_intent_id=intent if isinstance(intent, str) else None,
            method=method_of(obj),
        )
    elif event_type == "charge.refunded":
        refunded = obj.get("amount_refunded")
        refund(payment.id, int(refunded) if isinstance(refunded, int) else None)
        return "refunded"
    else:
        status = (
            "canceled"
            if event_type in ("payment_intent.canceled", "checkout.session.expired")
            else "failed"
        )
        error = (obj.get("last_payment_error") or {}).get("message", "")
        mark_unsuccessful(payment.id, status, error)
        return status
    return "posted" if posted else "already_posted"


RECONCILE_OUTCOMES = ("posted", "failed", "still_open", "unreachable", "skipped")
UNSETTLED = ("created", "processing")


def payments_to_reconcile(
    older_than: timedelta = timedelta(minutes=2), now: datetime | None = None
) -> list[int]:
    """The Stripe payments started at least `older_than` ago and not settled yet, by id;
    none without Stripe keys."""
    if gateway() is None:
        return []
    now = now or clock.now()
    return list(
        db.session.scalars(
            sa.select(Payment.id)
            .where(
                Payment.provider == "stripe",
                Payment.status.in_(UNSETTLED),
                Payment.created_at <= now - older_than,
            )
            .order_by(Payment.id)
        )
    )


def reconcile_payment(payment_id: int) -> str:
    """Ask Stripe about one unsettled payment and apply the answer (idempotent; flushes, the
    command commits). Returns one of RECONCILE_OUTCOMES.

    Runs on several machines at once split the work: the payment row is locked first (until
    the command commits this payment), and a payment another run holds, or one settled since
    it was listed, is skipped. A webhook for it meanwhile waits for the lock (at most the
    Stripe client's timeout).
    """
    payment = db.session.scalar(
        sa.select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if payment is None or payment.status not in UNSETTLED:
        return "skipped"
    if payment.payment_intent_id is None and payment.checkout_session_id is None:
        if not payment.checkout_params:
            # Never sent to Stripe (the process stopped first): nothing can have been paid.
            mark_unsuccessful(payment.id, "canceled", "never sent to Stripe")
            return "failed"
        # Sent, but the answer was lost: the same request under the same idempotency key
        # returns the same session.
        _create_checkout(payment)
        if payment.checkout_session_id is None:
            return "unreachable"
    try:
        state = gateway().payment_state(
            payment_intent_id=payment.payment_intent_id,
            checkout_session_id=payment.checkout_session_id,
        )
    except (GatewayUnavailable, GatewayRefused):
        return "unreachable"
    before = payment.status
    apply_state(payment, state)
    if payment.status == "succeeded" and before != "succeeded":
        return "posted"
    if payment.status in ("failed", "canceled"):
        return "failed"
    return "still_open"


# --- reading ----------------------------------------------------------------------------------


def borrower_payments(borrower: Borrower) -> list[Payment]:
    return list(
        db.session.scalars(
            sa.select(Payment)
            .where(Payment.borrower_id == borrower.id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
        )
    )


def refresh_from_stripe(payment: Payment) -> None:
    """On the status page: ask Stripe once, quickly, about a payment still in progress."""
    client = gateway()
    if client is None or payment.provider != "stripe" or payment.status != "processing":
        return
    if payment.payment_intent_id is None and payment.checkout_session_id is None:
        return
    try:
        state = client.payment_state(
            payment_intent_id=payment.payment_intent_id,
            checkout_session_id=payment.checkout_session_id,
        )
    except (GatewayUnavailable, GatewayRefused):
        return
    apply_state(payment, state)
