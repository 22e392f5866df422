"""Concurrent postings to one loan: the row lock keeps the balance equal to the journal."""

import threading

import pytest

from portal.extensions import db
from portal.loans.journal import Components, JournalError
from portal.loans.models import Loan
from portal.loans.service import journal_balance, loan_balance, post_entry

pytestmark = pytest.mark.postgres


def test_concurrent_postings_all_land_and_balance_agrees(app, make_borrower):
    record = make_borrower(principal=1_000_000)
    start = threading.Barrier(8)
    errors = []

    def pay():
        with app.app_context():
            start.wait()
            try:
                post_entry(record.loan_id, "payment", Components(principal=-1_000))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
                db.session.rollback()

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan_balance(loan) == journal_balance(record.loan_id)
        assert loan.principal_minor == 1_000_000 - 8 * 1_000


def test_concurrent_overpayments_cannot_take_the_balance_below_zero(app, make_borrower):
    record = make_borrower(principal=5_000)
    start = threading.Barrier(4)
    refused = []

    def pay():
        with app.app_context():
            start.wait()
            try:
                post_entry(record.loan_id, "payment", Components(principal=-2_000))
                db.session.commit()
            except JournalError:
                refused.append(True)
                db.session.rollback()

    threads = [threading.Thread(target=pay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan.principal_minor == 1_000 and len(refused) == 2
        assert loan_balance(loan) == journal_balance(record.loan_id)
