"""Complaint fixtures: an upload store per test (disk, then S3), a borrower with a call at night."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.loans.models import ContactLogEntry
from tests.helpers import TODAY, shanghai


@pytest.fixture
def upload_dir(upload_store):
    """The complaint tests' uploads: on the local disk, then in an S3 bucket."""
    return upload_store


@pytest.fixture
def late_call(app, make_borrower):
    """A borrower with a call at 23:10 Shanghai time two days ago (breaks the quiet hours)."""

    def make(**extra):
        record = make_borrower(language="en", **extra)
        when = shanghai(TODAY - timedelta(days=2), 23, 10)
        with app.app_context():
            entry = ContactLogEntry(
                loan_id=record.loan_id,
                reference=f"LATE-{record.loan_id}",
                contacted_at=when,
                channel="call",
                party="borrower",
                agent="A023",
                outcome="answered",
            )
            db.session.add(entry)
            db.session.commit()
            record.contact_id = entry.id
        return record

    return make
