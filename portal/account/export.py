"""The borrower's copy of everything the portal holds on them (access and copy rights), as
machine-readable JSON: amounts in yuan (decimal strings, never floats), times on the borrower's
own clock with their UTC offset, codes as the portal stores them (the readable copy names them
in the borrower's language)."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from portal import audit, clock
from portal.account.records import PersonalRecords, personal_records
from portal.account.settings import preferences_record
from portal.extensions import db
from portal.i18n import amount_input

FORMAT_VERSION = 2


class _Writer:
    """Times on the borrower's clock, money in yuan."""

    def __init__(self, zone: ZoneInfo):
        self.zone = zone

    def when(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return clock.local(value, self.zone).isoformat(timespec="seconds")

    @staticmethod
    def day(value: date | None) -> str | None:
        return value.isoformat() if value is not None else None

    @staticmethod
    def money(amount_minor: int | None, currency: str) -> str | None:
        return amount_input(amount_minor, currency) if amount_minor is not None else None


def personal_data_export(borrower_id: int) -> dict:
    """Everything the portal holds about one borrower, as plain JSON-ready data."""
    return export_of(personal_records(borrower_id))


def export_of(records: PersonalRecords) -> dict:
    borrower, user = records.borrower, records.user
    w = _Writer(clock.zone_of(borrower))
    return {
        "about_this_copy": {
            "format_version": FORMAT_VERSION,
            "made_at": w.when(clock.now()),
            "amounts": "in yuan (major units of each currency), as decimal strings",
            "times": f"on your clock ({borrower.time_zone}), ISO 8601 with the UTC offset",
        },
        "borrower": {
            "customer_reference": borrower.customer_ref,
            "name": borrower.full_name,
            "id_number_last_4": borrower.id_last4,
            "mobile_number": borrower.phone,
            "email": borrower.email,
            "address": borrower.address,
            "preferred_language": borrower.preferred_language,
            "language_chosen_at": w.when(borrower.language_chosen_at),
            "time_zone": borrower.time_zone,
            "received_from_lender_at": w.when(borrower.created_at),
        },
        "account": None
        if user is None
        else {
            "activated_at": w.when(user.activated_at),
            "last_login_at": w.when(user.last_login_at),
            "password_changed_at": w.when(user.password_changed_at),
            "login_sessions": [
                {
                    "started_at": w.when(s.created_at),
                    "last_seen_at": w.when(s.last_seen_at),
                    "ended_at": w.when(s.revoked_at),
                    "ip_address": s.ip_address,
                    "browser": s.user_agent,
                }
                for s in records.sessions
            ],
        },
        "loans": [_loan(loan_records, w) for loan_records in records.loans],
        "plan_requests": [_request(r, records, w) for r in records.requests],
        "plans": [_plan(p, records, w) for p in records.plans],
        "payments": [_payment(p, records, w) for p in records.payments],
        "promises": [
            {
                "loan_number": records.loan_number(p.loan_id),
                "amount": w.money(p.amount_minor, p.currency),
                "currency": p.currency,
                "made_at": w.when(p.made_at),
                "pay_by": w.day(p.due_on),
                "status": p.status,
                "ended_at": w.when(p.ended_at),
            }
            for p in records.promises
        ],
        "disputes": [
            {
                "loan_number": records.loan_number(d.loan_id),
                "kind": d.kind,
                "journal_entry": d.journal_entry.reference if d.journal_entry else None,
                "status": d.status,
                "your_statement": d.statement,
                "opened_at": w.when(d.opened_at),
                "answer_due_at": w.when(d.due_at),
                "lender_answer": d.answer,
                "answered_at": w.when(d.answered_at),
            }
            for d in records.disputes
        ],
        "complaints": [_complaint(c, records, w) for c in records.complaints],
        "documents_you_sent": [
            {
                "name": f.original_name,
                "type": f.content_type,
                "size_bytes": f.size_bytes,
                "sent_at": w.when(f.created_at),
                "attached_to": f.subject_type,
            }
            for f in records.documents
        ],
        "messages_sent_to_you": [
            {
                "created_at": w.when(m.created_at),
                "sent_at": w.when(m.sent_at),
                "channel": m.channel,
                "to": m.recipient,
                "subject": m.subject,
                "status": m.status,
                "text": records.message_text(m) or "(one-time code or link removed)",
            }
            for m in records.messages
        ],
        "correction_requests": _corrections(borrower.id, w.when),
        # Every version, oldest first: each was in force from its set_at until the next.
        "contact_preferences": [
            {**preferences_record(row), "set_at": w.when(row.set_at)} for row in records.preferences
        ],
        "language_changes": [
            {"at": w.when(e.at), "language": (e.details or {}).get("language")}
            for e in records.language_changes
        ],
        "consents": [
            {
                "at": w.when(e.at),
                "what": "plan_agreement",
                "request_number": e.subject_id,
                "plan_number": (e.details or {}).get("plan_id"),
            }
            for e in records.consents
        ],
        "record_of_access_and_changes": [
            {"at": w.when(entry.at), "action": entry.action, "by": role or "system"}
            for entry, role in records.access_log
        ],
    }


def _loan(loan_records, w: _Writer) -> dict:
    loan = loan_records.loan
    money = lambda amount: w.money(amount, loan.currency)  # noqa: E731
    return {
        "loan_number": loan.loan_number,
        "product": loan.product,
        "currency": loan.currency,
        "status": loan.status,
        "opened_on": w.day(loan.opened_on),
        "balance": {
            "principal": money(loan.principal_minor),
            "interest": money(loan.interest_minor),
            "fees": money(loan.fee_minor),
        },
        "credit": money(loan.credit_minor),
        "due_dates": [
            {
                "due_on": w.day(d.due_on),
                "principal": money(d.principal_minor),
                "interest": money(d.interest_minor),
            }
            for d in loan_records.due_dates
        ],
        "journal": [
            {
                "kind": e.kind,
                "posted_at": w.when(e.posted_at),
                "principal": money(e.principal_minor),
                "interest": money(e.interest_minor),
                "fees": money(e.fee_minor),
                "reference": e.reference,
                "description": e.description,
            }
            for e in loan_records.journal
        ],
        "contact_log": [
            {
                "contacted_at": w.when(view.entry.contacted_at),
                "channel": view.entry.channel,
                "party": view.entry.party,
                "agent": view.entry.agent,
                "outcome": view.entry.outcome,
                "note": view.entry.note,
                "rules_broken": list(view.breaches),
            }
            for view in loan_records.contacts
        ],
    }


def _request(request, records: PersonalRecords, w: _Writer) -> dict:
    money = lambda amount: w.money(amount, request.currency)  # noqa: E731
    plan = records.plan_of(request.id)
    return {
        "number": request.id,
        "loan_number": records.loan_number(request.loan_id),
        "kind": request.kind,
        "status": request.status,
        "sent_at": w.when(request.created_at),
        "reason": request.reason_code,
        "your_explanation": request.reason_text,
        "balance_when_sent": money(request.balance_minor),
        "overdue_when_sent": money(request.overdue_minor),
        "asked_for": {
            "extension_days": request.extension_days,
            "months": request.months,
            "down_payment": money(request.down_payment_minor),
            "first_due_on": w.day(request.first_due_on),
        },
        "offered": None
        if request.offer_expires_at is None
        else {
            "counter_offer": request.offer_is_counter,
            "extension_days": request.offer_extension_days,
            "months": request.offer_months,
            "down_payment": money(request.offer_down_payment_minor),
            "first_due_on": w.day(request.offer_first_due_on),
            "answer_by": w.when(request.offer_expires_at),
        },
        "decision_due_at": w.when(request.decision_due_at),
        # The lender's decisions as the borrower reads them: no approver, no internal note.
        "decisions": [
            {"at": w.when(d.created_at), "decision": d.action, "reason": d.reason_code}
            for d in request.decisions
        ],
        "rejection_reason": request.reject_reason_code,
        "closed_at": w.when(request.closed_at),
        "plan_number": plan.id if plan else None,
    }


def _plan(plan, records: PersonalRecords, w: _Writer) -> dict:
    currency = plan.loan.currency
    money = lambda amount: w.money(amount, currency)  # noqa: E731
    return {
        "number": plan.id,
        "loan_number": records.loan_number(plan.loan_id),
        "request_number": plan.request_id,
        "kind": plan.kind,
        "status": plan.status,
        "accepted_at": w.when(plan.accepted_at),
        "ended_at": w.when(plan.ended_at),
        "balance_covered": {
            "principal": money(plan.principal_minor),
            "interest": money(plan.interest_minor),
            "fees": money(plan.fee_minor),
        },
        "interest_stops": plan.stop_interest,
        "grace_days": plan.grace_days,
        "installments": [
            {"number": i.number, "due_on": w.day(i.due_on), "amount": money(i.amount_minor)}
            for i in plan.installments
        ],
    }


def _payment(payment, records: PersonalRecords, w: _Writer) -> dict:
    money = lambda amount: w.money(amount, payment.currency)  # noqa: E731
    return {
        "receipt_number": payment.receipt_number,
        "loan_number": records.loan_number(payment.loan_id),
        "amount": money(payment.amount_minor),
        "currency": payment.currency,
        "for": payment.purpose,
        "method": payment.method,
        "status": payment.status,
        "started_at": w.when(payment.created_at),
        "paid_at": w.when(payment.succeeded_at),
        "kept_as_credit": money(payment.credit_minor),
        "refunded": money(payment.refunded_minor),
        "refunded_at": w.when(payment.refunded_at),
        "still_owed_after": money(payment.balance_after_minor),
        "overdue_after": money(payment.overdue_after_minor),
        "payment_reference": payment.payment_intent_id,
    }


def _complaint(records_of, records: PersonalRecords, w: _Writer) -> dict:
    c = records_of.complaint
    return {
        "reference": c.reference,
        "loan_number": records.loan_number(c.loan_id),
        "about_contact_at": w.when(c.contact_entry.contacted_at) if c.contact_entry else None,
        "filed_at": w.when(c.created_at),
        "category": c.category,
        "status": c.status,
        "description": c.description,
        "desired_outcome": c.desired_outcome,
        "acknowledge_by": w.when(c.acknowledge_due_at),
        "acknowledged_at": w.when(c.acknowledged_at),
        "answer_by": w.when(c.response_due_at),
        "resolved_at": w.when(c.resolved_at),
        "outcome": c.outcome,
        "relief": w.money(c.relief_minor, c.currency),
        "dispute_until": w.when(c.dispute_until),
        "disputed_at": w.when(c.disputed_at),
        # Replies and the resolution: never the internal notes.
        "messages": [
            {
                "at": w.when(m.created_at),
                "from": "you" if m.kind == "borrower" else "support",
                "kind": m.kind,
                "text": m.body,
            }
            for m in records_of.messages
        ],
    }


def _corrections(borrower_id: int, when) -> list[dict]:
    """The borrower's requests to correct their data, and the answers."""
    from portal.corrections.models import CorrectionRequest

    rows = db.session.scalars(
        sa.select(CorrectionRequest)
        .where(CorrectionRequest.borrower_id == borrower_id)
        .order_by(CorrectionRequest.id)
    ).all()
    return [
        {
            "item": c.field,
            "held_when_asked": c.current_value,
            "asked_for": c.requested_value,
            "explanation": c.explanation,
            "asked_at": when(c.opened_at),
            "answer_due_at": when(c.due_at),
            "status": c.status,
            "answered_at": when(c.answered_at),
            "answer": c.answer,
        }
        for c in rows
    ]


def download_personal_data(borrower_id: int) -> str:
    """The borrower's export as the JSON document they download; the download is audited."""
    data = personal_data_export(borrower_id)
    _audit_copy(borrower_id, "json")
    return json.dumps(data, ensure_ascii=False, indent=2)


def readable_personal_data(borrower_id: int) -> PersonalRecords:
    """The borrower's records for the readable copy (a page); showing it is audited."""
    records = personal_records(borrower_id)
    _audit_copy(borrower_id, "page")
    return records


def _audit_copy(borrower_id: int, form: str) -> None:
    audit.record(
        "borrower.data_exported",
        subject_type="borrower",
        subject_id=borrower_id,
        borrower_id=borrower_id,
        details={"copy": form},
    )
