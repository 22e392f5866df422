"""The borrower's copy of their data: a readable page in their language that prints well, and
the complete machine-readable JSON; both hold every kind of record the portal keeps about
them, and neither holds internal notes or another borrower's data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import audit
from portal.audit import AuditEntry
from portal.complaints.models import Complaint, ComplaintMessage
from portal.disputes.models import Dispute
from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import ContactLogEntry, ContactPreference, LoanDueDate
from portal.loans.service import post_entry
from portal.outbox.models import OutboxMessage
from portal.payments.models import Payment
from portal.plans.models import HardshipRequest, PaymentPlan, PlanInstallment, RequestDecision
from portal.promises.models import Promise
from portal.uploads import UploadedFile
from tests.helpers import NOW, TODAY, log_in, submit_form

EN = {"Accept-Language": "en"}
SECRETS = ("INTERNAL-NOTE-SECRET", "APPROVER-NOTE-SECRET", "123456")


def _records_of(app, record, approver, support, mark: str) -> None:
    """One of every record the portal keeps about a borrower; texts carry `mark`."""
    with app.app_context():
        loan_id, borrower_id = record.loan_id, record.borrower_id
        db.session.add(
            LoanDueDate(
                loan_id=loan_id,
                due_on=TODAY - timedelta(days=10),
                principal_minor=250_000,
                interest_minor=10_000,
            )
        )
        post_entry(
            loan_id,
            "charge",
            Components(interest=20_000),
            posted_at=datetime(2026, 1, 15, 1, tzinfo=UTC),
            reference=f"INT-{mark}",
            description=f"Contract interest {mark}",
        )
        # 15:10 UTC is 23:10 in Shanghai: a call in the quiet hours.
        db.session.add(
            ContactLogEntry(
                loan_id=loan_id,
                reference=f"CALL-{mark}",
                contacted_at=datetime(2026, 11, 18, 15, 10, tzinfo=UTC),
                channel="call",
                party="borrower",
                agent=f"AGENT-{mark}",
                outcome="answered",
            )
        )
        request = HardshipRequest(
            borrower_id=borrower_id,
            loan_id=loan_id,
            kind="installment_plan",
            status="accepted",
            months=6,
            reason_code="income_drop",
            reason_text=f"Explanation {mark}",
            balance_minor=520_000,
            overdue_minor=260_000,
            currency="CNY",
            decision_due_at=NOW + timedelta(days=5),
            created_at=NOW - timedelta(days=3),
        )
        db.session.add(request)
        db.session.flush()
        db.session.add(
            RequestDecision(
                request_id=request.id,
                step=1,
                approver_id=approver.user_id,
                action="approve",
                note=f"APPROVER-NOTE-SECRET {mark}",
            )
        )
        plan = PaymentPlan(
            loan_id=loan_id,
            request_id=request.id,
            active_loan_id=loan_id,
            kind="installment_plan",
            principal_minor=500_000,
            interest_minor=20_000,
            fee_minor=0,
            stop_interest=True,
            grace_days=5,
            days_past_due_at_start=10,
            accepted_at=NOW - timedelta(days=1),
            accepted_by_id=record.user_id,
        )
        db.session.add(plan)
        db.session.flush()
        db.session.add(
            PlanInstallment(
                plan_id=plan.id, number=1, due_on=TODAY + timedelta(days=30), amount_minor=86_667
            )
        )
        db.session.add(
            Payment(
                borrower_id=borrower_id,
                loan_id=loan_id,
                amount_minor=12_345,
                currency="CNY",
                purpose="other_amount",
                provider="stripe",
                status="succeeded",
                method="alipay",
                idempotency_key=f"key-{mark}",
                receipt_number=f"R-{mark}",
                succeeded_at=NOW - timedelta(hours=2),
                balance_after_minor=507_655,
                overdue_after_minor=0,
            )
        )
        db.session.add(
            Promise(
                loan_id=loan_id,
                borrower_id=borrower_id,
                status="kept",
                amount_minor=30_000,
                currency="CNY",
                made_on=TODAY - timedelta(days=8),
                due_on=TODAY - timedelta(days=4),
            )
        )
        db.session.add(
            Dispute(
                loan_id=loan_id,
                borrower_id=borrower_id,
                kind="wrong_amount",
                status="answered",
                statement=f"Dispute statement {mark}",
                opened_on=TODAY - timedelta(days=6),
                due_at=NOW + timedelta(days=9),
                answer=f"Lender answer {mark}",
                answered_at=NOW - timedelta(days=1),
            )
        )
        complaint = Complaint(
            reference=f"TS-{mark}",
            borrower_id=borrower_id,
            loan_id=loan_id,
            category="inconvenient_contact",
            description=f"Complaint description {mark}",
            queue="compliance",
            priority=2,
            acknowledge_due_at=NOW + timedelta(days=1),
            response_due_at=NOW + timedelta(days=15),
        )
        db.session.add(complaint)
        db.session.flush()
        for kind, author, body in (
            ("borrower", record.user_id, f"Borrower message {mark}"),
            ("internal_note", support.user_id, f"INTERNAL-NOTE-SECRET {mark}"),
            ("staff_reply", support.user_id, f"Visible reply {mark}"),
        ):
            db.session.add(
                ComplaintMessage(complaint_id=complaint.id, author_id=author, kind=kind, body=body)
            )
        db.session.add(
            UploadedFile(
                borrower_id=borrower_id,
                subject_type="complaint",
                subject_id=complaint.id,
                stored_name=f"stored-{mark}",
                original_name=f"evidence-{mark}.pdf",
                content_type="application/pdf",
                size_bytes=2048,
                sha256="0" * 64,
            )
        )
        for purpose, body in (
            ("payment_received", f"We received your payment {mark}"),
            ("activation_code", "Your code is 123456"),
        ):
            db.session.add(
                OutboxMessage(
                    channel="sms",
                    recipient=record.phone,
                    subject=f"Subject {mark}",
                    body=body,
                    purpose=purpose,
                    user_id=record.user_id,
                )
            )
        db.session.add(
            ContactPreference(
                borrower_id=borrower_id,
                channels="sms",
                barred_parties="employer",
                latest=time(20, 0),
                representative_name=f"Representative {mark}",
                representative_phone="13900000000",
            )
        )
        db.session.flush()
        audit.record(
            "account.language_changed",
            subject_type="user",
            subject_id=record.user_id,
            actor_user_id=record.user_id,
            borrower_id=borrower_id,
            details={"language": "zh_Hant"},
        )
        audit.record(
            "request.offer_accepted",
            subject_type="hardship_request",
            subject_id=request.id,
            actor_user_id=record.user_id,
            borrower_id=borrower_id,
            details={"plan_id": plan.id},
        )
        audit.record(
            "staff.borrower_viewed",
            subject_type="borrower",
            subject_id=borrower_id,
            actor_user_id=support.user_id,
            borrower_id=borrower_id,
        )
        db.session.commit()


@pytest.fixture
def two_borrowers(app, make_borrower, make_staff):
    """A borrower with one of every record, and another borrower with the same."""
    approver, support = make_staff("approver"), make_staff("support")
    mine = make_borrower(language="en", name="Wang Mine")
    other = make_borrower(language="en", name="Li Other")
    _records_of(app, mine, approver, support, "MINE")
    _records_of(app, other, approver, support, "OTHER")
    return mine, other


def test_the_json_copy_holds_every_kind_of_record(client, two_borrowers):
    mine, _other = two_borrowers
    log_in(client, mine.phone)
    data = json.loads(client.get("/rights/my-data.json").text)
    assert data["borrower"]["name"] == "Wang Mine"
    (loan,) = data["loans"]
    assert loan["due_dates"] == [
        {
            "due_on": (TODAY - timedelta(days=10)).isoformat(),
            "principal": "2500.00",
            "interest": "100.00",
        }
    ]
    (interest,) = [e for e in loan["journal"] if e["reference"] == "INT-MINE"]
    assert interest["description"] == "Contract interest MINE"
    assert interest["interest"] == "200.00"  # yuan, not fen
    (call,) = loan["contact_log"]
    assert call["contacted_at"] == "2026-11-18T23:10:00+08:00"  # the borrower's clock
    assert call["rules_broken"] == ["quiet_hours"]
    (request,) = data["plan_requests"]
    assert request["your_explanation"] == "Explanation MINE"
    assert request["decisions"][0]["decision"] == "approve"
    (plan,) = data["plans"]
    assert plan["installments"] == [
        {"number": 1, "due_on": (TODAY + timedelta(days=30)).isoformat(), "amount": "866.67"}
    ]
    (payment,) = data["payments"]
    assert (payment["amount"], payment["method"], payment["receipt_number"]) == (
        "123.45",
        "alipay",
        "R-MINE",
    )
    assert data["promises"][0]["status"] == "kept"
    assert data["disputes"][0]["lender_answer"] == "Lender answer MINE"
    (complaint,) = data["complaints"]
    assert [m["text"] for m in complaint["messages"]] == [
        "Borrower message MINE",
        "Visible reply MINE",
    ]
    assert data["documents_you_sent"][0]["name"] == "evidence-MINE.pdf"
    texts = [m["text"] for m in data["messages_sent_to_you"]]
    assert "We received your payment MINE" in texts
    assert data["contact_preferences"][0]["latest"] == "20:00"
    assert data["contact_preferences"][0]["representative"]["name"] == "Representative MINE"
    assert data["language_changes"][0]["language"] == "zh_Hant"
    assert data["consents"][0]["what"] == "plan_agreement"
    actions = [e["action"] for e in data["record_of_access_and_changes"]]
    assert "staff.borrower_viewed" in actions


@pytest.mark.parametrize("path", ["/rights/my-data.json", "/rights/my-data"])
def test_neither_copy_holds_internal_notes_secrets_or_another_borrowers_data(
    client, two_borrowers, path
):
    mine, other = two_borrowers
    log_in(client, mine.phone)
    response = client.get(path, headers=EN)
    assert response.status_code == 200
    text = response.text
    assert "MINE" in text
    assert "OTHER" not in text and other.phone not in text and other.loan_number not in text
    assert "Li Other" not in text
    for secret in SECRETS:
        assert secret not in text
    assert "argon2" not in text and "password_hash" not in text


def test_the_readable_copy_has_every_section_in_the_borrowers_language(app, client, two_borrowers):
    mine, _other = two_borrowers
    log_in(client, mine.phone)
    page = client.get("/rights/my-data", headers=EN).text
    for heading in (
        "Your details",
        "Your loans",
        "Your requests for more time or a plan",
        "Your plans",
        "Your payments",
        "Your promises to pay",
        "Your disputes",
        "Your complaints",
        "Documents you sent",
        "Messages sent to you",
        "Your contact preferences",
        "Your language changes",
        "What you agreed to",
        "Who looked at or changed your data",
    ):
        assert f">{heading}</h2>" in page, heading
    assert "¥123.45" in page and "¥866.67" in page and "Alipay" in page  # yuan, formatted
    assert "18 Nov 2026, 23:10" in page  # local time, no seconds
    assert "Contact between 22:00 and 08:00 is not allowed." in page  # the rule mark
    assert "Contract interest MINE" in page and "Visible reply MINE" in page
    assert "Lender answer MINE" in page and "evidence-MINE.pdf" in page
    assert "Representative MINE" in page and "Staff looked at your data" in page
    assert "Promise kept" in page and "繁體中文" in page
    stylesheet = Path(app.static_folder, "css", "portal.css").read_text(encoding="utf-8")
    assert ".data-copy" in stylesheet.split("@media print")[-1]  # it prints whole


def test_the_readable_copy_in_chinese(client, two_borrowers):
    mine, _other = two_borrowers
    log_in(client, mine.phone)
    submit_form(client, "/rights", to="/language", data={"language": "zh_Hans"})
    page = client.get("/rights/my-data").text
    assert "2026年11月18日 23:10" in page and "¥123.45" in page and "支付宝" in page
    assert "示例消费金融有限公司" in page


def test_each_copy_is_audited(app, client, two_borrowers):
    mine, _other = two_borrowers
    log_in(client, mine.phone)
    client.get("/rights/my-data")
    client.get("/rights/my-data.json")
    with app.app_context():
        copies = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "borrower.data_exported",
                AuditEntry.borrower_id == mine.borrower_id,
            )
        ).all()
        assert [entry.details["copy"] for entry in copies] == ["page", "json"]


def test_the_rights_page_offers_both_copies(client, two_borrowers):
    mine, _other = two_borrowers
    log_in(client, mine.phone)
    page = client.get("/rights", headers=EN).text
    assert 'href="/rights/my-data"' in page and 'href="/rights/my-data.json"' in page
