"""Complaints: filing, routing, the staff queue and actions, the borrower's answers, time.

Functions flush and never commit: the request edge (or the `tick` command) commits. Every
refusal is raised before anything is written. Which action is possible in which status is
decided by `lifecycle`; deadlines by `rules`, in the business time zone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal import audit, clock, notices
from portal.auth.models import User
from portal.complaints import lifecycle
from portal.complaints.lifecycle import OPEN_STATUSES, Actor
from portal.complaints.models import Complaint, ComplaintMessage, ComplaintRoute, SentForm
from portal.complaints.rules import (
    CATEGORIES,
    DEFAULT_ROUTES,
    OUTCOMES,
    QUEUES,
    Route,
    deadlines,
    dispute_open_until,
    dispute_window_open,
    escalated,
    route_for,
)
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.holidays.service import business_calendar
from portal.loans.models import Borrower, ContactLogEntry, Loan
from portal.pagination import Page, paginate
from portal.rows import locked, owned, valid_id
from portal.security import Role
from portal.uploads import CheckedFile, UploadedFile, attach

SUBJECT = "complaint"
MAX_ATTACHMENTS = 5


class ComplaintRefused(DomainError):
    """What was asked for or typed cannot be accepted; `code` is a key of labels.MESSAGES."""


# The routes that predate effect dates have been in force since then.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


class SentBefore(ComplaintRefused):
    """The form (its token) was sent before, with something else in it: nothing was done this
    time. `complaint_id` and `reference` say where the first sending went."""


def ensure_complaint_routes() -> None:
    existing = set(db.session.scalars(sa.select(ComplaintRoute.category)))
    for category, route in DEFAULT_ROUTES.items():
        if category not in existing:
            db.session.add(
                ComplaintRoute(
                    category=category,
                    effective_from=BEGINNING,
                    queue=route.queue,
                    priority=route.priority,
                )
            )
    db.session.flush()


def routes(at: datetime | None = None) -> dict[str, Route]:
    """Each category's route in force at `at` (now by default)."""
    found: dict[str, Route] = {}
    for row in db.session.scalars(
        sa.select(ComplaintRoute)
        .where(ComplaintRoute.effective_from <= (at or clock.now()))
        .order_by(ComplaintRoute.effective_from)
    ):
        found[row.category] = Route(row.queue, row.priority)
    return found


def own_contact(borrower: Borrower, contact_id: int | None) -> ContactLogEntry | None:
    """A contact-log entry on one of the borrower's own loans, or None."""
    if not valid_id(contact_id):
        return None
    return db.session.scalar(
        sa.select(ContactLogEntry)
        .join(Loan, ContactLogEntry.loan_id == Loan.id)
        .where(ContactLogEntry.id == contact_id, Loan.borrower_id == borrower.id)
    )


def attachments(complaint_id: int) -> list[UploadedFile]:
    return list(
        db.session.scalars(
            sa.select(UploadedFile)
            .where(UploadedFile.subject_type == SUBJECT, UploadedFile.subject_id == complaint_id)
            .order_by(UploadedFile.id)
        )
    )


# --- forms sent once ------------------------------------------------------------------------
# Every complaint form shown carries a token; the first sending of a token does the work and
# records it (unique in the database), a later one does nothing and answers with the first
# result. A sending without a token (no form shown) is always new.


def fingerprint(*typed, files: list[CheckedFile] = ()) -> str:
    """What a form sent: the typed values and each file's content, as one sha256."""
    contents = [hashlib.sha256(f.data).hexdigest() for f in files]
    return hashlib.sha256(json.dumps([typed, contents], default=str).encode()).hexdigest()


def _sent_already(token: str | None, kind: str, user_id: int, complaint_id=None):
    """The earlier sending of the form with this token, if any; NotFound when the token is
    another person's, or another complaint's form."""
    if not token:
        return None
    earlier = db.session.scalar(sa.select(SentForm).where(SentForm.token == token))
    if earlier is not None and (
        earlier.user_id != user_id
        or earlier.kind != kind
        or (complaint_id is not None and earlier.complaint_id != complaint_id)
    ):
        raise NotFound()
    return earlier


def _record_sending(token, kind, user_id, sent_print, complaint_id=None):
    """Record the form as sent: (the new row, None), or (None, the earlier sending) when a
    concurrent sending of the same form was recorded first (the unique token decides)."""
    if not token:
        return None, None
    sent = SentForm(
        token=token, kind=kind, user_id=user_id, complaint_id=complaint_id, fingerprint=sent_print
    )
    try:
        with db.session.begin_nested():
            db.session.add(sent)
            db.session.flush()
    except IntegrityError:
        earlier = _sent_already(token, kind, user_id, complaint_id)
        if earlier is None:
            raise
        return None, earlier
    return sent, None


def _first_result(earlier: SentForm, sent_print: str, code: str) -> Complaint:
    """The same form sent again: the first result. Sent again with something changed (another
    file, other text): SentBefore, so the sender learns the change was not added."""
    complaint = db.session.get(Complaint, earlier.complaint_id)
    if earlier.fingerprint != sent_print:
        raise SentBefore(code, complaint_id=complaint.id, reference=complaint.reference)
    return complaint


def file_complaint(
    borrower: Borrower,
    author_id: int,
    *,
    category: str,
    description: str,
    desired_outcome: str,
    contact_id: int | None,
    files: list[CheckedFile],
    token: str | None = None,
    now: datetime | None = None,
) -> Complaint:
    """File a complaint: route it, set its deadlines, store attachments, acknowledge receipt.

    The same form (`token`) sent again files nothing and returns the complaint it filed first;
    sent again with a different file or text, SentBefore."""
    now = now or clock.now()
    if category not in CATEGORIES:
        raise ComplaintRefused("category")
    contact = own_contact(borrower, contact_id)
    if contact_id and contact is None:
        raise ComplaintRefused("contact")
    description, desired_outcome = description.strip(), desired_outcome.strip()
    sent_print = fingerprint(
        category, description, desired_outcome, contact.id if contact else None, files=files
    )
    sent, earlier = _record_sending(token, "complaint", author_id, sent_print)
    if earlier is not None:
        return _first_result(earlier, sent_print, "complaint_sent_before")
    route = route_for(category, routes(now))
    zone = clock.business_zone()
    due = deadlines(now, zone, business_calendar(now.astimezone(zone).date()))
    complaint = Complaint(
        borrower_id=borrower.id,
        loan_id=contact.loan_id if contact else None,
        contact_entry_id=contact.id if contact else None,
        category=category,
        description=description,
        desired_outcome=desired_outcome,
        queue=route.queue,
        priority=route.priority,
        status="new",
        acknowledge_due_at=due.acknowledge_by,
        response_due_at=due.respond_by,
        created_at=now,
        updated_at=now,
    )
    db.session.add(complaint)
    db.session.flush()
    complaint.reference = f"TS{now:%Y%m%d}{complaint.id:06d}"
    if sent is not None:
        sent.complaint_id = complaint.id
    attach(borrower.id, SUBJECT, complaint.id, files)
    audit.record(
        "complaint.filed",
        subject_type=SUBJECT,
        subject_id=complaint.id,
        borrower_id=borrower.id,
        actor_user_id=author_id,
        details={"category": category, "queue": route.queue},
    )
    notices.complaint_received(complaint)
    db.session.flush()
    return complaint


def borrower_complaints(borrower: Borrower) -> list[Complaint]:
    return list(
        db.session.scalars(
            sa.select(Complaint)
            .where(Complaint.borrower_id == borrower.id)
            .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        )
    )


def _borrower_complaint(borrower: Borrower, complaint_id: int) -> Complaint:
    """The borrower's own complaint, locked for a change; NotFound for anything else."""
    complaint = owned(Complaint, complaint_id, borrower.id, lock=True)
    if complaint is None:
        raise NotFound()
    return complaint


def borrower_visible_messages(complaint: Complaint) -> list[ComplaintMessage]:
    """The thread as the borrower sees it: never an internal note."""
    return [m for m in complaint.messages if m.borrower_visible]


def allowed_actions(
    complaint: Complaint, actor: Actor, now: datetime | None = None, *, staff_id: int | None = None
) -> frozenset:
    """What `actor` may do with the complaint now (for the buttons on its page); for the staff
    member `staff_id`, claiming a complaint already theirs is not offered."""
    allowed = lifecycle.allowed_actions(
        complaint.status,
        actor,
        dispute_window_open=dispute_window_open(complaint.dispute_until, now or clock.now()),
    )
    if staff_id is not None and complaint.assigned_to_id == staff_id:
        allowed -= {"claim"}
    return allowed


def _add_message(complaint: Complaint, author_id: int, kind: str, body: str, now) -> None:
    db.session.add(
        ComplaintMessage(
            complaint_id=complaint.id,
            author_id=author_id,
            kind=kind,
            body=body.strip(),
            created_at=now,
        )
    )


def borrower_reply(
    borrower: Borrower,
    author_id: int,
    complaint_id: int,
    body: str,
    files: list[CheckedFile],
    token: str | None = None,
    now: datetime | None = None,
) -> Complaint:
    """The borrower adds to the thread (and attachments) while the complaint is open.

    The same form (`token`) sent again adds nothing; sent again changed, SentBefore."""
    now = now or clock.now()
    if not body.strip() and not files:
        raise ComplaintRefused("nothing_to_send", field="body")
    complaint = _borrower_complaint(borrower, complaint_id)
    sent_print = fingerprint(body.strip(), files=files)
    # The complaint's row lock orders sendings of one form: the second one finds the first.
    earlier = _sent_already(token, "borrower_reply", author_id, complaint.id)
    if earlier is not None:
        return _first_result(earlier, sent_print, "reply_sent_before")
    status = lifecycle.next_status(complaint.status, "borrower_reply", Actor.BORROWER)
    if len(attachments(complaint.id)) + len(files) > MAX_ATTACHMENTS:
        raise ComplaintRefused("too_many_files")
    _, earlier = _record_sending(token, "borrower_reply", author_id, sent_print, complaint.id)
    if earlier is not None:
        return _first_result(earlier, sent_print, "reply_sent_before")
    if body.strip():
        _add_message(complaint, author_id, "borrower", body, now)
    attach(borrower.id, SUBJECT, complaint.id, files)
    complaint.status, complaint.updated_at = status, now
    audit.record(
        "complaint.borrower_replied",
        subject_type=SUBJECT,
        subject_id=complaint.id,
        borrower_id=borrower.id,
        details={"files": len(files)},
    )
    db.session.flush()
    return complaint


def accept_resolution(borrower: Borrower, complaint_id: int, now: datetime | None = None) -> None:
    """The borrower accepts the resolution: the complaint closes."""
    now = now or clock.now()
    complaint = _borrower_complaint(borrower, complaint_id)
    complaint.status = lifecycle.next_status(complaint.status, "accept", Actor.BORROWER)
    complaint.closed_at, complaint.updated_at = now, now
    audit.record(
        "complaint.resolution_accepted",
        subject_type=SUBJECT,
        subject_id=complaint.id,
        borrower_id=borrower.id,
    )
    db.session.flush()


def dispute(
    borrower: Borrower, author_id: int, complaint_id: int, reason: str, now: datetime | None = None
) -> None:
    """Dispute a resolution within the window: the complaint reopens at a higher priority."""
    now = now or clock.now()
    complaint = _borrower_complaint(borrower, complaint_id)
    complaint.status = lifecycle.next_status(
        complaint.status,
        "dispute",
        Actor.BORROWER,
        dispute_window_open=dispute_window_open(complaint.dispute_until, now),
    )
    complaint.priority = escalated(complaint.priority)
    complaint.disputed_at = now
    complaint.response_due_at = deadlines(now, clock.business_zone()).respond_by
    complaint.response_breached_at = None
    complaint.updated_at = now
    _add_message(complaint, author_id, "borrower", reason, now)
    audit.record(
        "complaint.disputed", subject_type=SUBJECT, subject_id=complaint.id, borrower_id=borrower.id
    )
    notices.complaint_reopened(complaint)
    db.session.flush()


# --- staff ------------------------------------------------------------------------------------

QUEUE_SORTS = {
    "deadline": (Complaint.priority.asc(), Complaint.response_due_at.asc(), Complaint.id.asc()),
    "due": (Complaint.response_due_at.asc(), Complaint.id.asc()),
    "newest": (Complaint.created_at.desc(), Complaint.id.desc()),
    "oldest": (Complaint.created_at.asc(), Complaint.id.asc()),
}


@dataclass
class QueueFilters:
    queue: str = ""
    status: str = "open"
    priority: int | None = None
    overdue: bool = False
    mine: bool = False
    sort: str = "deadline"
    page: int = 1


def staff_queue(filters: QueueFilters, staff_id: int, now: datetime | None = None) -> Page:
    """The complaint queue, filtered, sorted and one page at a time, each complaint with its
    borrower and assignee (None when not assigned): two queries."""
    statements = _staff_queue_statements(
        "open" if filters.status == "open" else bool(filters.status),
        filters.queue if filters.queue in QUEUES else "",
        bool(filters.priority),
        filters.overdue,
        filters.mine,
        filters.sort if filters.sort in QUEUE_SORTS else "deadline",
    )
    values = {
        "status": filters.status,
        "priority": filters.priority,
        "now": now or clock.now(),
        "staff_id": staff_id,
    }
    return paginate(*statements, filters.page, values=values)


@lru_cache(maxsize=256)  # a few hundred filters at most, each built once; values bound
def _staff_queue_statements(status, queue: str, priority: bool, overdue: bool, mine: bool, sort):
    # On the table's columns, so that the count runs as a Core statement (no ORM work).
    complaint = Complaint.__table__.c
    conditions = []
    if status == "open":
        conditions.append(complaint.status.in_(OPEN_STATUSES))
    elif status:
        conditions.append(complaint.status == sa.bindparam("status"))
    if queue:
        conditions.append(complaint.queue == queue)
    if priority:
        conditions.append(complaint.priority == sa.bindparam("priority"))
    if overdue:
        conditions.append(complaint.response_due_at < sa.bindparam("now"))
        conditions.append(complaint.status.in_(OPEN_STATUSES))
    if mine:
        conditions.append(complaint.assigned_to_id == sa.bindparam("staff_id"))
    assignee = aliased(User)
    return (
        sa.select(Complaint, Borrower, assignee)
        .join(Borrower, Complaint.borrower_id == Borrower.id)
        .outerjoin(assignee, Complaint.assigned_to_id == assignee.id)
        .where(*conditions)
        .order_by(*QUEUE_SORTS[sort]),
        sa.select(sa.func.count(complaint.id)).where(*conditions),
    )


def find_complaint(complaint_id: int) -> Complaint | None:
    return db.session.get(Complaint, complaint_id) if valid_id(complaint_id) else None


def complaint_for_staff(complaint_id: int) -> Complaint | None:
    """A complaint for a support page; the look at the borrower's data is audited."""
    return audit.staff_read(Complaint, complaint_id, "staff.complaint_viewed", SUBJECT)


def support_staff() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.SUPPORT, User.disabled_at.is_(None))
            .order_by(User.display_name)
        )
    )


def _touch(complaint: Complaint, action: str, now: datetime, **details) -> None:
    complaint.updated_at = now
    audit.record(
        f"complaint.{action}",
        subject_type=SUBJECT,
        subject_id=complaint.id,
        borrower_id=complaint.borrower_id,
        details=details,
    )


# What each staff action writes: the audit name, the message kind, the borrower's notification.
STAFF_AUDIT = {
    "claim": "claimed",
    "assign": "assigned",
    "acknowledge": "acknowledged",
    "investigating": "status_investigating",
    "awaiting_borrower": "status_awaiting_borrower",
    "reply": "replied",
    "note": "noted",
    "resolve": "resolved",
}
STAFF_MESSAGE_KINDS = {"reply": "staff_reply", "note": "internal_note", "resolve": "resolution"}


def _check_staff_input(action: str, body: str, assignee: User | None, outcome, relief_minor):
    """Refuse what the staff member chose or typed, before anything is written."""
    if action == "assign" and (assignee is None or assignee.role != Role.SUPPORT):
        raise ComplaintRefused("assignee")
    if action == "resolve" and outcome not in OUTCOMES:
        raise ComplaintRefused("outcome")
    if action in STAFF_MESSAGE_KINDS and not body.strip():
        raise ComplaintRefused("empty")
    if action == "resolve" and outcome == "monetary_relief" and not relief_minor:
        raise ComplaintRefused("relief")


def check_resolution(
    complaint_id: int, *, body: str, outcome: str | None, relief_minor: int | None
) -> Complaint:
    """Refuse a resolution that could not be recorded, writing nothing: what the confirmation
    page shows is what resolving will record."""
    complaint = find_complaint(complaint_id)
    if complaint is None:
        raise NotFound()
    lifecycle.next_status(complaint.status, "resolve", Actor.STAFF)
    _check_staff_input("resolve", body, None, outcome, relief_minor)
    return complaint


def staff_action(
    complaint_id: int,
    staff: User,
    action: str,
    *,
    body: str = "",
    assignee_id: int | None = None,
    outcome: str | None = None,
    relief_minor: int | None = None,
    token: str | None = None,
    now: datetime | None = None,
) -> Complaint:
    """One staff action on a complaint: claim, assign, acknowledge, set a status, reply, add an
    internal note, or resolve. The lifecycle table says whether it is possible now. The same
    form (`token`) sent again does nothing; sent again changed, SentBefore."""
    now = now or clock.now()
    complaint = locked(Complaint, complaint_id)
    if complaint is None:
        raise NotFound()
    sent_print = fingerprint(action, body.strip(), assignee_id, outcome, relief_minor)
    earlier = _sent_already(token, "staff_action", staff.id, complaint.id)
    if earlier is not None:
        return _first_result(earlier, sent_print, "staff_sent_before")
    status = lifecycle.next_status(complaint.status, action, Actor.STAFF)
    wanted = action == "assign" and valid_id(assignee_id)
    assignee = db.session.get(User, assignee_id) if wanted else None
    _check_staff_input(action, body, assignee, outcome, relief_minor)
    _, earlier = _record_sending(token, "staff_action", staff.id, sent_print, complaint.id)
    if earlier is not None:
        return _first_result(earlier, sent_print, "staff_sent_before")
    details = {}
    if action == "claim":
        complaint.assigned_to_id = staff.id
    if action == "assign":
        complaint.assigned_to_id = assignee.id
        details = {"assignee_id": assignee.id}
    if action in lifecycle.ACKNOWLEDGING and complaint.acknowledged_at is None:
        complaint.acknowledged_at = now
    complaint.status = status
    if action == "resolve":
        complaint.outcome, complaint.resolved_at = outcome, now
        complaint.relief_minor = relief_minor if outcome == "monetary_relief" else None
        complaint.dispute_until = dispute_open_until(now)
        details = {"outcome": outcome, "relief_minor": relief_minor}
    if action in STAFF_MESSAGE_KINDS:
        _add_message(complaint, staff.id, STAFF_MESSAGE_KINDS[action], body, now)
    notices.complaint_staff_action(complaint, action)
    _touch(complaint, STAFF_AUDIT[action], now, **details)
    db.session.flush()
    return complaint


# --- time ---------------------------------------------------------------------------------------


def _time_due(action: str, *conditions) -> list[Complaint]:
    """The complaints in a status where the time action applies, matching the conditions."""
    return list(
        db.session.scalars(
            sa.select(Complaint)
            .where(Complaint.status.in_(lifecycle.statuses_allowing(action)), *conditions)
            .order_by(Complaint.id)
        )
    )


def apply_time(now: datetime | None = None) -> dict[str, int]:
    """Flag and escalate breached deadlines; close resolutions no longer disputable. Idempotent.

    Flushes only: the `tick` command commits.
    """
    now = now or clock.now()
    late_acknowledgements = _time_due(
        "acknowledgement_late",
        Complaint.acknowledge_due_at < now,
        Complaint.acknowledge_breached_at.is_(None),
    )
    for complaint in late_acknowledgements:
        complaint.acknowledge_breached_at = now
        complaint.priority = escalated(complaint.priority)
        _touch(complaint, "acknowledgement_late", now)
    late_responses = _time_due(
        "response_late", Complaint.response_due_at < now, Complaint.response_breached_at.is_(None)
    )
    for complaint in late_responses:
        complaint.response_breached_at = now
        complaint.priority = escalated(complaint.priority)
        _touch(complaint, "response_late", now)
    undisputed = _time_due("dispute_window_passed", Complaint.dispute_until < now)
    for complaint in undisputed:
        complaint.status = lifecycle.next_status(
            complaint.status, "dispute_window_passed", Actor.TIME
        )
        complaint.closed_at = now
        _touch(complaint, "closed_after_dispute_window", now)
    db.session.flush()
    return {
        "acknowledgement_late": len(late_acknowledgements),
        "response_late": len(late_responses),
        "closed": len(undisputed),
    }
