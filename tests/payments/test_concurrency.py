"""Stripe deliveries at the same moment on PostgreSQL (row locks): each payment posts once.

The first test drives the test client from threads; the others post signed webhooks to a live
server from threads, as Stripe does: both events Stripe sends for a Checkout payment, their
redeliveries and a refund, all at once, and ten different payments on one loan.
"""

import random
import threading

import pytest
import requests
import sqlalchemy as sa

from portal.extensions import db
from portal.loans.models import JournalEntry, Loan
from portal.loans.service import journal_balance, loan_balance
from tests.helpers import log_in
from tests.payments.conftest import event, intent_succeeded, signed
from tests.payments.test_pay import pay, payments

pytestmark = pytest.mark.postgres


def _together(count, work):
    """Run work(n) for n in range(count) in threads released at the same moment."""
    start = threading.Barrier(count)
    results = [None] * count

    def run(n):
        start.wait()
        results[n] = work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _deliver(base_url, payload):
    body, headers = signed(payload)
    return requests.post(f"{base_url}/stripe/webhook", data=body, headers=headers, timeout=60)


def _completed(event_id, payment_id, amount, intent_id="pi_test_1"):
    return event(
        event_id,
        "checkout.session.completed",
        {
            "id": f"cs_{intent_id}",
            "object": "checkout.session",
            "payment_status": "paid",
            "amount_total": amount,
            "payment_intent": intent_id,
            "metadata": {"payment_id": str(payment_id)},
        },
    )


def _refunded(event_id, payment_id, refunded, intent_id="pi_test_1"):
    return event(
        event_id,
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": intent_id,
            "amount_refunded": refunded,
            "metadata": {"payment_id": str(payment_id)},
        },
    )


def _components(app, loan_id):
    with app.app_context():
        loan = db.session.get(Loan, loan_id)
        assert loan_balance(loan) == journal_balance(loan_id)
        return (loan.principal_minor, loan.interest_minor, loan.fee_minor, loan.credit_minor)


def _entries(app, loan_id, kind):
    with app.app_context():
        return db.session.scalars(
            sa.select(JournalEntry).where(
                JournalEntry.loan_id == loan_id, JournalEntry.kind == kind
            )
        ).all()


def test_fifty_concurrent_deliveries_post_once(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    pay(client, record.loan_id)
    (payment,) = payments(app)
    body, headers = signed(intent_succeeded("evt_storm", payment.id, 135_000))
    start = threading.Barrier(50)
    statuses = []

    def deliver():
        stripe_client = app.test_client()
        start.wait()
        statuses.append(
            stripe_client.post("/stripe/webhook", data=body, headers=headers).status_code
        )

    threads = [threading.Thread(target=deliver) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 50
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan.principal_minor == 400_000
        assert loan_balance(loan) == journal_balance(record.loan_id)


def test_fifty_mixed_events_for_one_payment_answer_200_and_post_once(
    app, client, owing, fake_gateway, live_server
):
    """Checkout's completion and the PaymentIntent's success (Stripe sends both for every
    Checkout payment), each redelivered, and a partial refund, all at the same moment."""
    record = owing()
    log_in(client, record.phone)
    pay(client, record.loan_id)
    (payment,) = payments(app)
    kinds = [
        _completed("evt_cs", payment.id, 135_000),
        intent_succeeded("evt_pi", payment.id, 135_000),
        _completed("evt_cs_again", payment.id, 135_000),
        intent_succeeded("evt_pi_again", payment.id, 135_000),
        _refunded("evt_refund", payment.id, 35_000),
    ]
    storm = [kinds[n % len(kinds)] for n in range(50)]
    random.Random(11).shuffle(storm)

    responses = _together(50, lambda n: _deliver(live_server, storm[n]))

    assert [r.status_code for r in responses] == [200] * 50
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("posted") == 1
    assert len(_entries(app, record.loan_id, "payment")) == 1
    (reversal,) = _entries(app, record.loan_id, "reversal")
    assert reversal.principal_minor + reversal.interest_minor + reversal.fee_minor == 35_000
    # 5,350.00 owed, 1,350.00 paid, 350.00 of it refunded: 4,350.00 owed, whatever the order.
    assert sum(_components(app, record.loan_id)[:3]) == 435_000
    (settled,) = payments(app)
    assert settled.status == "succeeded" and settled.refunded_minor == 35_000


def _ten_payments(app, client, owing, amounts):
    record = owing()
    log_in(client, record.phone)
    for amount in amounts:
        response = pay(client, record.loan_id, choice="other_amount", other=f"{amount / 100:.2f}")
        assert response.status_code == 302
    found = [p for p in payments(app) if p.loan_id == record.loan_id]
    assert len(found) == len(amounts)
    return record, found


# Ten payments of 600.00 on 5,350.00 owed: fees, interest and principal are paid off and
# 650.00 is kept as a credit.
TEN_AMOUNTS = [60_000] * 10


def test_ten_payments_on_one_loan_at_once_all_post_as_one_by_one(
    app, client, owing, fake_gateway, live_server
):
    one_by_one, paid = _ten_payments(app, client, owing, TEN_AMOUNTS)
    for n, payment in enumerate(paid):
        response = _deliver(
            live_server, intent_succeeded(f"evt_seq_{n}", payment.id, 60_000, f"pi_seq_{n}")
        )
        assert response.json() == {"status": "posted"}
    expected = _components(app, one_by_one.loan_id)
    assert expected == (0, 0, 0, 65_000)
    # The ninth pays the last 550.00 owed and keeps 50.00; the tenth is all credit.
    assert len(_entries(app, one_by_one.loan_id, "payment")) == 9

    at_once, paid = _ten_payments(app, app.test_client(), owing, TEN_AMOUNTS)
    responses = _together(
        10,
        lambda n: _deliver(
            live_server, intent_succeeded(f"evt_par_{n}", paid[n].id, 60_000, f"pi_par_{n}")
        ),
    )

    assert [r.status_code for r in responses] == [200] * 10
    assert [r.json() for r in responses] == [{"status": "posted"}] * 10
    assert _components(app, at_once.loan_id) == expected
    assert len(_entries(app, at_once.loan_id, "payment")) == 9
    assert sum(p.credit_minor for p in payments(app) if p.loan_id == at_once.loan_id) == 65_000
    with app.app_context():
        # Replaying the journal in posting order, no component ever goes below zero.
        loan = db.session.get(Loan, at_once.loan_id)
        rows = db.session.scalars(
            sa.select(JournalEntry).where(JournalEntry.loan_id == loan.id).order_by(JournalEntry.id)
        ).all()
        running = [0, 0, 0]
        for row in rows:
            running = [
                running[0] + row.principal_minor,
                running[1] + row.interest_minor,
                running[2] + row.fee_minor,
            ]
            assert min(running) >= 0
