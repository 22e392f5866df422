"""A borrower on a phone asks to correct their address with a PDF; support on a desktop reviews
the change on a summary and accepts it; the borrower sees the new address and the answer."""

import re

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from portal.loans.models import Borrower
from tests.browser.test_plan_journey import log_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n" + b"0" * 256
NEW_ADDRESS = "上海市浦东新区世纪大道100号 8楼 801室"


def test_address_correction_asked_accepted_and_shown(
    app, live_server, phone, desktop, screenshot, make_borrower, make_staff, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    borrower = make_borrower(language="en")
    support = make_staff("support")
    bill = tmp_path / "utility-bill.pdf"
    bill.write_bytes(PDF)

    # The borrower goes from their rights to their data and asks to correct the address.
    log_in(phone, live_server, borrower.phone)
    phone.goto(live_server + "/rights")
    phone.get_by_role("link", name="Correct my data").click()
    phone.wait_for_url("**/rights/corrections/")
    phone.get_by_role("link", name="Correct: Address").click()
    assert phone.get_by_role("radio", name="Address", exact=True).is_checked()
    phone.locator("#value").fill(NEW_ADDRESS)
    phone.locator("#explanation").fill("I moved in March.")
    phone.locator("#evidence").set_input_files(str(bill))
    screenshot(phone, "1-form")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send the request").click()
    phone.wait_for_url("**/rights/corrections/*")
    assert phone.get_by_text("Waiting for an answer").is_visible()
    assert phone.get_by_text("We answer by 5 December 2026 at the latest.").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "2-sent")

    # Support, on a desktop, finds it in the queue, reviews the change and confirms it.
    log_in(desktop, live_server, support.email)
    desktop.get_by_role("link", name="Data corrections").click()
    desktop.wait_for_url("**/staff/corrections/")
    row = desktop.locator("tr", has_text="张三")
    assert "Address" in row.inner_text() and "0 days" in row.inner_text()
    screenshot(desktop, "3-queue")
    row.get_by_role("link", name="张三").click()
    assert desktop.get_by_text("utility-bill.pdf").is_visible()
    desktop.locator("#accept-message").fill("We have updated your address.")
    screenshot(desktop, "4-request")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Review the correction").click()
    assert desktop.get_by_role("heading", name="Confirm the correction").is_visible()
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).address is None
    screenshot(desktop, "5-confirm")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Correct the data").click()
    desktop.wait_for_url("**/staff/corrections/")
    assert desktop.get_by_text("No correction request is waiting for an answer.").is_visible()
    with app.app_context():
        assert db.session.get(Borrower, borrower.borrower_id).address == NEW_ADDRESS
        assert db.session.scalar(
            sa.select(AuditEntry.details).where(AuditEntry.action == "correction.accepted")
        ) == {"field": "address", "old": None, "new": NEW_ADDRESS}

    # The borrower sees the answer and the new address.
    phone.reload()
    assert phone.get_by_text("Corrected", exact=True).is_visible()
    assert phone.get_by_text(f"It now reads: {NEW_ADDRESS}").is_visible()
    assert phone.get_by_text("We have updated your address.").is_visible()
    screenshot(phone, "6-answer")
    phone.get_by_role("link", name="Correct your data").click()
    held = phone.locator(
        ".held-data div", has=phone.locator("dt", has_text=re.compile("^Address$"))
    )
    assert NEW_ADDRESS in held.inner_text()
    screenshot(phone, "7-data")
