"""A borrower asks for a 12-month plan on a phone; an approver counter-offers 18 months on a
desktop; the borrower accepts and the dashboard shows the schedule."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.loans.models import LoanDueDate
from tests.helpers import TEST_PASSWORD, TODAY, totp_code

pytestmark = pytest.mark.browser


def log_in(page, base, identifier, password=TEST_PASSWORD):
    page.goto(base + "/login")
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()
    if page.url.endswith("/login/code"):
        # Staff: the second step, with the code of the factories' authenticator secret.
        page.locator("#code").fill(totp_code())
        with page.expect_navigation():
            page.locator("form.card button[type=submit]").click()


def test_plan_request_counter_offer_and_acceptance(
    app, live_server, phone, desktop, screenshot, make_borrower, make_staff
):
    borrower = make_borrower(language="en", principal=1_800_000)
    today = TODAY
    with app.app_context():
        db.session.add(
            LoanDueDate(
                loan_id=borrower.loan_id,
                due_on=today - timedelta(days=9),
                principal_minor=300_000,
                interest_minor=0,
            )
        )
        db.session.commit()
    approver = make_staff("approver")

    # The borrower, on a phone, asks for 12 monthly installments.
    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    phone.get_by_role("link", name="Ask for more time or a plan").first.click()
    phone.get_by_label("An installment plan").check()
    phone.locator("#months").fill("12")
    phone.locator("#first_due_on").fill((today + timedelta(days=14)).isoformat())
    phone.locator("#reason_code").select_option("income_drop")
    with phone.expect_navigation():
        phone.get_by_role("button", name="See the schedule").click()
    assert phone.get_by_role("heading", name="The exact terms you are asking for").is_visible()
    assert phone.locator("table.schedule tbody tr").count() == 12
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "1-preview")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send this request").click()
    phone.wait_for_url("**/requests/*")
    assert phone.get_by_text("Waiting for a decision").is_visible()
    screenshot(phone, "2-sent")

    # The approver, on a desktop, counter-offers 18 months: the counter-offer starts from the
    # terms asked for, and pressing Enter in it can only ever send the counter-offer.
    log_in(desktop, live_server, approver.email)
    desktop.wait_for_url("**/staff/requests/")
    desktop.get_by_role("link", name=borrower.loan_number).count()
    desktop.locator("table a").first.click()
    assert desktop.locator("#counter-months").input_value() == "12"
    desktop.locator("#counter-months").fill("18")
    desktop.locator("#counter-first_due_on").fill((today + timedelta(days=20)).isoformat())
    screenshot(desktop, "3-review")
    with desktop.expect_navigation():
        desktop.locator("#counter-months").press("Enter")
    assert desktop.get_by_role("heading", name="Confirm this counter-offer").is_visible()
    assert desktop.locator("table.schedule tbody tr").count() == 18
    screenshot(desktop, "3b-confirm")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Send this counter-offer").click()
    desktop.wait_for_url("**/staff/requests/")
    assert desktop.get_by_text("Your decision has been recorded.").is_visible()

    # The borrower reads the offer as an agreement and accepts it.
    phone.reload()
    assert phone.get_by_role("heading", name="The lender offers you different terms").is_visible()
    assert phone.locator("table.schedule tbody tr").count() == 18
    phone.get_by_label("I have read these terms and I accept them.").check()
    screenshot(phone, "4-offer")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Accept these terms").click()
    phone.wait_for_url("**/loans")
    assert phone.get_by_text("Your plan is active").is_visible()
    assert phone.get_by_text("0 of 18 installments paid.").is_visible()
    assert phone.get_by_text("Collection is stopped while you keep to your plan.").is_visible()
    phone.get_by_text("The whole schedule").click()
    assert phone.locator(".plan-schedule li").count() == 18
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "5-dashboard")
