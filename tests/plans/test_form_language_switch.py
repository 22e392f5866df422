"""Switching language on a refused request form or decision form keeps the input and does
nothing else (the mechanism: tests/complaints/test_form_language_switch.py)."""

import re

import sqlalchemy as sa

from portal.extensions import db
from portal.plans.models import HardshipRequest, RequestDecision
from tests.helpers import csrf_token_in, log_in, submit_form
from tests.plans.test_requests import EN, QUEUE, open_request, plan_form, submit


def test_a_refused_plan_request_keeps_its_input_in_the_new_language(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    url = f"/loans/{record.loan_id}/request"
    data = {**plan_form(months=500, text="我失业了，三月能找到工作。"), "action": "submit"}
    refused = submit_form(client, url, data, headers=EN)
    assert "Enter a number of months." in refused.text
    switched = client.post(
        url,
        data={**data, "csrf_token": csrf_token_in(refused.text), "switch_language": "zh_Hant"},
        headers=EN,
    )
    assert switched.status_code == 200 and '<html lang="zh-Hant">' in switched.text
    assert 'value="500"' in switched.text and "我失业了，三月能找到工作。" in switched.text
    assert "Enter a number of months." not in switched.text
    assert open_request(app, record.loan_id) is None


def test_a_staff_decision_form_keeps_its_input_and_decides_nothing(
    app, client, overdue_loan, make_staff
):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form(months=6))
    hardship = open_request(app, record.loan_id)
    approver = app.test_client()
    log_in(approver, make_staff("approver").email)
    decide = f"/staff/requests/{hardship.id}/decide"
    data = {"action": "counter", "counter-months": "999", "counter-note": "可负担十二个月"}
    refused = submit_form(approver, QUEUE, to=decide, data=data, headers=EN)
    assert refused.status_code == 400 and 'data-resubmit="' + decide + '"' in refused.text
    switched = approver.post(
        decide,
        data={**data, "csrf_token": csrf_token_in(refused.text), "switch_language": "zh_Hans"},
        headers=EN,
    )
    assert switched.status_code == 200 and '<html lang="zh-Hans">' in switched.text
    assert 'value="999"' in switched.text and "可负担十二个月" in switched.text
    # Sent again with "confirmed", it is still only shown: nothing is decided.
    confirmed = approver.post(
        decide,
        data={
            "action": "approve",
            "confirmed": "1",
            "csrf_token": csrf_token_in(refused.text),
            "switch_language": "en",
        },
    )
    assert confirmed.status_code == 200 and '<html lang="en">' in confirmed.text
    with app.app_context():
        assert db.session.get(HardshipRequest, hardship.id).status == "submitted"
        assert not db.session.scalars(sa.select(RequestDecision)).all()


def test_a_request_refused_by_the_plan_rules_says_so_again_in_the_new_language(
    app, client, overdue_loan
):
    record = overdue_loan()
    log_in(client, record.phone)
    url = f"/loans/{record.loan_id}/request"
    data = {**plan_form(months=100, first_in=90), "action": "preview"}
    refused = submit_form(client, url, data, headers=EN)
    summary = re.search(r"<div[^>]*data-error-summary.*?</div>", refused.text, re.S).group(0)
    problems = re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", summary, re.S)
    assert len(problems) >= 2 and "The exact terms" not in refused.text
    carried = re.search(r'name="form_refusals" value="([^"]+)"', refused.text).group(1)
    switched = client.post(
        url,
        data={
            **data,
            "csrf_token": csrf_token_in(refused.text),
            "switch_language": "zh_Hant",
            "form_refusals": carried,
        },
        headers=EN,
    )
    again = re.search(r"<div[^>]*data-error-summary.*?</div>", switched.text, re.S).group(0)
    shown = re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", again, re.S)
    assert len(shown) == len(problems) and not set(shown) & set(problems)
    text = re.sub(r"<[^>]+>", "", " ".join(shown))
    assert "第一期" in text and not re.findall(r"[A-Za-z]{4,}", text)  # Chinese, not English
