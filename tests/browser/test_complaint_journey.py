"""A borrower on a phone complains about a marked late-night call with a screenshot; support
on a desktop replies and resolves; the borrower sees the resolution and disputes it; the
complaint is back in the queue."""

import re
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.loans.models import ContactLogEntry
from tests.browser.test_plan_journey import log_in
from tests.helpers import TODAY, shanghai

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_complaint_reply_resolve_and_dispute(
    app, live_server, phone, desktop, screenshot, make_borrower, make_staff, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    borrower = make_borrower(language="en")
    yesterday = TODAY - timedelta(days=1)
    with app.app_context():
        db.session.add(
            ContactLogEntry(
                loan_id=borrower.loan_id,
                reference="NIGHT-1",
                channel="call",
                party="borrower",
                contacted_at=shanghai(yesterday, 23, 30),
                agent="A023",
                outcome="answered",
            )
        )
        db.session.commit()
    support = make_staff("support")
    screenshot_file = tmp_path / "screenshot.png"
    screenshot_file.write_bytes(PNG)

    # The borrower finds the marked call on the loan page and complains about it.
    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    phone.get_by_role("link", name=re.compile(r"^Loan details")).click()  # contacts or notices
    phone.wait_for_url(f"**/loans/{borrower.loan_id}")
    marked = phone.locator(".contact.breach")
    marked.first.wait_for()
    assert marked.count() == 1
    marked.get_by_role("link", name="Complain about this contact").click()
    assert phone.get_by_text("Contact between 22:00 and 08:00 is not allowed.").is_visible()
    assert phone.locator("#category").input_value() == "inconvenient_contact"
    phone.locator("#description").fill("The agent called me at 23:30 and shouted.")
    phone.locator("#desired_outcome").fill("No more calls at night, and an apology.")
    phone.locator("#attachments").set_input_files(str(screenshot_file))
    screenshot(phone, "1-form")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send the complaint").click()
    phone.wait_for_url("**/complaints/*")
    assert phone.get_by_text("Your reference number is").is_visible()
    reference = phone.locator("h1").inner_text().split()[-1]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "2-filed")

    # Support, on a desktop, replies and resolves.
    log_in(desktop, live_server, support.email)
    desktop.wait_for_url("**/staff/complaints/")
    desktop.get_by_role("link", name=reference).click()
    assert desktop.get_by_text("screenshot.png").is_visible()
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Claim").click()
    desktop.locator("#reply-body").fill("We are listening to the call recording.")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Send to the borrower").click()
    screenshot(desktop, "3-support")
    with desktop.expect_navigation():
        desktop.get_by_role("link", name="Resolve the complaint…").click()
    desktop.get_by_label("Answered with non-monetary relief").check()
    desktop.locator("#body").fill(
        "The call broke the rules. The agent has been removed from your account and we apologise."
    )
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Review the resolution").click()
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Resolve and tell the borrower").click()
    desktop.wait_for_url("**/staff/complaints/*")

    # The borrower sees the resolution and disputes it.
    phone.reload()
    assert phone.get_by_text("Answered with non-monetary relief").is_visible()
    assert phone.get_by_text("We are listening to the call recording.").is_visible()
    phone.locator("#reason").fill("The night calls did not stop.")
    screenshot(phone, "4-resolution")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Dispute the resolution").click()
    assert phone.get_by_text("Reopened").first.is_visible()

    # It is back in the support queue, with a higher priority.
    desktop.goto(live_server + "/staff/complaints/")
    row = desktop.locator("tr", has_text=reference)
    assert row.count() == 1 and "Urgent" in row.inner_text()
    screenshot(desktop, "5-queue")
