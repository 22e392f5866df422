"""A borrower on a phone: activate an imported account, read the dashboard, open the loan."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.imports.service import import_file
from tests.helpers import TODAY, last_code

pytestmark = pytest.mark.browser

PASSWORD = "a phrase I will remember"
TEXT = {
    "zh_Hans": {
        "switch": "简体中文",
        "activate": "激活我的账户",
        "send": "发送验证码",
        "home": "我的借款",
        "logout": "退出登录",
        "stage": "电话沟通",
        "details": "借款详情及完整催收联系记录",
        "log": "催收联系记录",
        "breach": "违反了联系规范",
    },
    "en": {
        "switch": "English",
        "activate": "Activate my account",
        "send": "Send me a code",
        "home": "My loans",
        "logout": "Log out",
        "stage": "Phone contact",
        "details": "Loan details and full contact log",
        "log": "Contact log",
        "breach": "broke the contact rules",
    },
}


def import_overdue_borrower(app, tmp_path, language):
    """Through the import: a loan 12 days overdue with a late-night call in its contact log."""
    today = TODAY
    due = today - timedelta(days=12)
    late_call = datetime.combine(due + timedelta(days=5), datetime.min.time(), tzinfo=UTC)
    rows = [
        {
            "record": "borrower",
            "customer_ref": "B-1",
            "full_name": "周婷",
            "id_last4": "7788",
            "phone": "13700007788",
            "email": "ting@example.com",
            "preferred_language": language,
        },
        {
            "record": "loan",
            "loan_number": "WEB-1",
            "customer_ref": "B-1",
            "product": "personal",
            "currency": "CNY",
            "opened_on": (due - timedelta(days=30)).isoformat(),
        },
        {
            "record": "due_date",
            "loan_number": "WEB-1",
            "due_on": due.isoformat(),
            "principal": 300_000,
            "interest": 12_000,
        },
        {
            "record": "journal",
            "loan_number": "WEB-1",
            "reference": "T1",
            "kind": "charge",
            "posted_at": f"{(due - timedelta(days=30)).isoformat()}T10:00:00+08:00",
            "principal": 300_000,
            "interest": 12_000,
        },
        {
            "record": "contact",
            "loan_number": "WEB-1",
            "reference": "K1",
            "channel": "call",
            "contacted_at": (late_call + timedelta(hours=15, minutes=20)).isoformat(),
            "agent": "A017",
            "outcome": "answered",
        },
        {
            "record": "contact",
            "loan_number": "WEB-1",
            "reference": "K2",
            "channel": "sms",
            "contacted_at": (late_call + timedelta(hours=2)).isoformat(),
            "agent": "SYSTEM",
            "outcome": "delivered",
        },
    ]
    path = tmp_path / "lender.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    with app.app_context():
        assert import_file(str(path)).errors == []
        db.session.commit()


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_borrower_activates_reads_dashboard_and_opens_loan_on_a_phone(
    app, live_server, phone, screenshot, tmp_path, language
):
    words = TEXT[language]
    import_overdue_borrower(app, tmp_path, language)
    page = phone
    page.goto(live_server + "/")
    page.get_by_role("button", name=words["switch"]).click()
    page.get_by_role("link", name=words["activate"]).first.click()

    # A wrong ID number is refused on the page, with what was typed kept.
    page.locator("#loan_number").fill("web-1")
    page.locator("#id_last4").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name=words["send"]).click()
    assert page.locator("#id_last4-error").is_visible()
    assert page.locator("#loan_number").input_value() == "web-1"
    screenshot(page, "1-form-error")

    page.locator("#id_last4").fill("7788")
    with page.expect_navigation():
        page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/activate/code")
    with app.app_context():
        code = last_code()
    page.locator("#code").fill(code)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    screenshot(page, "2-code")
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()

    # The dashboard: what is overdue, the stage and the marked contact.
    page.wait_for_url("**/loans")
    assert page.get_by_role("heading", name=words["home"]).is_visible()
    content = page.content()
    assert "3,120.00" in content and words["stage"] in content and words["breach"] in content
    assert page.locator(".rung.current").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "3-dashboard")

    # The loan page: journal, chart and the full contact log.
    page.get_by_role("link", name=words["details"]).click()
    page.wait_for_url("**/loans/*")
    assert page.get_by_role("heading", name=words["log"]).is_visible()
    assert page.locator("svg[role=img]").is_visible()
    assert page.locator(".contact.breach").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "4-loan")

    # Log out and back in with the new password.
    with page.expect_navigation():
        page.get_by_role("button", name=words["logout"]).click()
    page.locator("#identifier").fill("13700007788")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/loans")
    assert page.get_by_role("heading", name=words["home"]).is_visible()
