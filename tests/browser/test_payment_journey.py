"""A borrower on a phone pays the overdue amount through the development payment path and
sees the new balance and the receipt."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.loans.models import LoanDueDate
from tests.browser.test_plan_journey import log_in
from tests.helpers import TODAY

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "language, words",
    [
        (
            "en",
            {
                "pay": "Pay",
                "continue": "Continue to payment",
                "confirm": "Confirm the payment",
                "paid": "Payment received. Thank you.",
                "receipt": "Receipt",
                "title": "Payment receipt",
                "switch": "English",
            },
        ),
        (
            "zh_Hans",
            {
                "pay": "还款",
                "continue": "继续付款",
                "confirm": "确认付款",
                "paid": "已收到您的还款，谢谢。",
                "receipt": "收据",
                "title": "还款收据",
                "switch": "简体中文",
            },
        ),
    ],
)
def test_pay_the_overdue_amount_on_a_phone(
    app, live_server, phone, screenshot, make_borrower, language, words
):
    borrower = make_borrower(language=language, principal=300_000)
    with app.app_context():
        today = TODAY
        for offset, amount in ((-6, 100_000), (24, 200_000)):
            db.session.add(
                LoanDueDate(
                    loan_id=borrower.loan_id,
                    due_on=today + timedelta(days=offset),
                    principal_minor=amount,
                    interest_minor=0,
                )
            )
        db.session.commit()
    log_in(phone, live_server, borrower.phone)
    phone.wait_for_url("**/loans")
    phone.get_by_role("link", name=words["pay"], exact=True).first.click()
    phone.wait_for_url("**/pay")
    phone.locator("form.card").wait_for()
    assert "1,000.00" in phone.locator("form.card").inner_text()
    screenshot(phone, "1-choose")
    with phone.expect_navigation():
        phone.get_by_role("button", name=words["continue"]).click()
    screenshot(phone, "2-development")
    with phone.expect_navigation():
        phone.get_by_role("button", name=words["confirm"]).click()
    status = phone.get_by_role("status")
    assert words["paid"] in status.inner_text()
    screenshot(phone, "3-paid")
    phone.get_by_role("link", name=words["receipt"]).click()
    phone.wait_for_url("**/receipt")
    assert phone.get_by_role("heading", name=words["title"]).is_visible()
    assert "1,000.00" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "4-receipt")
    phone.goto(live_server + "/loans")
    assert "2,000.00" in phone.content()  # 3,000.00 owed, 1,000.00 paid
    screenshot(phone, "5-dashboard")
