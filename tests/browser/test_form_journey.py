"""Refused forms on a phone: the reader lands on the summary of the problems, and switching
language keeps the page and what was typed (a complaint reply, a plan request); the request
form shows only the chosen kind's fields and comes back at its schedule."""

from datetime import timedelta

import pytest

from portal.complaints.service import file_complaint
from portal.extensions import db
from portal.loans.models import Borrower, LoanDueDate
from tests.browser.test_plan_journey import log_in
from tests.helpers import TODAY

pytestmark = pytest.mark.browser

IN_VIEW = """element => {
  const box = element.getBoundingClientRect();
  return box.top >= -1 && box.top < window.innerHeight && box.height > 0;
}"""


def focused_is_in_view(page, selector: str) -> bool:
    """Whether the focused element is the one `selector` finds, and the reader can see it."""
    element = page.locator(selector).first
    focused = element.evaluate("element => element === document.activeElement")
    return focused and element.evaluate(IN_VIEW)


def test_a_refused_reply_is_focused_and_survives_a_language_switch(
    app, live_server, phone, screenshot, make_borrower, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    borrower = make_borrower(language="en")
    with app.app_context():
        complaint = file_complaint(
            db.session.get(Borrower, borrower.borrower_id),
            borrower.user_id,
            category="inconvenient_contact",
            description="They called me at 23:10.",
            desired_outcome="Stop calling at night.",
            contact_id=None,
            files=[],
        )
        db.session.commit()
        complaint_id = complaint.id
    not_a_photo = tmp_path / "notes.txt"
    not_a_photo.write_text("not a photo")
    typed = "The agent called again at 23:40 yesterday. 昨晚又打来了。"

    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    phone.goto(f"{live_server}/complaints/{complaint_id}")
    phone.locator("#body").fill(typed)
    phone.locator("#attachments").set_input_files(str(not_a_photo))
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send", exact=True).click()
    summary = phone.locator("[data-error-summary]")
    assert "notes.txt" in summary.inner_text()
    assert focused_is_in_view(phone, "[data-error-summary]")
    screenshot(phone, "1-refused")

    with phone.expect_navigation():
        phone.locator(".language-switcher button[value=zh_Hans]").click()
    assert phone.locator("html").get_attribute("lang") == "zh-Hans"
    assert phone.url.endswith(f"/complaints/{complaint_id}/reply")
    assert phone.locator("#body").input_value() == typed
    # The refusal itself comes back, in the new language.
    assert "notes.txt" in phone.locator("[data-error-summary]").inner_text()
    assert "Send" not in phone.locator("main").inner_text()
    assert focused_is_in_view(phone, "[data-error-summary]")
    screenshot(phone, "2-switched")


def test_a_refused_plan_request_survives_a_language_switch(
    app, live_server, phone, screenshot, make_borrower
):
    borrower = make_borrower(language="en", principal=1_800_000)
    with app.app_context():
        db.session.add(
            LoanDueDate(
                loan_id=borrower.loan_id,
                due_on=TODAY - timedelta(days=9),
                principal_minor=300_000,
                interest_minor=0,
            )
        )
        db.session.commit()
    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    phone.goto(f"{live_server}/loans/{borrower.loan_id}/request")

    # Only the chosen kind's fields are shown (an installment plan, unless told otherwise).
    assert phone.locator("#months").is_visible()
    assert not phone.locator("#extension_days").is_visible()
    phone.get_by_label("More time").check()
    assert phone.locator("#extension_days").is_visible()
    assert not phone.locator("#months").is_visible()
    phone.get_by_label("An installment plan").check()
    # No reason is chosen for the borrower.
    assert phone.locator("#reason_code").input_value() == ""

    phone.locator("#months").fill("500")
    phone.locator("#first_due_on").fill((TODAY + timedelta(days=14)).isoformat())
    phone.locator("#reason_code").select_option("income_drop")
    phone.locator("#reason_text").fill("My shop closed in October. 我的店十月关门了。")
    with phone.expect_navigation():
        phone.get_by_role("button", name="See the schedule").click()
    assert "Enter a number of months." in phone.locator("[data-error-summary]").inner_text()
    assert focused_is_in_view(phone, "[data-error-summary]")
    screenshot(phone, "1-refused")

    with phone.expect_navigation():
        phone.locator(".language-switcher button[value=zh_Hant]").click()
    assert phone.locator("html").get_attribute("lang") == "zh-Hant"
    assert phone.locator("#months").input_value() == "500"
    assert phone.locator("#reason_code").input_value() == "income_drop"
    assert (
        phone.locator("#reason_text").input_value()
        == "My shop closed in October. 我的店十月关门了。"
    )
    assert "Enter a number" not in phone.locator("main").inner_text()
    assert phone.locator("[data-error-summary] a[href='#months']").is_visible()
    screenshot(phone, "2-switched")

    # Corrected, the schedule is shown where the borrower is.
    phone.locator("#months").fill("12")
    with phone.expect_navigation():
        phone.locator("button[value=preview]").click()
    assert phone.locator("table.schedule tbody tr").count() == 12
    assert focused_is_in_view(phone, "#preview")
    assert phone.locator("#documents").is_visible()
    screenshot(phone, "3-preview")
