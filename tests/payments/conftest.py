"""Payment fixtures: a loan with something overdue, a stand-in gateway, signed events."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from portal import clock
from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import LoanDueDate
from portal.loans.service import post_entry
from portal.payments.gateway import Checkout, GatewayUnavailable, PaymentState

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def owing(app, make_borrower):
    """A borrower owing 5,000.00 principal + 300.00 interest + 50.00 fees; 1,350.00 overdue."""

    def make(**extra):
        record = make_borrower(language="en", **extra)
        with app.app_context():
            today = clock.business_today()
            post_entry(
                record.loan_id,
                "charge",
                Components(interest=30_000, fee=5_000),
                posted_at=datetime(2026, 1, 16, tzinfo=UTC),
                reference="IF",
            )
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=today - timedelta(days=10),
                    principal_minor=100_000,
                    interest_minor=30_000,
                )
            )
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=today + timedelta(days=20),
                    principal_minor=400_000,
                    interest_minor=0,
                )
            )
            db.session.commit()
        return record

    return make


class FakeGateway:
    """Records what would be sent to Stripe; answers as told."""

    def __init__(self):
        self.checkouts = []
        self.unavailable = False
        self.state = PaymentState(None, "open", 0, False)

    def create_checkout(self, **kwargs):
        if self.unavailable:
            raise GatewayUnavailable("timed out")
        self.checkouts.append(kwargs)
        n = len(self.checkouts)
        return Checkout(f"cs_test_{n}", f"https://checkout.stripe.test/cs_test_{n}", None)

    def payment_state(self, **kwargs):
        return self.state


@pytest.fixture
def fake_gateway(app):
    gateway = FakeGateway()
    app.config["PAYMENT_GATEWAY"] = gateway
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    return gateway


def signed(payload: dict | bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """A body and Stripe-Signature header, signed the way Stripe signs webhooks."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    timestamp = int(clock.now().timestamp()) if timestamp is None else timestamp
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, {
        "Stripe-Signature": f"t={timestamp},v1={signature}",
        "Content-Type": "application/json",
    }


def event(event_id, event_type, obj):
    return {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}


def intent_succeeded(event_id, payment_id, amount, intent_id="pi_test_1"):
    return event(
        event_id,
        "payment_intent.succeeded",
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "status": "succeeded",
            "metadata": {"payment_id": str(payment_id)},
        },
    )
