"""The real `stripe` library against localstripe: signed webhooks into the portal, and the
reconciliation of payments whose webhook never came."""

import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.loans.models import Borrower, Loan
from portal.payments import service
from portal.payments.models import Payment
from tests.helpers import while_another_machine
from tests.payments.conftest import WEBHOOK_SECRET, FakeGateway

_hooks = {"n": 0}


@pytest.fixture
def stripe_app(app, localstripe):
    # localstripe runs on the machine's clock and signs its webhooks with that time, while the
    # portal verifies them on the tests' frozen clock. Stripe refuses only signatures older than
    # its tolerance (300 s), never newer ones, and the frozen instant (tests.helpers.FROZEN_AT)
    # lies before any real or faked clock the suite runs on, so the signatures are accepted.
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_portal",
        STRIPE_API_BASE=localstripe,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_PAYMENT_METHODS="card",
        PAYMENT_GATEWAY=None,
    )
    return app


def register_webhook(localstripe, url):
    _hooks["n"] += 1
    data = urllib.parse.urlencode({"url": url, "secret": WEBHOOK_SECRET}).encode()
    request = urllib.request.Request(
        f"{localstripe}/_config/webhooks/portal{_hooks['n']}", data=data, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def start(app, record, amount=135_000):
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        options = service.pay_options(borrower, record.loan_id)
        payment, _ = service.start_payment(
            borrower, options, "other_amount", amount, service.new_form_token(), "stripe"
        )
        db.session.commit()
        return payment.id


def confirm_at_stripe(app, payment_id, amount=135_000):
    """The borrower pays: a PaymentIntent confirmed with a test card."""
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        intent_id = service.gateway().create_confirmed_intent(
            payment_id=payment.id,
            amount=amount,
            currency=payment.currency,
            payment_method="pm_card_visa",
            idempotency_key=payment.idempotency_key,
        )
        payment.payment_intent_id, payment.status = intent_id, "processing"
        db.session.commit()
        return intent_id


def reconcile(runner) -> str:
    """`flask portal reconcile-payments` for every unsettled payment; its summary line."""
    result = runner.invoke(args=["portal", "reconcile-payments", "--older-than-minutes", "0"])
    assert result.exit_code == 0, result.output
    return result.output


def principal(app, loan_id):
    with app.app_context():
        return db.session.get(Loan, loan_id).principal_minor


def test_a_signed_webhook_from_stripe_posts_the_payment(
    stripe_app, live_server, localstripe, owing
):
    record = owing()
    register_webhook(localstripe, f"{live_server}/stripe/webhook")
    payment_id = start(stripe_app, record)
    confirm_at_stripe(stripe_app, payment_id)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with stripe_app.app_context():
            if db.session.get(Payment, payment_id).status == "succeeded":
                break
        time.sleep(0.2)
    with stripe_app.app_context():
        payment = db.session.get(Payment, payment_id)
        assert payment.status == "succeeded" and payment.journal_entry_id is not None
    assert principal(stripe_app, record.loan_id) == 400_000


def test_reconciliation_posts_what_succeeded_once(stripe_app, runner, owing):
    record = owing()
    payment_id = start(stripe_app, record)
    # Stripe took the money, then the portal crashed before anything was posted.
    confirm_at_stripe(stripe_app, payment_id)
    assert principal(stripe_app, record.loan_id) == 500_000
    assert "posted 1" in reconcile(runner)
    assert "posted 0" in reconcile(runner)
    assert principal(stripe_app, record.loan_id) == 400_000


def test_reconcile_command(stripe_app, runner, owing):
    record = owing()
    payment_id = start(stripe_app, record)
    confirm_at_stripe(stripe_app, payment_id)
    with stripe_app.app_context():
        payment = db.session.get(Payment, payment_id)
        payment.created_at -= timedelta(minutes=5)
        db.session.commit()
    result = runner.invoke(args=["portal", "reconcile-payments"])
    assert result.exit_code == 0 and "posted 1" in result.output
    assert "posted 0" in runner.invoke(args=["portal", "reconcile-payments"]).output


def test_reconciliation_recovers_a_lost_checkout_answer(app, runner, owing):
    """The create call reached Stripe but its answer was lost: asking again with the same
    idempotency key finds the session, and its success is posted."""
    from portal.payments.gateway import PaymentState

    fake = FakeGateway()
    fake.state = PaymentState("pi_lost", "succeeded", 135_000, False)
    app.config["PAYMENT_GATEWAY"] = fake
    record = owing()
    payment_id = start(app, record)
    with app.app_context():
        fake.unavailable = True
        service.open_checkout(
            db.session.get(Payment, payment_id),
            language="en",
            success_url="https://portal.test/payments/1",
            cancel_url="https://portal.test/payments/1?cancelled=1",
            description="Loan",
        )
        db.session.commit()
    fake.unavailable = False
    assert "posted 1" in reconcile(runner)
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        assert payment.checkout_session_id == "cs_test_1"
        assert fake.checkouts[0]["idempotency_key"] == payment.idempotency_key


def test_reconciliation_closes_a_payment_never_sent_to_stripe(app, runner, owing):
    app.config["PAYMENT_GATEWAY"] = fake = FakeGateway()
    record = owing()
    payment_id = start(app, record)  # the process stopped before calling Stripe
    assert "failed 1" in reconcile(runner)
    with app.app_context():
        assert db.session.get(Payment, payment_id).status == "canceled"
    assert fake.checkouts == []
    assert principal(app, record.loan_id) == 500_000


def test_reconciliation_keeps_each_payment_it_settled(app, runner, owing):
    """The command commits payment by payment: a crash on the second keeps the first posted."""
    from portal.payments.gateway import PaymentState

    class CrashesOnTheSecond(FakeGateway):
        def payment_state(self, **kwargs):
            if self.state.status == "succeeded":
                raise RuntimeError("the process died")
            self.state = PaymentState(kwargs["payment_intent_id"], "succeeded", 135_000, False)
            return self.state

    app.config["PAYMENT_GATEWAY"] = CrashesOnTheSecond()
    first, second = owing(), owing()
    ids = [start(app, first), start(app, second)]
    with app.app_context():
        for number, payment_id in enumerate(ids):
            payment = db.session.get(Payment, payment_id)
            payment.payment_intent_id, payment.status = f"pi_crash_{number}", "processing"
        db.session.commit()
    result = runner.invoke(args=["portal", "reconcile-payments", "--older-than-minutes", "0"])
    assert isinstance(result.exception, RuntimeError)
    assert principal(app, first.loan_id) == 400_000
    assert principal(app, second.loan_id) == 500_000
    with app.app_context():
        assert [db.session.get(Payment, i).status for i in ids] == ["succeeded", "processing"]


@pytest.mark.postgres
def test_reconciliation_skips_a_payment_another_run_holds(app, runner, owing):
    from portal.payments.gateway import PaymentState

    fake = FakeGateway()
    fake.state = PaymentState("pi_held", "succeeded", 135_000, False)
    app.config["PAYMENT_GATEWAY"] = fake
    record = owing()
    payment_id = start(app, record)
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        payment.payment_intent_id, payment.status = "pi_held", "processing"
        db.session.commit()
    # Another machine's run has the payment row locked while it asks Stripe.
    locked = sa.select(Payment).where(Payment.id == payment_id).with_for_update()
    with while_another_machine(app, lambda: db.session.scalar(locked)):
        assert "posted 0, failed 0, still_open 0, unreachable 0, skipped 1" in reconcile(runner)
    assert "posted 1" in reconcile(runner)
    assert principal(app, record.loan_id) == 400_000
