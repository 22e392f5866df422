"""A borrower disputes a loan or one of its entries with evidence; escalation is held until
support staff answer with the lender's evidence; the answer is a page the borrower reads."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.disputes import lifecycle
from portal.disputes.models import Dispute
from portal.extensions import db
from portal.loans.models import JournalEntry, Loan, LoanDueDate
from portal.uploads import UploadedFile
from tests.helpers import NOW, TODAY, log_in

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


@pytest.mark.parametrize(("status", "action", "after"), [("open", "answer", "answered")])
def test_transitions(status, action, after):
    assert lifecycle.transition(status, action) == after


def test_an_answered_dispute_cannot_be_answered_again():
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.transition("answered", "answer")
    assert lifecycle.allowed_actions("answered") == frozenset()


@pytest.mark.parametrize(
    ("after", "late"), [(timedelta(days=15), False), (timedelta(days=15, seconds=1), True)]
)
def test_the_answer_is_due_in_15_days(after, late):
    due = lifecycle.answer_due(NOW)
    assert due == NOW + timedelta(days=15)
    assert lifecycle.is_late("open", due, NOW + after) is late
    assert lifecycle.is_late("answered", due, NOW + after) is False


@pytest.fixture
def overdue(app, make_borrower, client, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    record = make_borrower(language="en", principal=1_000_000)
    with app.app_context():
        for days, principal in ((-3, 30_000), (60, 970_000)):
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=TODAY + timedelta(days=days),
                    principal_minor=principal,
                    interest_minor=0,
                )
            )
        record.entry_id = db.session.scalar(
            sa.select(JournalEntry.id).where(JournalEntry.loan_id == record.loan_id)
        )
        db.session.commit()
    assert log_in(client, record.phone).status_code == 302
    return record


def dispute(client, record, entry=None, kind="wrong_amount"):
    return client.post(
        f"/loans/{record.loan_id}/dispute",
        data={
            "kind": kind,
            "statement": "The fee was charged twice.",
            "entry": str(entry or ""),
            "evidence": (io.BytesIO(PNG), "receipt.png"),
        },
        content_type="multipart/form-data",
    )


def test_a_dispute_of_an_entry_holds_escalation_until_answered(app, client, overdue):
    assert "Dispute this entry" in client.get(f"/loans/{overdue.loan_id}").text
    response = dispute(client, overdue, entry=overdue.entry_id)

    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Waiting for the lender" in page
    assert "The answer is due by 5 December 2026." in page
    assert "receipt.png" in page
    dashboard = client.get("/loans").text
    assert "escalation is on hold until the lender answers, by 5 December 2026." in dashboard
    assert "If nothing changes, the next stage" not in dashboard
    with app.app_context():
        found = db.session.scalar(sa.select(Dispute))
        assert (found.kind, found.journal_entry_id, found.status) == (
            "wrong_amount",
            overdue.entry_id,
            "open",
        )
        assert db.session.scalar(sa.select(UploadedFile.subject_type)) == "dispute"
        assert "dispute.opened" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_one_open_dispute_per_loan(client, overdue):
    assert dispute(client, overdue).status_code == 302
    response = dispute(client, overdue, kind="already_paid")
    assert "You already have an open dispute on this loan." in response.text


def test_a_dispute_needs_a_reason_and_a_kind(app, client, overdue):
    response = client.post(f"/loans/{overdue.loan_id}/dispute", data={"statement": ""})
    assert "Choose what is wrong." in response.text
    assert "Tell us why." in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Dispute.id))) == 0


def test_another_borrowers_loan_or_entry_is_not_found(client, overdue, make_borrower, app):
    other = make_borrower()
    assert client.get(f"/loans/{other.loan_id}/dispute").status_code == 404
    with app.app_context():
        foreign = db.session.scalar(
            sa.select(JournalEntry.id).where(JournalEntry.loan_id == other.loan_id)
        )
    assert client.get(f"/loans/{overdue.loan_id}/dispute?entry={foreign}").status_code == 404
    assert dispute(client, overdue, entry=foreign).status_code == 404


def test_support_answers_with_evidence_and_escalation_resumes(
    app, client, clock, overdue, make_staff, upload_store
):
    dispute(client, overdue)
    clock.shift(timedelta(days=4))
    staff = make_staff("support")
    client.post("/logout")
    log_in(client, staff.email)
    queue = client.get("/staff/disputes/").text
    assert overdue.loan_number in queue
    with app.app_context():
        dispute_id = db.session.scalar(sa.select(Dispute.id))
    assert "The fee was charged twice." in client.get(f"/staff/disputes/{dispute_id}").text
    response = client.post(
        f"/staff/disputes/{dispute_id}/answer",
        data={
            "answer": "The fee was charged once; see the statement.",
            "evidence": (io.BytesIO(PNG), "statement.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert overdue.loan_number not in client.get("/staff/disputes/").text

    client.post("/logout")
    log_in(client, overdue.phone)
    page = client.get(f"/disputes/{dispute_id}").text
    assert "The fee was charged once; see the statement." in page
    assert "statement.png" in page
    assert 'href="/complaints/new"' in page
    with app.app_context():
        files = db.session.scalars(sa.select(UploadedFile).order_by(UploadedFile.id)).all()
    assert upload_store.names() == sorted(f.stored_name for f in files)
    # The borrower's own evidence and the lender's answer both download.
    assert [client.get(f"/files/{f.id}").data for f in files] == [PNG] * len(files)
    dashboard = client.get("/loans").text
    assert "until the lender answers" not in dashboard
    # Three days past due when it was opened: phone contact the day after the answer.
    assert "the next stage, Phone contact, starts on 25 November 2026." in dashboard
    with app.app_context():
        assert db.session.get(Loan, overdue.loan_id).held_days == 4


def test_an_answer_needs_text(app, client, overdue, make_staff):
    dispute(client, overdue)
    staff = make_staff("support")
    client.post("/logout")
    log_in(client, staff.email)
    with app.app_context():
        dispute_id = db.session.scalar(sa.select(Dispute.id))
    response = client.post(f"/staff/disputes/{dispute_id}/answer", data={"answer": ""})
    assert response.status_code == 400, response.text
    assert "请填写答复。" in response.text  # staff read Simplified Chinese by default


def test_a_promise_and_a_dispute_at_once_hold_each_day_once(
    app, client, runner, clock, overdue, make_staff
):
    from portal.auth.models import User
    from portal.disputes.service import answer_dispute

    client.post(
        f"/loans/{overdue.loan_id}/promise",
        data={"amount": "300.00", "due_on": (TODAY + timedelta(days=5)).isoformat()},
    )
    clock.shift(timedelta(days=2))
    log_in(client, overdue.phone)
    assert dispute(client, overdue).status_code == 302
    clock.shift(timedelta(days=4))  # the day after the promised date
    assert "promises_broken 1" in runner.invoke(args=["portal", "tick"]).output
    clock.shift(timedelta(days=2))
    staff = make_staff("support")
    with app.app_context():
        dispute_id = db.session.scalar(sa.select(Dispute.id))
        answer_dispute(dispute_id, db.session.get(User, staff.user_id), answer="No.", files=[])
        db.session.commit()
        # Two days of the promise alone, then six of the dispute: eight days, not twelve.
        assert db.session.get(Loan, overdue.loan_id).held_days == 8
    log_in(client, overdue.phone)
    assert "the next stage, Phone contact, starts on 29 November 2026." in client.get("/loans").text


def test_the_borrower_is_told_of_the_dispute_and_of_the_answer_once(
    app, client, overdue, make_staff
):
    from portal.auth.models import User
    from portal.disputes.service import answer_dispute
    from portal.outbox.models import OutboxMessage

    dispute(client, overdue)
    client.post(f"/loans/{overdue.loan_id}/dispute", data={"kind": "wrong_amount"})  # refused
    staff = make_staff("support")
    with app.app_context():
        dispute_id = db.session.scalar(sa.select(Dispute.id))
        answer_dispute(dispute_id, db.session.get(User, staff.user_id), answer="No.", files=[])
        db.session.commit()
        messages = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.purpose.in_(("dispute_received", "dispute_answered")))
            .order_by(OutboxMessage.id)
        ).all()
        assert [m.purpose for m in messages] == ["dispute_received", "dispute_answered"]
        assert overdue.loan_number in messages[0].body
        assert f"/disputes/{dispute_id}" in messages[1].body
