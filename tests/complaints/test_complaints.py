"""Complaints end to end: filing (about a contact, with files), staff work, answers, time."""

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.complaints import service
from portal.complaints.lifecycle import ActionRefused, Actor
from portal.complaints.models import Complaint
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.uploads import REQUEST_LIMIT, UploadedFile
from tests.helpers import NOW, log_in, submit_form

EN = {"Accept-Language": "en"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
AMR = b"#!AMR\n" + b"\x00" * 32
# A call recording or a phone photo: far above the 1 MB limit of an ordinary form.
RECORDING = b"ID3" + b"\x01" * (3 * 1024 * 1024)


def file_complaint(client, contact_id=None, files=(), **fields):
    data = {
        "category": "inconvenient_contact",
        "description": "They called me at 23:10.",
        "desired_outcome": "Stop calling at night.",
        **fields,
    }
    if contact_id:
        data["contact"] = str(contact_id)
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    page = "/complaints/new" + (f"?contact={contact_id}" if contact_id else "")
    return submit_form(
        client,
        page,
        data,
        content_type="multipart/form-data",
        headers=EN,
    )


def complaints(app):
    with app.app_context():
        return db.session.scalars(sa.select(Complaint).order_by(Complaint.id)).all()


def stored_files(app):
    with app.app_context():
        return db.session.scalars(sa.select(UploadedFile)).all()


def test_complaining_about_a_marked_contact(app, client, late_call, upload_dir):
    record = late_call()
    log_in(client, record.phone)
    loan_page = client.get(f"/loans/{record.loan_id}", headers=EN).text
    assert f"/complaints/new?contact={record.contact_id}" in loan_page
    form = client.get(f"/complaints/new?contact={record.contact_id}", headers=EN).text
    assert "The contact you are complaining about" in form
    assert "Contact between 22:00 and 08:00 is not allowed." in form
    assert '<option selected value="inconvenient_contact">' in form
    response = file_complaint(client, record.contact_id, files=[("shot.png", PNG)])
    assert response.status_code == 302
    (complaint,) = complaints(app)
    assert complaint.reference.startswith("TS") and complaint.contact_entry_id == record.contact_id
    assert (complaint.queue, complaint.priority, complaint.status) == ("compliance", 2, "new")
    assert complaint.acknowledge_due_at < complaint.response_due_at
    page = client.get(response.location, headers=EN).text
    assert complaint.reference in page and "Final answer by" in page and "shot.png" in page
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert complaint.reference in message.body and message.recipient == record.email


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"description": ""}, "Tell us what happened."),
        ({"description": "x" * 4001}, "at most 4,000 characters"),
        ({"desired_outcome": "y" * 1001}, "at most 1,000 characters"),
        ({"category": "aliens"}, "Choose what the complaint is about."),
    ],
)
def test_bad_complaints_are_refused_and_keep_what_was_typed(
    app, client, late_call, fields, message
):
    record = late_call()
    log_in(client, record.phone)
    response = file_complaint(client, **fields)
    assert response.status_code == 200 and message in response.text
    if fields.get("description", "x")[:1] != "x" and "category" in fields:
        assert "They called me at 23:10." in response.text
    assert complaints(app) == []


NUL_REMOVED = "An invisible character that cannot be saved was removed from this text."


def test_a_nul_character_is_refused_before_the_database_and_the_rest_kept(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    response = file_complaint(client, description="They called\x00 me at 23:10.")
    assert response.status_code == 200 and NUL_REMOVED in response.text
    assert "They called me at 23:10." in response.text
    assert complaints(app) == []


def test_a_complaint_without_a_desired_outcome_field_is_filed_as_if_it_were_empty(
    app, client, late_call
):
    record = late_call()
    log_in(client, record.phone)
    data = {"category": "other", "description": "They called me at 23:10."}
    response = submit_form(client, "/complaints/new", data)
    assert response.status_code == 302
    assert [c.desired_outcome for c in complaints(app)] == [""]


def test_a_file_sent_as_the_description_counts_as_no_description(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    response = file_complaint(client, description=(io.BytesIO(b"text"), "description.txt"))
    assert response.status_code == 200 and "Tell us what happened." in response.text
    assert complaints(app) == []


@pytest.mark.parametrize("contact", ["²", "2147483648", "9223372036854775808", "1" + "0" * 30])
def test_a_contact_that_cannot_be_an_id_is_not_found(app, client, late_call, contact):
    record = late_call()
    log_in(client, record.phone)
    assert client.get("/complaints/new", query_string={"contact": contact}).status_code == 404
    sent = submit_form(
        client,
        "/complaints/new",
        {"category": "other", "description": "About that call.", "contact": contact},
    )
    assert sent.status_code == 404 and complaints(app) == []


def test_astral_characters_count_as_one_character_each(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    too_long = file_complaint(client, description="😀" * 4001)
    assert too_long.status_code == 200 and "at most 4,000 characters" in too_long.text
    filed = file_complaint(client, description="𠀀😀" * 2000, desired_outcome="🙏" * 1000)
    assert filed.status_code == 302
    (complaint,) = complaints(app)
    assert complaint.description == "𠀀😀" * 2000 and complaint.desired_outcome == "🙏" * 1000


def test_hostile_text_is_shown_as_text(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    response = file_complaint(client, description="<script>alert(1)</script>")
    page = client.get(response.location).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_someone_elses_contact_cannot_be_complained_about(app, client, late_call, make_borrower):
    owner = late_call()
    other = make_borrower()
    log_in(client, other.phone)
    assert client.get(f"/complaints/new?contact={owner.contact_id}").status_code == 404
    assert file_complaint(client, owner.contact_id).status_code == 404
    assert complaints(app) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "files, message",
    [
        ([("photo.png", b"just some text renamed to png")], "is not a photo"),
        ([("invoice.pdf", b"<script>alert(1)</script>")], "is not a photo"),
        ([("empty.png", b"")], "is empty"),
        ([("big.png", PNG + b"0" * (10 * 1024 * 1024))], "larger than 10 MB"),
        ([(f"p{n}.png", PNG) for n in range(6)], "at most 5 files"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(
    large_bodies, app, client, late_call, upload_dir, files, message
):
    record = late_call()
    log_in(client, record.phone)
    response = file_complaint(client, files=files)
    assert response.status_code == 200 and message in response.text
    assert "They called me at 23:10." in response.text
    assert complaints(app) == [] and stored_files(app) == []
    assert upload_dir.names() == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_recording_of_3_mb_is_accepted_with_csrf_protection_on(
    large_bodies, app, client, late_call, upload_dir
):
    record = late_call()
    log_in(client, record.phone)
    data = {
        "category": "harassment",
        "description": "The agent shouted at me; the recording is attached.",
        "desired_outcome": "",
        "attachments": [(io.BytesIO(RECORDING), "call.mp3")],
    }
    response = submit_form(client, "/complaints/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    assert [(f.content_type, f.size_bytes) for f in stored_files(app)] == [
        ("audio/mpeg", len(RECORDING))
    ]
    (complaint,) = complaints(app)
    reply = submit_form(
        client,
        f"/complaints/{complaint.id}",
        {"body": "A second recording.", "attachments": [(io.BytesIO(RECORDING), "two.mp3")]},
        to=f"/complaints/{complaint.id}/reply",
        content_type="multipart/form-data",
    )
    assert reply.status_code == 302 and len(stored_files(app)) == 2


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_body_over_the_upload_limit_gets_the_size_page(
    large_bodies, app, client, late_call, upload_dir
):
    record = late_call()
    log_in(client, record.phone)
    data = {
        "category": "harassment",
        "description": "Too much.",
        "attachments": [(io.BytesIO(b"ID3" + b"0" * REQUEST_LIMIT), "long.mp3")],
    }
    response = submit_form(
        client, "/complaints/new", data, content_type="multipart/form-data", headers=EN
    )
    assert response.status_code == 413 and "What you sent is too large" in response.text
    assert complaints(app) == [] and stored_files(app) == []


def test_path_traversal_names_and_audio_are_handled(app, client, late_call, upload_dir):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, files=[("../../etc/passwd.png", PNG), ("call.amr", AMR)])
    files = stored_files(app)
    assert [f.original_name for f in files] == ["passwd.png", "call.amr"]
    assert [f.content_type for f in files] == ["image/png", "audio/amr"]
    assert upload_dir.names() == sorted(f.stored_name for f in files)


def test_files_only_for_their_owner_and_staff(
    app, client, late_call, make_borrower, make_staff, upload_dir
):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, files=[("shot.png", PNG)])
    (stored,) = stored_files(app)
    assert client.get(f"/files/{stored.id}").data == PNG
    support = app.test_client()
    log_in(support, make_staff("support").email)
    assert support.get(f"/files/{stored.id}").data == PNG
    other = app.test_client()
    log_in(other, make_borrower().phone)
    assert other.get(f"/files/{stored.id}").status_code == 404
    assert app.test_client().get(f"/files/{stored.id}").status_code == 404


def _support(app, make_staff):
    client = app.test_client()
    staff = make_staff("support")
    log_in(client, staff.email)
    return client, staff


def act(client, complaint_id, action, **data):
    return submit_form(
        client,
        "/staff/complaints/",
        to=f"/staff/complaints/{complaint_id}/act",
        data={"action": action, **data},
        headers=EN,
    )


def resolve(client, complaint_id, *, confirm=True, **data):
    """Resolve on its own page: the summary first, then (with `confirm`) the confirmation with
    what the summary carries. Returns the last answer."""
    page = f"/staff/complaints/{complaint_id}/resolve"
    shown = client.get(page, headers=EN).text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', shown).group(1)
    sent = {"token": token, **data}
    to = f"/staff/complaints/{complaint_id}/resolution"
    review = submit_form(client, page, sent, to=to, headers=EN)
    if not confirm or review.status_code != 200:
        return review
    return submit_form(client, page, {**sent, "confirmed": "1"}, to=to, headers=EN)


def test_staff_work_a_complaint_and_notes_stay_internal(
    app, client, late_call, make_staff, upload_dir
):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    support, staff = _support(app, make_staff)
    queue = support.get("/staff/complaints/", headers=EN).text
    assert complaint.reference in queue
    page = support.get(f"/staff/complaints/{complaint.id}", headers=EN).text
    assert "Borrower account" in page and "Contact between 22:00 and 08:00" in page
    act(support, complaint.id, "claim")
    act(support, complaint.id, "note", body="SECRET: agent A023 has three earlier complaints")
    act(support, complaint.id, "reply", body="We are looking at the call recording.")
    act(support, complaint.id, "awaiting_borrower")
    with app.app_context():
        current = db.session.get(Complaint, complaint.id)
        assert current.assigned_to_id == staff.user_id and current.acknowledged_at
        assert current.status == "awaiting_borrower"
    for url in ("/complaints", f"/complaints/{complaint.id}", "/loans", "/rights/my-data.json"):
        assert "SECRET" not in client.get(url, headers=EN).text
    page = client.get(f"/complaints/{complaint.id}", headers=EN).text
    assert "We are looking at the call recording." in page and "Waiting for your answer" in page
    submit_form(
        client,
        f"/complaints/{complaint.id}",
        to=f"/complaints/{complaint.id}/reply",
        data={"body": "It was at 23:10 exactly."},
        content_type="multipart/form-data",
    )
    with app.app_context():
        assert db.session.get(Complaint, complaint.id).status == "investigating"
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.subject_type == "complaint")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "complaint.filed",
        "staff.complaint_viewed",
        "complaint.claimed",
        "complaint.noted",
        "complaint.replied",
        "complaint.status_awaiting_borrower",
        "complaint.borrower_replied",
    ]


def test_a_nul_character_in_a_reply_is_refused_with_a_message(app, client, late_call):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    response = submit_form(
        client,
        f"/complaints/{complaint.id}",
        {"body": "It was\x00 at 23:10 exactly."},
        to=f"/complaints/{complaint.id}/reply",
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 400 and NUL_REMOVED in response.text
    assert "It was at 23:10 exactly." in response.text


def test_an_assignee_that_cannot_be_an_id_is_refused(app, client, late_call, make_staff):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    support, _staff = _support(app, make_staff)
    for assignee in ("²", "9223372036854775808"):
        response = act(support, complaint.id, "assign", assignee=assignee)
        assert response.status_code == 400 and "Choose a support colleague." in response.text


def test_resolution_accepted_or_disputed(app, client, late_call, make_staff):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client, record.contact_id)
    (complaint,) = complaints(app)
    support, _staff = _support(app, make_staff)
    missing = resolve(
        support, complaint.id, outcome="monetary_relief", body="We refund the late fee."
    )
    assert missing.status_code == 400 and "Enter an amount like 500.00." in missing.text
    assert "We refund the late fee." in missing.text
    resolve(
        support,
        complaint.id,
        outcome="monetary_relief",
        relief="50.00",
        body="We refund the late fee and have coached the agent.",
    )
    page = client.get(f"/complaints/{complaint.id}", headers=EN).text
    assert "Answered with monetary relief" in page and "¥50.00" in page
    assert "Dispute the resolution" in page
    empty = submit_form(
        client,
        f"/complaints/{complaint.id}",
        to=f"/complaints/{complaint.id}/dispute",
        data={"reason": ""},
        headers=EN,
    )
    assert empty.status_code == 400 and "Tell us why you disagree." in empty.text
    submit_form(
        client,
        f"/complaints/{complaint.id}",
        to=f"/complaints/{complaint.id}/dispute",
        data={"reason": "The calls continue."},
    )
    with app.app_context():
        reopened = db.session.get(Complaint, complaint.id)
        assert (reopened.status, reopened.priority) == ("reopened", 1)
    assert complaint.reference in support.get("/staff/complaints/?status=reopened").text
    resolve(
        support,
        complaint.id,
        outcome="non_monetary_relief",
        body="The agent is removed from your account.",
    )
    submit_form(client, f"/complaints/{complaint.id}", to=f"/complaints/{complaint.id}/accept")
    with app.app_context():
        assert db.session.get(Complaint, complaint.id).status == "closed"


def test_disputes_only_within_30_days(app, late_call, make_staff):
    record = late_call()
    staff = make_staff("support")
    with app.app_context():
        from portal.auth.models import User
        from portal.loans.models import Borrower

        borrower = db.session.get(Borrower, record.borrower_id)
        complaint = service.file_complaint(
            borrower,
            record.user_id,
            category="harassment",
            description="x",
            desired_outcome="",
            contact_id=None,
            files=[],
        )
        service.staff_action(
            complaint.id,
            db.session.get(User, staff.user_id),
            "resolve",
            outcome="explanation",
            body="Explained.",
        )
        db.session.commit()
        with pytest.raises(ActionRefused, match="dispute_window_closed"):
            service.dispute(
                borrower,
                record.user_id,
                complaint.id,
                "late",
                now=NOW + timedelta(days=31),
            )


def test_deadlines_flag_escalate_and_close_once(app, late_call, make_staff):
    record = late_call()
    staff = make_staff("support")
    with app.app_context():
        from portal.auth.models import User
        from portal.loans.models import Borrower

        borrower = db.session.get(Borrower, record.borrower_id)
        waiting = service.file_complaint(
            borrower,
            record.user_id,
            category="other",
            description="a",
            desired_outcome="",
            contact_id=None,
            files=[],
        )
        resolved = service.file_complaint(
            borrower,
            record.user_id,
            category="wrong_amount",
            description="b",
            desired_outcome="",
            contact_id=None,
            files=[],
        )
        service.staff_action(
            resolved.id,
            db.session.get(User, staff.user_id),
            "resolve",
            outcome="explanation",
            body="Explained.",
        )
        db.session.commit()
        soon = NOW + timedelta(days=4)
        assert service.apply_time(soon) == {
            "acknowledgement_late": 1,
            "response_late": 0,
            "closed": 0,
        }
        db.session.commit()
        assert service.apply_time(soon)["acknowledgement_late"] == 0
        assert db.session.get(Complaint, waiting.id).priority == 2  # normal -> high
        later = NOW + timedelta(days=17)
        assert service.apply_time(later) == {
            "acknowledgement_late": 0,
            "response_late": 1,
            "closed": 0,
        }
        assert db.session.get(Complaint, waiting.id).priority == 1
        much_later = NOW + timedelta(days=31)
        assert service.apply_time(much_later)["closed"] == 1
        db.session.commit()
        assert service.apply_time(much_later) == {
            "acknowledgement_late": 0,
            "response_late": 0,
            "closed": 0,
        }


def test_support_and_approvers_stay_in_their_own_queues(app, make_staff):
    support, _ = _support(app, make_staff)
    approver = app.test_client()
    log_in(approver, make_staff("approver").email)
    assert support.get("/staff/requests/").status_code == 404
    assert approver.get("/staff/complaints/").status_code == 404


def test_data_download_includes_complaints_without_internal_notes(
    app, client, late_call, make_staff
):
    record = late_call()
    log_in(client, record.phone)
    file_complaint(client)
    (complaint,) = complaints(app)
    support, _ = _support(app, make_staff)
    act(support, complaint.id, "note", body="SECRET note")
    act(support, complaint.id, "reply", body="Visible reply")
    data = json.loads(client.get("/rights/my-data.json").text)
    (exported,) = data["complaints"]
    assert exported["reference"] == complaint.reference
    assert [m["text"] for m in exported["messages"]] == ["Visible reply"]


def test_pages_offer_only_what_the_lifecycle_allows(app, late_call, make_staff):
    record = late_call()
    support, staff = _support(app, make_staff)
    filed = datetime(2026, 11, 16, 2, tzinfo=UTC)
    with app.app_context():
        from portal.auth.models import User
        from portal.loans.models import Borrower

        borrower = db.session.get(Borrower, record.borrower_id)
        user = db.session.get(User, staff.user_id)
        complaint = service.file_complaint(
            borrower,
            record.user_id,
            category="other",
            description="x",
            desired_outcome="",
            contact_id=None,
            files=[],
            now=filed,
        )
        service.staff_action(
            complaint.id, user, "resolve", outcome="explanation", body="Done.", now=filed
        )
        within, after = filed + timedelta(days=30), filed + timedelta(days=30, seconds=1)
        assert service.allowed_actions(complaint, Actor.BORROWER, within) == {"accept", "dispute"}
        assert service.allowed_actions(complaint, Actor.BORROWER, after) == {"accept"}
        db.session.commit()
        complaint_id = complaint.id
    page = support.get(f"/staff/complaints/{complaint_id}", headers=EN).text
    assert "Save as internal note" in page
    for button in ("Claim", "Assign", "Send to the borrower", "Resolve the complaint"):
        assert f">{button}</button>" not in page
    with app.app_context():
        service.accept_resolution(db.session.get(Borrower, record.borrower_id), complaint_id)
        db.session.commit()
        user = db.session.get(User, staff.user_id)
        with pytest.raises(ActionRefused, match="closed"):
            service.staff_action(complaint_id, user, "note", body="n")
    assert "Work on it" not in support.get(f"/staff/complaints/{complaint_id}", headers=EN).text
    assert act(support, complaint_id, "note", body="late note").status_code == 400
