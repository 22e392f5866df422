"""The demo data: every collection stage, loaded through the import, once, at any moment."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.account.overview import dashboard
from portal.demo import BORROWERS, load_demo
from portal.extensions import db
from portal.loans.models import Borrower, ContactLogEntry, JournalEntry
from tests.helpers import FROZEN_AT, SHANGHAI

EXPECTED_STAGES = {
    "C-DEMO-1": None,
    "C-DEMO-2": "early_warning",
    "C-DEMO-3": "phone_contact",
    "C-DEMO-4": "agency",
    "C-DEMO-5": "lawyer_letter",
    "C-DEMO-6": "litigation",
    "C-DEMO-7": None,
}

# Just after midnight, in the afternoon, just before midnight (Shanghai) and months later: the
# demo is dated from the moment it is loaded, so it is the same demo at every one of them.
MOMENTS = [
    FROZEN_AT.replace(hour=0, minute=30),
    FROZEN_AT.replace(hour=16, minute=30),
    FROZEN_AT.replace(hour=23, minute=50),
    datetime(2027, 6, 30, 10, 0, tzinfo=SHANGHAI),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%Y-%m-%d-%H%M"))
def test_demo_has_every_stage_and_nothing_in_the_future(app, clock, moment):
    clock.move_to(moment)
    with app.app_context():
        load_demo()
        db.session.commit()
        stages, breaches = {}, {}
        for borrower in db.session.scalars(sa.select(Borrower)):
            (overview,) = dashboard(borrower).overviews
            current = overview.standing.stage
            stages[borrower.customer_ref] = current.code if current else None
            breaches[borrower.customer_ref] = overview.breaches_on_loan
        now = clock.now()
        latest_contact = db.session.scalar(sa.select(sa.func.max(ContactLogEntry.contacted_at)))
        latest_entry = db.session.scalar(sa.select(sa.func.max(JournalEntry.posted_at)))
    assert stages == EXPECTED_STAGES
    assert breaches["C-DEMO-3"] >= 1
    assert sum(breaches.values()) == breaches["C-DEMO-3"]
    assert moment - timedelta(days=1) < latest_contact <= now
    assert latest_entry <= now


def test_demo_loads_once(app, clock):
    with app.app_context():
        load_demo()
        db.session.commit()
        count = db.session.scalar(sa.select(sa.func.count(Borrower.id)))
    clock.move_to(FROZEN_AT + timedelta(days=1))
    with app.app_context():
        load_demo()
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Borrower.id))) == count == len(BORROWERS)


def test_demo_request_and_complaint_wait_in_the_queues(app):
    from portal.complaints.models import Complaint
    from portal.plans.models import HardshipRequest

    with app.app_context():
        load_demo()
        db.session.commit()
        request = db.session.scalars(sa.select(HardshipRequest)).one()
        assert request.status == "submitted"
        assert db.session.get(Borrower, request.borrower_id).customer_ref == "C-DEMO-2"
        complaint = db.session.scalars(sa.select(Complaint)).one()
        assert complaint.contact_entry is not None and complaint.contact_entry.channel == "call"
        assert complaint.queue == "compliance"
        # About the late-night call of the README: 23:15 where the borrower lives.
        called = complaint.contact_entry.contacted_at.astimezone(SHANGHAI)
        assert (called.hour, called.minute) == (23, 15)
