"""Support on a 1280x800 desktop: pressing Enter in a field of the complaint page never claims
the complaint or takes another action; Enter in the relief amount only shows the resolution's
summary, which records nothing until it is confirmed."""

import pytest
import sqlalchemy as sa

from portal.complaints import service
from portal.complaints.models import Complaint, ComplaintMessage
from portal.extensions import db
from portal.loans.models import Borrower
from tests.browser.test_plan_journey import log_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def support_desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def _complaint(app, make_borrower) -> int:
    record = make_borrower(language="en")
    with app.app_context():
        complaint = service.file_complaint(
            db.session.get(Borrower, record.borrower_id),
            record.user_id,
            category="wrong_amount",
            description="The late fee of 2026-11-03 is wrong.",
            desired_outcome="Refund the fee.",
            contact_id=None,
            files=[],
        )
        db.session.commit()
        return complaint.id


def _state(app, complaint_id):
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        kinds = db.session.scalars(
            sa.select(ComplaintMessage.kind).where(ComplaintMessage.complaint_id == complaint_id)
        ).all()
        return complaint.status, complaint.assigned_to_id, complaint.outcome, kinds


def test_enter_in_the_complaint_page_never_claims_or_acts(
    app, live_server, support_desktop, screenshot, make_borrower, make_staff
):
    page = support_desktop
    complaint_id = _complaint(app, make_borrower)
    log_in(page, live_server, make_staff("support").email)
    page.goto(f"{live_server}/staff/complaints/{complaint_id}")
    assert page.get_by_role("button", name="Claim").is_visible()

    # Enter in the reply to the borrower is a new line: nothing is sent, nothing claimed.
    reply = page.locator("#reply-body")
    reply.click()
    reply.type("We are checking the fee.")
    reply.press("Enter")
    reply.type("Thank you for waiting.")
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/staff/complaints/{complaint_id}")
    assert reply.input_value() == "We are checking the fee.\nThank you for waiting."
    note = page.locator("#note-body")
    note.fill("Fee posted twice by the import.")
    note.press("Enter")
    page.wait_for_timeout(300)
    assert _state(app, complaint_id) == ("new", None, None, [])
    # Both texts are still there, each in its own composer.
    assert reply.input_value() == "We are checking the fee.\nThank you for waiting."
    assert note.input_value() == "Fee posted twice by the import.\n"
    screenshot(page, "1-composers")

    # The borrower's reply goes with its own button, and only it.
    with page.expect_navigation():
        page.get_by_role("button", name="Send to the borrower").click()
    status, assignee, outcome, kinds = _state(app, complaint_id)
    assert (status, assignee, outcome, kinds) == ("acknowledged", None, None, ["staff_reply"])
    assert page.get_by_role("button", name="Claim").is_visible()


def test_enter_in_the_relief_amount_shows_the_summary_and_records_nothing(
    app, live_server, support_desktop, screenshot, make_borrower, make_staff
):
    page = support_desktop
    complaint_id = _complaint(app, make_borrower)
    log_in(page, live_server, make_staff("support").email)
    page.goto(f"{live_server}/staff/complaints/{complaint_id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Resolve the complaint…").click()
    page.get_by_label("Answered with monetary relief").check()
    page.locator("#body").fill("The fee was charged twice; we refund one of them.")
    relief = page.locator("#relief")
    relief.fill("150.00")
    screenshot(page, "1-resolve")
    with page.expect_navigation():
        relief.press("Enter")

    # A summary to confirm: nothing recorded, nothing claimed, what was typed shown.
    assert page.get_by_role("heading", name="Confirm the resolution").is_visible()
    assert page.get_by_text("¥150.00").is_visible()
    assert page.get_by_text("The fee was charged twice; we refund one of them.").is_visible()
    assert _state(app, complaint_id) == ("new", None, None, [])
    screenshot(page, "2-summary")

    # "Change" brings back the form with everything typed.
    with page.expect_navigation():
        page.get_by_role("button", name="Change the resolution").click()
    assert page.locator("#relief").input_value() == "150.00"
    assert page.get_by_label("Answered with monetary relief").is_checked()
    assert "refund one of them" in page.locator("#body").input_value()
    with page.expect_navigation():
        page.locator("#relief").press("Enter")

    # Only the confirmation records it, once.
    with page.expect_navigation():
        page.get_by_role("button", name="Resolve and tell the borrower").click()
    done = "The complaint is resolved and the borrower has been told."
    assert page.get_by_text(done).is_visible()
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.outcome, complaint.relief_minor) == (
            "resolved",
            "monetary_relief",
            15_000,
        )
        assert complaint.assigned_to_id is None  # resolving did not claim it
    screenshot(page, "3-resolved")
