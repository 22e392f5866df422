"""A borrower on a phone asks for "SMS only, not after 20:00, never my employer"; a later
imported phone call at 20:30 is marked as breaking their own preferences, and they complain
about it in one step with the matching category chosen for them."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.loans.models import ContactLogEntry, ContactPreference
from tests.browser.test_plan_journey import log_in
from tests.helpers import TODAY, shanghai

pytestmark = pytest.mark.browser


def test_contact_preferences_bind_collectors_and_a_breach_is_one_step_from_a_complaint(
    app, live_server, phone, screenshot, make_borrower, clock
):
    borrower = make_borrower(language="en")

    # On a phone, the borrower narrows how collectors may contact them.
    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    phone.get_by_role("link", name="Settings").click()
    phone.wait_for_url("**/settings")
    for channel in ("Phone call", "E-mail", "Letter", "Visit"):
        phone.get_by_label(channel, exact=True).uncheck()
    assert phone.get_by_label("Text message", exact=True).is_checked()
    phone.locator("#latest").select_option("20:00")
    phone.get_by_label("My employer or workplace").check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "1-preferences")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Save my contact preferences").click()
    assert phone.get_by_text("Your contact preferences are saved.").is_visible()
    with app.app_context():
        saved = db.session.scalars(sa.select(ContactPreference)).one()
        assert saved.channel_codes == {"sms"} and saved.barred_party_codes == {"employer"}

    # That evening an agent calls anyway at 20:30; the lender's import brings it in next day.
    clock.move_to(shanghai(TODAY + timedelta(days=1), 9, 0))
    with app.app_context():
        db.session.add(
            ContactLogEntry(
                loan_id=borrower.loan_id,
                reference="EVENING-CALL",
                channel="call",
                party="borrower",
                contacted_at=shanghai(TODAY, 20, 30),
                agent="A031",
                outcome="answered",
            )
        )
        db.session.commit()

    log_in(phone, live_server, borrower.phone)  # the session of yesterday has ended
    phone.wait_for_url("**/loans")
    phone.get_by_role("link", name=re.compile(r"^Loan details")).click()  # contacts or notices
    marked = phone.locator(".contact.breach")
    assert marked.count() == 1
    assert marked.get_by_text(
        "You were contacted this way although you asked to be contacted only by: Text message."
    ).is_visible()
    assert marked.get_by_text(
        "You were contacted after 20:00, the latest hour you allowed."
    ).is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "2-marked")

    # One step: the complaint form, about this call, with the category the breach suggests.
    marked.get_by_role("link", name="Complain about this contact").click()
    phone.wait_for_url("**/complaints/new?contact=*")
    assert phone.locator("#category").input_value() == "inconvenient_contact"
    assert phone.get_by_text(
        "You were contacted after 20:00, the latest hour you allowed."
    ).is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "3-complaint")
