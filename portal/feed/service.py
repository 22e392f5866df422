"""Every change the lending system acts on, read from the audit log after a cursor.

The audit log is append-only and its ids only grow, so the cursor is the id of the last audit
entry exported: exporting from the same cursor gives the same records, and from the returned
cursor nothing already given. Each kind of record is one Source: the audit action that marks
the change and how to read its fields (from the entry's details and rows that do not change
after it). Adding a kind of record is one entry in SOURCES (and its columns).

Entries younger than `settle` are left for the next run: a transaction that wrote an entry with
a lower id may still be committing, and a cursor past it would skip it for good.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal import clock
from portal.audit import AuditEntry
from portal.complaints.models import Complaint
from portal.disputes.models import Dispute
from portal.extensions import db
from portal.loans.models import Borrower, JournalEntry, Loan
from portal.payments.models import Payment
from portal.plans.models import PaymentPlan
from portal.promises.models import Promise

SETTLE = timedelta(seconds=60)
COMMON = ("cursor", "record", "at", "customer_ref", "loan_number")


@dataclass(frozen=True)
class Source:
    """One kind of record: the audit action that marks it, its columns, and how to read them
    (`read` returns the loan, or None, and the record's own fields)."""

    action: str
    record: str
    columns: tuple[str, ...]
    read: Callable[[AuditEntry], tuple[Loan | None, dict] | None]


def _promise(entry: AuditEntry):
    promise = db.session.get(Promise, entry.subject_id)
    fields = {
        "promise_id": promise.id,
        "amount": promise.amount_minor,
        "currency": promise.currency,
        "due_on": promise.due_on.isoformat(),
    }
    if "held_days" in entry.details:
        fields["held_days"] = entry.details["held_days"]
    return promise.loan, fields


def _dispute(entry: AuditEntry):
    dispute = db.session.get(Dispute, entry.subject_id)
    fields = {"dispute_id": dispute.id, "dispute_kind": dispute.kind}
    if entry.action == "dispute.opened":
        journal = db.session.get(JournalEntry, dispute.journal_entry_id or 0)
        fields |= {
            "statement": dispute.statement,
            "journal_reference": journal.reference if journal is not None else "",
            "due_on": clock.local(dispute.due_at, clock.business_zone()).date().isoformat(),
        }
    else:
        fields |= {"answer": dispute.answer, "held_days": entry.details.get("held_days", 0)}
    return dispute.loan, fields


def _plan(entry: AuditEntry):
    plan_id = entry.details.get("plan_id", entry.subject_id)
    plan = db.session.get(PaymentPlan, plan_id)
    fields = {"plan_id": plan.id, "plan_kind": plan.kind}
    if entry.action == "request.offer_accepted":
        fields |= {
            "amount": sum(i.amount_minor for i in plan.installments),
            "currency": plan.loan.currency,
            "schedule": ";".join(
                f"{i.due_on.isoformat()}:{i.amount_minor}" for i in plan.installments
            ),
        }
    elif entry.action == "plan.broken":
        fields |= {
            "installment": entry.details.get("installment"),
            "held_days": entry.details.get("held_days", 0),
        }
    return plan.loan, fields


def _payment(entry: AuditEntry):
    payment = db.session.get(Payment, entry.subject_id)
    details = entry.details
    return db.session.get(Loan, payment.loan_id), {
        "payment_id": payment.id,
        "amount": details.get("amount", payment.amount_minor),
        "currency": payment.currency,
        "principal": details.get("principal", 0),
        "interest": details.get("interest", 0),
        "fee": details.get("fee", 0),
    }


def _complaint(entry: AuditEntry):
    complaint = db.session.get(Complaint, entry.subject_id)
    fields = {"complaint_reference": complaint.reference, "category": complaint.category}
    if entry.action == "complaint.resolved":
        relief = entry.details.get("relief_minor")
        fields |= {
            "outcome": entry.details.get("outcome"),
            "amount": relief if relief is not None else "",
            "currency": complaint.currency if relief is not None else "",
        }
    loan = db.session.get(Loan, complaint.loan_id) if complaint.loan_id else None
    return loan, fields


def _preferences(entry: AuditEntry):
    details = entry.details
    representative = details.get("representative") or {}
    return None, {
        "channels_allowed": ";".join(details.get("channels_allowed") or []),
        "earliest": details.get("earliest") or "",
        "latest": details.get("latest") or "",
        "do_not_contact": ";".join(details.get("do_not_contact") or []),
        "representative_name": representative.get("name") or "",
        "representative_phone": representative.get("phone") or "",
    }


def _correction(entry: AuditEntry):
    # The new value is in the audit entry: the request row keeps what was asked for, which
    # is the same, but the entry is what changed the borrower's row.
    return None, {"item": entry.details.get("field", ""), "value": entry.details.get("new") or ""}


def _language(entry: AuditEntry):
    if entry.borrower_id is None:
        return None  # a staff member's language is none of the lender's collection business
    return None, {"language": entry.details.get("language", "")}


PROMISE = ("promise_id", "amount", "currency", "due_on", "held_days")
DISPUTE = (
    "dispute_id",
    "dispute_kind",
    "statement",
    "journal_reference",
    "due_on",
    "answer",
    "held_days",
)
PLAN = ("plan_id", "plan_kind", "amount", "currency", "schedule", "installment", "held_days")
PAYMENT = ("payment_id", "amount", "currency", "principal", "interest", "fee")
COMPLAINT = ("complaint_reference", "category", "outcome", "amount", "currency")
PREFERENCES = (
    "channels_allowed",
    "earliest",
    "latest",
    "do_not_contact",
    "representative_name",
    "representative_phone",
)
LANGUAGE = ("language",)
CORRECTION = ("item", "value")

SOURCES: tuple[Source, ...] = (
    Source("promise.made", "promise_made", PROMISE, _promise),
    Source("promise.kept", "promise_kept", PROMISE, _promise),
    Source("promise.broken", "promise_broken", PROMISE, _promise),
    Source("dispute.opened", "dispute_opened", DISPUTE, _dispute),
    Source("dispute.answered", "dispute_answered", DISPUTE, _dispute),
    Source("request.offer_accepted", "plan_accepted", PLAN, _plan),
    Source("plan.broken", "plan_broken", PLAN, _plan),
    Source("plan.completed", "plan_completed", PLAN, _plan),
    Source("payment.posted", "payment_posted", PAYMENT, _payment),
    Source("complaint.filed", "complaint_filed", COMPLAINT, _complaint),
    Source("complaint.resolved", "complaint_resolved", COMPLAINT, _complaint),
    Source("complaint.disputed", "complaint_reopened", COMPLAINT, _complaint),
    Source("complaint.resolution_accepted", "complaint_closed", COMPLAINT, _complaint),
    Source("complaint.closed_after_dispute_window", "complaint_closed", COMPLAINT, _complaint),
    Source("account.contact_preferences_changed", "contact_preferences", PREFERENCES, _preferences),
    Source("account.language_changed", "language_changed", LANGUAGE, _language),
    Source("correction.accepted", "personal_data_corrected", CORRECTION, _correction),
)
BY_ACTION = {source.action: source for source in SOURCES}
COLUMNS = COMMON + tuple(dict.fromkeys(c for s in SOURCES for c in s.columns))


@dataclass(frozen=True)
class Export:
    records: list[dict]
    cursor: int  # give this as --since next time


def changes_since(
    cursor: int, *, now: datetime | None = None, settle: timedelta = SETTLE
) -> Export:
    """The records after `cursor`, oldest first, and the cursor to continue from."""
    now = now or clock.now()
    # Stop before the first entry still settling, whatever its action: ids only grow.
    settling = db.session.scalar(
        sa.select(sa.func.min(AuditEntry.id)).where(
            AuditEntry.id > cursor, AuditEntry.at > now - settle
        )
    )
    entries = db.session.execute(
        sa.select(AuditEntry, Borrower.customer_ref)
        .outerjoin(Borrower, Borrower.id == AuditEntry.borrower_id)
        .where(
            AuditEntry.id > cursor,
            AuditEntry.action.in_(BY_ACTION),
            AuditEntry.id < settling if settling is not None else sa.true(),
        )
        .order_by(AuditEntry.id)
    ).all()
    records = []
    for entry, customer_ref in entries:
        source = BY_ACTION[entry.action]
        found = source.read(entry)
        if found is None:
            continue  # an entry of this kind that is not the lender's business
        loan, fields = found
        records.append(
            {
                "cursor": entry.id,
                "record": source.record,
                "at": entry.at.isoformat(),
                "customer_ref": customer_ref,
                "loan_number": loan.loan_number if loan is not None else "",
                **fields,
            }
        )
    return Export(records, records[-1]["cursor"] if records else cursor)


def write_jsonl(records: Iterable[dict], out) -> None:
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")


def write_csv(records: Iterable[dict], out) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(record)
