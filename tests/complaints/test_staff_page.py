"""The support complaint page: one form per action, two composers that cannot be confused,
only the steps the complaint's state allows, and resolving as its own confirmed step."""

import re
from html.parser import HTMLParser

import sqlalchemy as sa

from portal.complaints.models import Complaint, ComplaintMessage
from portal.extensions import db
from tests.complaints.test_complaints import (
    EN,
    _support,
    act,
    complaints,
    file_complaint,
    resolve,
)
from tests.helpers import log_in, submit_form


class Forms(HTMLParser):
    """Each POST form of a page: its action field, its submit buttons and its field names."""

    def __init__(self):
        super().__init__()
        self.forms, self.form = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self.form = {"action": a.get("action"), "buttons": 0, "names": {}}
            self.forms.append(self.form)
        elif self.form is not None and tag in ("input", "textarea", "select", "button"):
            if tag == "button" and a.get("type", "submit") == "submit":
                self.form["buttons"] += 1
            if a.get("name"):
                self.form["names"][a["name"]] = a.get("value")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def post_forms(html: str, path: str) -> list[dict]:
    reader = Forms()
    reader.feed(html)
    return [f for f in reader.forms if f["action"].startswith(path)]


def _filed(app, client, late_call, make_staff):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    support, staff = _support(app, make_staff)
    return complaint, support, staff


def _current(app, complaint_id) -> Complaint:
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        db.session.expunge(complaint)
        return complaint


def test_every_action_is_its_own_form_with_one_button(app, client, late_call, make_staff):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    page = support.get(f"/staff/complaints/{complaint.id}", headers=EN).text
    forms = post_forms(page, f"/staff/complaints/{complaint.id}")
    actions = [f["names"].get("action") for f in forms]
    assert actions == [
        "claim",
        "acknowledge",
        "investigating",
        "awaiting_borrower",
        "assign",
        "reply",
        "note",
    ]
    assert all(f["buttons"] == 1 for f in forms)
    # The two composers: separate forms, each saying who reads it; neither is the primary.
    reply, note = forms[5], forms[6]
    assert "body" in reply["names"] and "body" in note["names"]
    assert "Borrower-facing: the borrower reads this." in page
    assert "Staff only: the borrower never sees it." in page
    assert 'id="reply-body"' in page and 'id="note-body"' in page
    composers = page[page.index('id="reply-title"') :]
    assert "button primary" not in composers[: composers.index("Borrower account")]
    # Resolving is a link to its own page, not a button of any of these forms.
    assert f'href="/staff/complaints/{complaint.id}/resolve"' in page


def test_only_the_steps_the_state_allows_are_offered(app, client, late_call, make_staff):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    url = f"/staff/complaints/{complaint.id}"

    def offered():
        page = support.get(url, headers=EN).text
        return [f["names"].get("action") for f in post_forms(page, url)]

    act(support, complaint.id, "claim")
    assert "claim" not in offered()  # already mine
    act(support, complaint.id, "acknowledge")
    assert offered() == ["investigating", "awaiting_borrower", "assign", "reply", "note"]
    act(support, complaint.id, "investigating")
    assert offered() == ["awaiting_borrower", "assign", "reply", "note"]
    refused = act(support, complaint.id, "investigating")
    assert refused.status_code == 400 and "in that state already" in refused.text


def test_a_refused_note_keeps_its_text_and_touches_nothing_else(app, client, late_call, make_staff):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    refused = act(support, complaint.id, "note", body="   ")
    assert refused.status_code == 400 and "Write the message first." in refused.text
    kept = act(support, complaint.id, "note", body="x" * 4001)
    assert kept.status_code == 400 and "x" * 4001 in kept.text
    # The error is on the note's composer, not the borrower's.
    composer = kept.text[kept.text.index('id="note-title"') :]
    assert "Use at most 4,000 characters." in composer
    current = _current(app, complaint.id)
    assert current.status == "new" and current.assigned_to_id is None


def test_resolving_through_the_action_form_resolves_nothing(app, client, late_call, make_staff):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    sent = act(support, complaint.id, "resolve", outcome="explanation", body="Explained.")
    assert sent.status_code == 302
    assert "Choose an action." in support.get(sent.location, headers=EN).text
    assert _current(app, complaint.id).status == "new"


def test_resolving_shows_a_summary_and_records_only_when_confirmed(
    app, client, late_call, make_staff
):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    typed = {"outcome": "monetary_relief", "relief": "1,250.50", "body": "We waive the fee."}
    review = resolve(support, complaint.id, confirm=False, **typed)
    assert review.status_code == 200 and "Confirm the resolution" in review.text
    assert "¥1,250.50" in review.text and "We waive the fee." in review.text
    assert "Answered with monetary relief" in review.text
    current = _current(app, complaint.id)
    assert (current.status, current.assigned_to_id, current.outcome) == ("new", None, None)
    # "Change" brings the form back with what was typed.
    token = re.search(r'name="token" value="([^"]+)"', review.text).group(1)
    page, to = (f"/staff/complaints/{complaint.id}/{step}" for step in ("resolve", "resolution"))
    changed = submit_form(
        support, page, {**typed, "token": token, "change": "1"}, to=to, headers=EN
    )
    assert changed.status_code == 200 and 'value="1,250.50"' in changed.text
    assert "We waive the fee." in changed.text
    assert re.search(r'<input checked[^>]*value="monetary_relief"', changed.text)
    # Confirming records it once, even when the confirmation is sent twice.
    for _ in range(2):
        done = submit_form(
            support, page, {**typed, "token": token, "confirmed": "1"}, to=to, headers=EN
        )
        assert done.status_code == 302
    current = _current(app, complaint.id)
    assert (current.status, current.outcome, current.relief_minor) == (
        "resolved",
        "monetary_relief",
        125_050,
    )
    with app.app_context():
        resolutions = db.session.scalars(
            sa.select(ComplaintMessage.body).where(ComplaintMessage.kind == "resolution")
        ).all()
    assert resolutions == ["We waive the fee."]
    # A resolved complaint has no resolve page: back to the complaint, saying why.
    again = support.get(page, headers=EN)
    assert again.status_code == 302
    assert "This complaint is resolved or closed." in support.get(again.location, headers=EN).text


def test_a_refused_resolution_keeps_what_was_typed(app, client, late_call, make_staff):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    refused = resolve(
        support, complaint.id, outcome="monetary_relief", relief="12.345", body="Refund."
    )
    assert refused.status_code == 400 and 'value="12.345"' in refused.text
    assert "Refund." in refused.text
    no_outcome = resolve(support, complaint.id, relief="", body="Only words.")
    assert no_outcome.status_code == 400
    assert "Choose how the complaint is resolved." in no_outcome.text
    assert _current(app, complaint.id).status == "new"


def test_a_complaint_resolved_meanwhile_is_not_resolved_twice(app, client, late_call, make_staff):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    other, _ = _support(app, make_staff)
    first = resolve(support, complaint.id, confirm=False, outcome="explanation", body="First.")
    resolve(other, complaint.id, outcome="explanation", body="Second.")
    token = re.search(r'name="token" value="([^"]+)"', first.text).group(1)
    late = submit_form(
        support,
        f"/staff/complaints/{complaint.id}/resolve",
        {"token": token, "outcome": "explanation", "body": "First.", "confirmed": "1"},
        to=f"/staff/complaints/{complaint.id}/resolution",
        headers=EN,
    )
    assert late.status_code == 302
    assert "This complaint is resolved or closed." in support.get(late.location, headers=EN).text
    with app.app_context():
        assert db.session.scalars(
            sa.select(ComplaintMessage.body).where(ComplaintMessage.kind == "resolution")
        ).all() == ["Second."]


def test_a_reply_to_a_complaint_resolved_meanwhile_keeps_its_text(
    app, client, late_call, make_staff
):
    complaint, support, _ = _filed(app, client, late_call, make_staff)
    resolve(support, complaint.id, outcome="explanation", body="Explained.")
    late = act(support, complaint.id, "reply", body="One more thing about the call.")
    assert late.status_code == 400
    assert late.text.count("This complaint is resolved or closed.") == 1
    assert "What you wrote (not sent):" in late.text
    assert "One more thing about the call." in late.text
    with app.app_context():
        assert db.session.scalars(
            sa.select(ComplaintMessage.kind).where(ComplaintMessage.complaint_id == complaint.id)
        ).all() == ["resolution"]
