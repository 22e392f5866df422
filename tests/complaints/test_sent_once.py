"""Complaint forms are done once: each form shown carries a token, enforced unique by the
database, so a double tap, a resend or a replay files, adds or notifies nothing twice."""

import io
import re
import threading

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint, ComplaintMessage
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.uploads import UploadedFile
from tests.complaints.test_complaints import (
    EN,
    PNG,
    _support,
    complaints,
)
from tests.helpers import log_in

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def token_of(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def send_complaint(client, contact_id, token, files=(), **fields):
    data = {
        "category": "inconvenient_contact",
        "description": "They called me at 23:10.",
        "desired_outcome": "Stop calling at night.",
        "contact": str(contact_id),
        "token": token,
        **fields,
    }
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        f"/complaints/new?contact={contact_id}",
        data=data,
        content_type="multipart/form-data",
        headers=EN,
    )


def send_reply(client, complaint_id, token, body, files=()):
    return client.post(
        f"/complaints/{complaint_id}/reply",
        data={
            "body": body,
            "token": token,
            "attachments": [(io.BytesIO(content), name) for name, content in files],
        },
        content_type="multipart/form-data",
        headers=EN,
    )


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def new_form_token(client, contact_id):
    return token_of(client.get(f"/complaints/new?contact={contact_id}", headers=EN).text)


def filed(app, client, record, files=()):
    """A complaint filed through its form; returns (complaint, the form's token)."""
    token = new_form_token(client, record.contact_id)
    assert send_complaint(client, record.contact_id, token, files).status_code == 302
    (complaint,) = complaints(app)
    return complaint, token


def test_the_same_complaint_form_sent_twice_files_once_and_shows_the_first(
    app, client, late_call, upload_dir
):
    record = late_call()
    log_in(client, record.phone)
    token = new_form_token(client, record.contact_id)
    first = send_complaint(client, record.contact_id, token, [("shot.png", PNG)])
    second = send_complaint(client, record.contact_id, token, [("shot.png", PNG)])
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    (complaint,) = complaints(app)
    page = client.get(second.location, headers=EN).text
    assert f"Your reference number is {complaint.reference}" in page
    assert count(app, UploadedFile) == 1 and len(upload_dir.names()) == 1
    assert count(app, OutboxMessage) == 1


def test_a_new_form_is_a_new_complaint(app, client, late_call):
    """The token decides, not the text: nothing typed alike is thrown away."""
    record = late_call()
    log_in(client, record.phone)
    filed(app, client, record)
    send_complaint(client, record.contact_id, new_form_token(client, record.contact_id))
    assert len(complaints(app)) == 2


def test_a_resend_with_another_file_says_the_file_was_not_added(app, client, late_call, upload_dir):
    record = late_call()
    log_in(client, record.phone)
    complaint, token = filed(app, client, record, files=[("first.png", PNG)])
    again = send_complaint(client, record.contact_id, token, [("second.jpg", JPEG)])
    assert again.status_code == 302 and again.location.endswith(f"/complaints/{complaint.id}")
    page = client.get(again.location, headers=EN).text
    assert f"You had already sent this complaint: it was filed as {complaint.reference}" in page
    assert "was not added. To add it, write a reply below." in page
    with app.app_context():
        names = db.session.scalars(sa.select(UploadedFile.original_name)).all()
    assert names == ["first.png"] and len(upload_dir.names()) == 1
    assert len(complaints(app)) == 1 and count(app, OutboxMessage) == 1


def test_a_token_is_only_its_senders(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    complaint, token = filed(app, client, record)
    other = late_call()
    stranger = app.test_client()
    log_in(stranger, other.phone)
    response = send_complaint(stranger, other.contact_id, token)
    assert complaint.reference not in response.text
    assert f"/complaints/{complaint.id}" not in response.headers.get("Location", "")
    assert len(complaints(app)) == 1


def test_a_replayed_borrower_reply_adds_one_message(app, client, late_call, upload_dir):
    record = late_call()
    log_in(client, record.phone)
    complaint, _ = filed(app, client, record)
    token = token_of(client.get(f"/complaints/{complaint.id}", headers=EN).text)
    for _ in range(3):
        response = send_reply(client, complaint.id, token, "It was 23:10.", [("call.png", PNG)])
        assert response.status_code == 302
    page = client.get(response.location, headers=EN).text
    assert "Your message has been added." in page
    assert count(app, ComplaintMessage) == 1 and count(app, UploadedFile) == 1
    changed = send_reply(client, complaint.id, token, "It was 23:10.", [("other.jpg", JPEG)])
    assert changed.status_code == 302
    assert "You had already sent this message." in client.get(changed.location, headers=EN).text
    assert count(app, ComplaintMessage) == 1 and count(app, UploadedFile) == 1
    # The page shows a fresh form: the next message is a new one.
    fresh = token_of(client.get(f"/complaints/{complaint.id}", headers=EN).text)
    assert fresh != token
    send_reply(client, complaint.id, fresh, "And at 23:40.")
    assert count(app, ComplaintMessage) == 2


def test_a_replayed_support_reply_adds_one_message_and_one_notice(
    app, client, late_call, make_staff
):
    record = late_call()
    log_in(client, record.phone)
    complaint, _ = filed(app, client, record)
    support, _staff = _support(app, make_staff)
    token = token_of(support.get(f"/staff/complaints/{complaint.id}", headers=EN).text)
    data = {"action": "reply", "body": "We are listening to the recording.", "token": token}
    for _ in range(3):
        response = support.post(f"/staff/complaints/{complaint.id}/act", data=data, headers=EN)
        assert response.status_code == 302
    assert "Saved." in support.get(response.location, headers=EN).text
    assert count(app, ComplaintMessage, ComplaintMessage.kind == "staff_reply") == 1
    assert count(app, OutboxMessage, OutboxMessage.purpose == "complaint_reply") == 1
    changed = support.post(
        f"/staff/complaints/{complaint.id}/act",
        data={**data, "body": "Something else."},
        headers=EN,
    )
    page = support.get(changed.location, headers=EN).text
    assert "This form had already been sent." in page
    assert count(app, ComplaintMessage) == 1


# --- at the same moment (PostgreSQL: the unique token and row locks decide) -------------------


def _at_once(clients, send):
    start = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def run(n):
        start.wait()
        responses[n] = send(clients[n])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def _logged_in(app, identifier, times):
    """`times` clients of one browser, logged in once (a staff code works only once, so a
    second login in the same 30 seconds would be refused, as it should)."""
    first = app.test_client()
    assert log_in(first, identifier).status_code == 302
    clients = [first]
    for _ in range(times - 1):
        other = app.test_client()
        other._cookies = dict(first._cookies)  # the same browser: its cookies, its session
        clients.append(other)
    return clients


@pytest.mark.postgres
def test_four_sendings_of_one_complaint_at_once_file_one(app, late_call, upload_dir):
    record = late_call()
    clients = _logged_in(app, record.phone, 4)
    token = new_form_token(clients[0], record.contact_id)
    responses = _at_once(
        clients,
        lambda each: send_complaint(each, record.contact_id, token, [("shot.png", PNG)]),
    )
    assert [r.status_code for r in responses] == [302] * 4
    assert len({r.location for r in responses}) == 1
    assert len(complaints(app)) == 1
    assert count(app, UploadedFile) == 1 and len(upload_dir.names()) == 1
    assert count(app, OutboxMessage) == 1


@pytest.mark.postgres
def test_replies_replayed_at_once_add_one_message(app, late_call, make_staff):
    record = late_call()
    clients = _logged_in(app, record.phone, 4)
    complaint, _ = filed(app, clients[0], record)
    token = token_of(clients[0].get(f"/complaints/{complaint.id}", headers=EN).text)
    responses = _at_once(clients, lambda each: send_reply(each, complaint.id, token, "Again."))
    assert [r.status_code for r in responses] == [302] * 4
    assert count(app, ComplaintMessage, ComplaintMessage.kind == "borrower") == 1

    staff = make_staff("support")
    support = _logged_in(app, staff.email, 4)
    token = token_of(support[0].get(f"/staff/complaints/{complaint.id}", headers=EN).text)
    data = {"action": "reply", "body": "We are on it.", "token": token}
    responses = _at_once(
        support, lambda each: each.post(f"/staff/complaints/{complaint.id}/act", data=data)
    )
    assert [r.status_code for r in responses] == [302] * 4
    assert count(app, ComplaintMessage, ComplaintMessage.kind == "staff_reply") == 1
    assert count(app, OutboxMessage, OutboxMessage.purpose == "complaint_reply") == 1
    with app.app_context():
        assert db.session.get(Complaint, complaint.id).status != "new"


@pytest.mark.parametrize("token", ["", "ab\x00cd" * 4, "x" * 65, "<script>token</script>"])
def test_a_token_that_no_form_carries_makes_a_new_form(app, client, late_call, token):
    record = late_call()
    log_in(client, record.phone)
    for _ in range(2):
        assert send_complaint(client, record.contact_id, token).status_code == 302
    assert len(complaints(app)) == 2
