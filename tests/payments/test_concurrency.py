"""The same signed event delivered 50 times at once posts once (PostgreSQL row locks)."""

import threading

import pytest

from portal.extensions import db
from portal.loans.models import Loan
from portal.loans.service import journal_balance, loan_balance
from tests.helpers import log_in
from tests.payments.conftest import intent_succeeded, signed
from tests.payments.test_pay import pay, payments

pytestmark = pytest.mark.postgres


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
