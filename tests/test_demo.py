"""The demo data: every collection stage, loaded through the import, once."""

from datetime import date

import sqlalchemy as sa

from portal import clock
from portal.account.overview import dashboard
from portal.demo import BORROWERS, load_demo
from portal.extensions import db
from portal.loans.contact_rules import in_quiet_hours
from portal.loans.models import Borrower
from portal.loans.service import contact_rules

EXPECTED_STAGES = {
    "C-DEMO-1": None,
    "C-DEMO-2": "early_warning",
    "C-DEMO-3": "phone_contact",
    "C-DEMO-4": "agency",
    "C-DEMO-5": "lawyer_letter",
    "C-DEMO-6": "litigation",
    "C-DEMO-7": None,
}


def test_demo_has_a_borrower_in_every_stage(app):
    with app.app_context():
        load_demo()
        db.session.commit()
        stages, breaches = {}, {}
        for borrower in db.session.scalars(sa.select(Borrower)):
            (overview,) = dashboard(borrower).overviews
            current = overview.standing.stage
            stages[borrower.customer_ref] = current.code if current else None
            breaches[borrower.customer_ref] = overview.breaches_on_loan
    assert stages == EXPECTED_STAGES
    assert breaches["C-DEMO-3"] >= 1
    assert sum(breaches.values()) == breaches["C-DEMO-3"]


def test_demo_loads_once(app):
    with app.app_context():
        load_demo(date(2026, 11, 22))
        db.session.commit()
        count = db.session.scalar(sa.select(sa.func.count(Borrower.id)))
        load_demo(date(2026, 11, 23))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Borrower.id))) == count == len(BORROWERS)


def test_demo_complaint_is_about_the_late_night_call(app):
    from portal.complaints.models import Complaint

    with app.app_context():
        load_demo()
        db.session.commit()
        complaint = db.session.scalars(sa.select(Complaint)).one()
        call = complaint.contact_entry
        assert call is not None and call.channel == "call"
        # Late at night where the borrower lives: inside the quiet hours of the contact rules.
        local_time = call.contacted_at.astimezone(clock.zone_of(complaint.borrower)).time()
        assert in_quiet_hours(local_time, contact_rules())
        assert complaint.queue == "compliance"
