"""One account truth in a phone browser: a borrower with interest charged up front pays the
overdue amount shown and is told nothing is overdue; another, with an accepted plan, sees one
schedule, the plan's installment preselected to pay, and no escalating stage."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.account.test_account_truth import up_front_interest_loan
from tests.browser.test_plan_journey import log_in
from tests.helpers import TODAY

pytestmark = pytest.mark.browser


def _interest_up_front(app, make_borrower):
    return up_front_interest_loan(app, make_borrower, language="zh_Hans")


def test_paying_the_overdue_amount_shown_stops_collection(
    app, live_server, phone, screenshot, make_borrower
):
    record = _interest_up_front(app, make_borrower)
    log_in(phone, live_server, record.phone)
    phone.wait_for_url("**/loans")
    card = phone.locator("article.loan-card").first
    assert "¥2,150.00" in card.inner_text()  # two installments of ¥1,075.00, not all interest
    screenshot(phone, "1-overdue")
    phone.get_by_role("link", name="还款", exact=True).first.click()
    phone.wait_for_url("**/pay")
    chosen = phone.locator("input[name=choice]:checked")
    assert chosen.get_attribute("value") == "overdue"
    assert "¥2,150.00" in phone.locator("form.card").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("button", name="继续付款").click()
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认付款").click()
    phone.get_by_role("link", name="收据").click()
    phone.wait_for_url("**/receipt")
    assert "现在已没有逾期款项，催收已停止。" in phone.content()
    screenshot(phone, "2-receipt")
    phone.goto(live_server + "/loans")
    card = phone.locator("article.loan-card").first
    text = card.inner_text()
    assert "您已按时还款，目前没有逾期。" in text  # nothing overdue
    assert "催收阶段" not in text
    assert "¥1,075.00" in text  # the next installment, on its date
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "3-dashboard")


def test_an_accepted_plan_is_the_one_schedule(app, live_server, phone, screenshot, make_borrower):
    from portal.loans.models import Loan
    from tests.loans.test_pages import _with_a_plan_and_a_request

    record = _interest_up_front(app, make_borrower)
    with app.app_context():
        db.session.add(
            Loan(
                borrower_id=record.borrower_id,
                loan_number=record.loan_number + "-2",
                product="personal",
                currency="CNY",
                opened_on=TODAY,
            )
        )
        db.session.commit()
    _with_a_plan_and_a_request(app, record)
    log_in(phone, live_server, record.phone)
    phone.wait_for_url("**/loans")
    card = phone.locator("article.loan-card").first
    text = card.inner_text()
    assert "您的方案正在执行中" in text and "¥200.00" in text
    assert "催收阶段" not in text and "¥2,150.00" not in text  # no overdue demand
    screenshot(phone, "1-dashboard")
    card.get_by_role("link", name="还款", exact=True).click()
    phone.wait_for_url("**/pay")
    chosen = phone.locator("input[name=choice]:checked")
    assert chosen.get_attribute("value") == "installment"
    assert "¥200.00" in phone.locator("form.card").inner_text()
    screenshot(phone, "2-pay")
    phone.goto(f"{live_server}/loans/{record.loan_id}")
    schedule = phone.locator("section[aria-labelledby=schedule]")
    assert "您的还款计划" in schedule.inner_text()
    assert "¥1,075.00" not in schedule.inner_text()  # the contract's due dates are replaced
    screenshot(phone, "3-loan")
