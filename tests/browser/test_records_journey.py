"""The borrower's records in a phone browser: the receipt names the lender and how it was
paid, and the readable copy of their data fits the screen and prints without the site's
navigation, in Chinese."""

from __future__ import annotations

import pytest

from tests.account.test_my_data import _records_of
from tests.browser.test_plan_journey import log_in

pytestmark = pytest.mark.browser


def _overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def test_the_readable_copy_fits_a_phone_and_prints_without_navigation(
    app, live_server, phone, screenshot, make_borrower, make_staff
):
    record = make_borrower(language="zh_Hans")
    _records_of(app, record, make_staff("approver"), make_staff("support"), "MINE")
    log_in(phone, live_server, record.phone)
    phone.goto(live_server + "/rights")
    with phone.expect_navigation():
        phone.get_by_role("link", name="查看我的数据副本").click()
    assert phone.get_by_role("heading", name="您的个人数据副本").is_visible()
    assert phone.get_by_role("heading", name="谁查看或更改了您的数据").count() == 1
    assert "2026年11月18日 23:10" in phone.locator("section.data-loan").inner_text()
    assert not _overflows(phone)
    screenshot(phone, "1-copy")
    phone.emulate_media(media="print")
    assert not phone.locator("header.site-header").is_visible()
    assert not phone.locator("nav.account-nav").is_visible()
    assert not phone.get_by_role("link", name="下载机器可读副本").is_visible()
    assert phone.locator("table.data-table thead").first.is_visible()  # tables whole on paper
    screenshot(phone, "2-print")


def test_the_public_login_page_names_the_lender_on_a_phone(live_server, phone, screenshot):
    phone.goto(live_server + "/login")
    footer = phone.locator("footer .lender-contact")
    assert "示例消费金融有限公司" in footer.inner_text()
    assert footer.get_by_role("link", name="400-800-1234").get_attribute("href") == (
        "tel:4008001234"
    )
    assert not _overflows(phone)
    screenshot(phone, "login")
