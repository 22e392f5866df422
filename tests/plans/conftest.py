"""Fixtures for the request and plan tests."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import LoanDueDate
from portal.loans.service import post_entry
from tests.helpers import TODAY


@pytest.fixture
def overdue_loan(app, make_borrower):
    """A borrower owing 12,000.00 (10,000 principal + 2,000 interest), 3,000.00 overdue."""

    def make(principal=1_000_000, interest=200_000, **extra):
        record = make_borrower(language="en", principal=principal, **extra)
        with app.app_context():
            if interest:
                post_entry(
                    record.loan_id,
                    "charge",
                    Components(interest=interest),
                    posted_at=datetime(2026, 1, 15, 2, tzinfo=UTC),
                    reference="INT",
                )
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=TODAY - timedelta(days=20),
                    principal_minor=250_000,
                    interest_minor=50_000,
                )
            )
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=TODAY + timedelta(days=10),
                    principal_minor=750_000,
                    interest_minor=150_000,
                )
            )
            db.session.commit()
        return record

    return make
