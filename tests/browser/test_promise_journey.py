"""A borrower on a phone promises to pay in 5 days; the dashboard shows the hold. The date
passes unpaid, the tick breaks the promise, and escalation is back on the ladder."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.loans.models import LoanDueDate
from tests.helpers import TEST_PASSWORD, TODAY, shanghai

pytestmark = pytest.mark.browser


def log_in(page, base, identifier, password=TEST_PASSWORD):
    page.goto(base + "/login")
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()


def test_a_broken_promise_resumes_escalation(
    app, live_server, phone, screenshot, make_borrower, clock
):
    borrower = make_borrower(language="en", principal=1_000_000)
    with app.app_context():
        for days, principal in ((-3, 30_000), (60, 970_000)):
            db.session.add(
                LoanDueDate(
                    loan_id=borrower.loan_id,
                    due_on=TODAY + timedelta(days=days),
                    principal_minor=principal,
                    interest_minor=0,
                )
            )
        db.session.commit()
    next_stage = "If nothing changes, the next stage, Phone contact, starts on"

    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    assert phone.get_by_text(next_stage).is_visible()
    assert phone.locator(".stage-now strong").first.inner_text() == "Early warning"
    phone.get_by_role("link", name="Promise to pay").first.click()
    phone.locator("#amount").fill("300.00")
    phone.locator("#due_on").fill((TODAY + timedelta(days=5)).isoformat())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "1-promise")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Promise to pay").click()
    phone.wait_for_url("**/loans")
    assert phone.get_by_text(
        "You promised to pay ¥300.00 by 25 November 2026. Escalation is on hold until then."
    ).is_visible()
    assert phone.get_by_text(next_stage).count() == 0
    assert phone.get_by_role("link", name="Promise to pay").count() == 0
    screenshot(phone, "2-held")

    # The day after the date, nothing paid: the tick breaks the promise.
    clock.move_to(shanghai(TODAY + timedelta(days=6), 9, 0))
    result = app.test_cli_runner().invoke(args=["portal", "tick"])
    assert "promises_broken 1" in result.output, result.output

    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    assert phone.get_by_text("You promised to pay").count() == 0
    # Collection resumes where it stood: three days past due, phone contact the day after.
    assert phone.get_by_text(next_stage + " 27 November 2026.").is_visible()
    assert phone.get_by_role("link", name="Promise to pay").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "3-broken")

    # The next day, the stage escalates.
    clock.move_to(shanghai(TODAY + timedelta(days=7), 9, 0))
    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    assert phone.locator(".stage-now strong").first.inner_text() == "Phone contact"
    screenshot(phone, "4-escalated")
