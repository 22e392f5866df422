"""What the pages call things: words that say what happened, in each language."""

from datetime import UTC, datetime

import pytest

from tests.helpers import log_in, submit_form
from tests.test_i18n import _complaint_for, _request_for, _rich_borrower


def _language(client, language):
    submit_form(client, "/", to="/language", data={"language": language})


def _journal_kinds(html):
    import re

    return re.findall(r'<span class="journal-kind">([^<]+)</span>', html)


@pytest.mark.parametrize(
    "language, paid_out, interest, fee",
    [
        ("zh_Hans", "贷款发放", "计收利息", "计收费用"),
        ("zh_Hant", "貸款撥款", "計收利息", "計收費用"),
        ("en", "Loan paid out", "Interest charged", "Fee charged"),
    ],
)
def test_a_charge_says_whether_it_paid_out_the_loan_or_added_interest_or_a_fee(
    app, client, make_borrower, language, paid_out, interest, fee
):
    from portal.extensions import db
    from portal.loans.journal import Components
    from portal.loans.service import post_entry

    record = make_borrower()
    with app.app_context():
        post_entry(
            record.loan_id,
            "charge",
            Components(interest=3_000),
            posted_at=datetime(2026, 10, 1, tzinfo=UTC),
        )
        post_entry(
            record.loan_id,
            "charge",
            Components(fee=5_000),
            posted_at=datetime(2026, 11, 3, tzinfo=UTC),
        )
        db.session.commit()
    log_in(client, record.phone)
    _language(client, language)
    kinds = _journal_kinds(client.get(f"/loans/{record.loan_id}").text)
    # Newest first: the late fee, the interest, then the loan paid out in January.
    assert kinds == [fee, interest, paid_out]


@pytest.mark.parametrize(
    "language, refused, by",
    [("zh_Hans", "拒绝还款", "经办方"), ("zh_Hant", "拒絕還款", "經辦方")],
)
def test_a_refused_contact_says_what_was_refused_and_who_acted_is_neutral(
    app, client, make_borrower, language, refused, by
):
    record = _rich_borrower(app, make_borrower)
    log_in(client, record.phone)
    _language(client, language)
    html = client.get(f"/loans/{record.loan_id}").text
    assert f"<dd>{refused}</dd>" in html
    assert f"<dt>{by}</dt>" in html
    assert "<dt>催收人员</dt>" not in html


@pytest.mark.parametrize(
    "language, sentence",
    [
        ("zh_Hans", "。还清逾期金额后，催收将不再升级。"),
        ("zh_Hant", "。還清逾期金額後，催收將不再升級。"),
        ("en", ". Paying the overdue amount stops escalation."),
    ],
)
def test_the_pay_page_puts_no_space_between_chinese_sentences(
    app, client, make_borrower, language, sentence
):
    record = _rich_borrower(app, make_borrower)
    log_in(client, record.phone)
    _language(client, language)
    html = client.get(f"/loans/{record.loan_id}/pay").text
    assert sentence in html


@pytest.mark.parametrize(
    "language, title",
    [
        ("zh_Hans", "页面已过期，请刷新后重试"),
        ("zh_Hant", "頁面已逾時，請重新整理後再試"),
        ("en", "This page has expired: reload it and try again"),
    ],
)
def test_a_form_sent_from_an_expired_page_says_the_page_expired(app, language, title):
    client = app.test_client()
    _language(client, language)
    response = client.post("/login", data={"identifier": "x", "password": "y", "csrf_token": ""})
    assert response.status_code == 400
    assert f"<h1>{title}</h1>" in response.text
    assert "请求内容有误" not in response.text


@pytest.mark.parametrize(
    "language, status, outcome, until",
    [
        ("zh_Hans", "已给出处理结果", "给予金钱补偿", "前可提出异议"),
        ("zh_Hant", "已提出處理結果", "給予金錢補償", "前可提出異議"),
        ("en", "Resolved", "Answered with monetary relief", "you can dispute it until"),
    ],
)
def test_a_resolution_that_can_still_be_disputed_does_not_read_as_closed(
    app, client, make_borrower, language, status, outcome, until
):
    record = _rich_borrower(app, make_borrower)
    complaint, _contact = _complaint_for(app, record, resolved=True)
    log_in(client, record.phone)
    _language(client, language)
    html = client.get(f"/complaints/{complaint}").text
    assert f"<strong>{status}</strong> · " in html
    assert until in html
    assert f"<strong>{outcome}</strong>" in html
    for closed in ("已办结", "已辦結", "Closed with", "已結案"):
        assert closed not in html


@pytest.mark.parametrize("language, column", [("zh_Hans", "提交时间"), ("zh_Hant", "提交時間")])
def test_the_approver_queue_says_when_a_request_was_submitted(
    app, client, make_borrower, make_staff, language, column
):
    borrower = make_borrower()
    _request_for(app, make_borrower, borrower, offer=False)
    approver = make_staff("approver")
    log_in(client, approver.email)
    _language(client, language)
    html = client.get("/staff/requests/").text
    assert f'<th scope="col">{column}</th>' in html
    assert "已发送" not in html and "已發送" not in html
