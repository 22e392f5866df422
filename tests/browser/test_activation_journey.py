"""A borrower on a phone activates an imported account, logs out and logs back in."""

import pytest

from tests.helpers import last_code

pytestmark = pytest.mark.browser

TEXT = {
    "zh_Hans": {
        "switch": "简体中文",
        "activate": "激活我的账户",
        "send": "发送验证码",
        "home": "我的借款",
        "logout": "退出登录",
        "login": "登录",
    },
    "en": {
        "switch": "English",
        "activate": "Activate my account",
        "send": "Send me a code",
        "home": "My loans",
        "logout": "Log out",
        "login": "Log in",
    },
}


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_borrower_activates_and_logs_in_on_a_phone(
    app, live_server, phone, screenshot, make_borrower, language
):
    words = TEXT[language]
    record = make_borrower(activated=False, language=language)
    page = phone
    page.goto(live_server + "/")
    page.get_by_role("button", name=words["switch"]).click()
    page.get_by_role("link", name=words["activate"]).first.click()

    # A wrong ID number is refused on the page, with what was typed kept.
    page.locator("#loan_number").fill(record.loan_number)
    page.locator("#id_last4").fill("12")
    page.get_by_role("button", name=words["send"]).click()
    assert page.locator("#id_last4-error").is_visible()
    assert page.locator("#loan_number").input_value() == record.loan_number
    screenshot(page, "1-form-error")

    page.locator("#id_last4").fill(record.id_last4)
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/activate/code")
    with app.app_context():
        code = last_code()
    page.locator("#code").fill(code)
    page.locator("#password").fill("a phrase I will remember")
    page.locator("#confirm").fill("a phrase I will remember")
    screenshot(page, "2-code")
    page.locator("form.card button[type=submit]").click()

    page.wait_for_url("**/loans")
    assert page.get_by_role("heading", name=words["home"]).is_visible()
    assert record.loan_number in page.content()
    # Nothing spills sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "3-home")

    page.get_by_role("button", name=words["logout"]).click()
    page.locator("#identifier").fill(record.phone)
    page.locator("#password").fill("a phrase I will remember")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/loans")
    assert page.get_by_role("heading", name=words["home"]).is_visible()
