"""At the same moment: two approvers, two submissions. PostgreSQL only (row locks)."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.errors import DomainError
from portal.extensions import db
from portal.loans.models import Borrower
from portal.plans import service
from portal.plans.models import HardshipRequest, RequestDecision
from portal.plans.terms import INSTALLMENT_PLAN, Terms
from tests.plans.conftest import TODAY

pytestmark = pytest.mark.postgres


def _run_together(app, count, work):
    start = threading.Barrier(count)
    outcomes = []

    def run(n):
        with app.app_context():
            start.wait()
            try:
                work(n)
                db.session.commit()
                outcomes.append("ok")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_approvers_deciding_at_once_make_one_decision(app, overdue_loan, make_staff):
    record = overdue_loan()
    approvers = [make_staff("approver").user_id for _ in range(2)]
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        request_id = service.submit_request(
            borrower,
            record.loan_id,
            Terms(INSTALLMENT_PLAN, months=6, first_due_on=TODAY + timedelta(days=5)),
            reason_code="illness",
            reason_text="",
        ).id
        db.session.commit()

    def decide(n):
        action = "approve" if n == 0 else "reject"
        service.decide(
            request_id,
            db.session.get(User, approvers[n]),
            action,
            reason_code=None if n == 0 else "other",
        )

    outcomes = _run_together(app, 2, decide)
    assert sorted(outcomes) == ["already_decided", "ok"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RequestDecision.id))) == 1


def test_two_submissions_at_once_leave_one_open_request(app, overdue_loan):
    record = overdue_loan()

    def submit(n):
        borrower = db.session.get(Borrower, record.borrower_id)
        service.submit_request(
            borrower,
            record.loan_id,
            Terms(INSTALLMENT_PLAN, months=6 + n, first_due_on=TODAY + timedelta(days=5)),
            reason_code="illness",
            reason_text="",
        )

    outcomes = _run_together(app, 4, submit)
    assert sorted(outcomes) == ["ok"] + ["open_request"] * 3
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(HardshipRequest.id))) == 1
