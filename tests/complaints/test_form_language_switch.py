"""Switching language on a page that shows a refused form keeps the page and what was typed.

The page's script sends the refused form again with `switch_language` (portal/static/js/forms.js;
the browser tests press the real switcher); without a script the switcher shows the page the
form was on instead of a form-only address (405).
"""

import re

import sqlalchemy as sa

from portal.complaints.models import Complaint, ComplaintMessage
from portal.extensions import db
from tests.complaints.test_complaints import complaints, file_complaint
from tests.helpers import csrf_token_in, log_in, submit_form

EN = {"Accept-Language": "en"}
LONG = "x" * 4001


def _messages(app, complaint_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(ComplaintMessage).where(ComplaintMessage.complaint_id == complaint_id)
        ).all()


def test_a_refused_complaint_reply_is_shown_again_in_the_new_language(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    before = len(_messages(app, complaint.id))
    typed = "它在23:10打来的。" + LONG
    reply = f"/complaints/{complaint.id}/reply"
    refused = submit_form(
        client,
        f"/complaints/{complaint.id}",
        {"body": typed},
        to=reply,
        content_type="multipart/form-data",
        headers=EN,
    )
    assert refused.status_code == 400 and "Use at most 4,000 characters." in refused.text
    assert 'data-resubmit="' + reply + '"' in refused.text

    switched = client.post(
        reply,
        data={
            "csrf_token": csrf_token_in(refused.text),
            "body": typed,
            "switch_language": "zh_Hans",
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    assert switched.status_code == 200
    assert '<html lang="zh-Hans">' in switched.text
    assert typed in switched.text and "Use at most 4,000 characters." not in switched.text
    assert len(_messages(app, complaint.id)) == before
    with app.app_context():
        assert db.session.get(Complaint, complaint.id).borrower.preferred_language == "zh_Hans"
    # The next page is in the chosen language too (the session remembers it).
    assert '<html lang="zh-Hans">' in client.get(f"/complaints/{complaint.id}").text


def test_a_valid_form_sent_to_switch_language_is_not_acted_on(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    before = len(_messages(app, complaint.id))
    switched = submit_form(
        client,
        f"/complaints/{complaint.id}",
        {"body": "It was at 23:10 exactly.", "switch_language": "zh_Hant"},
        to=f"/complaints/{complaint.id}/reply",
        content_type="multipart/form-data",
        headers=EN,
    )
    assert switched.status_code == 200 and '<html lang="zh-Hant">' in switched.text
    assert "It was at 23:10 exactly." in switched.text
    assert len(_messages(app, complaint.id)) == before


def test_without_a_script_the_switcher_shows_the_page_the_form_was_on(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    reply = f"/complaints/{complaint.id}/reply"
    switched = submit_form(
        client,
        f"/complaints/{complaint.id}",
        {"language": "zh_Hans", "next": reply},
        to="/language",
    )
    assert switched.status_code == 302 and switched.location == f"/complaints/{complaint.id}"
    page = client.get(switched.location)
    assert page.status_code == 200 and '<html lang="zh-Hans">' in page.text
    # A page that takes a query keeps it.
    kept = submit_form(
        client, "/", {"language": "en", "next": "/complaints?page=2"}, to="/language"
    )
    assert kept.location == "/complaints?page=2"


def test_a_refusal_of_the_rules_is_shown_again_in_the_new_language(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    reply = f"/complaints/{complaint.id}/reply"
    refused = submit_form(
        client,
        f"/complaints/{complaint.id}",
        {"body": "   "},
        to=reply,
        content_type="multipart/form-data",
        headers=EN,
    )
    assert "Write a message or add a file." in refused.text
    carried = re.search(r'name="form_refusals" value="([^"]+)"', refused.text).group(1)
    token = csrf_token_in(refused.text)
    sent = {"csrf_token": token, "body": "   ", "switch_language": "zh_Hans"}
    switched = client.post(reply, data={**sent, "form_refusals": carried}, headers=EN)
    assert switched.status_code == 200 and "请填写消息或添加文件。" in switched.text
    # The refusals are signed: a changed one is not shown.
    forged = client.post(reply, data={**sent, "form_refusals": carried[:-2] + "xx"}, headers=EN)
    assert forged.status_code == 200 and "请填写消息或添加文件。" not in forged.text
