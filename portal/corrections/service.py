"""Corrections of personal data: the borrower asks with evidence, support accepts (the
borrower's row changes, audited with the old and new value) or refuses with a reason; the
answer is messaged once. The `tick` flags a request still open after its deadline, once.

Functions flush and never commit: the request edge (or the `tick` command) commits. Every
refusal is raised before anything is written. Which action is possible in which status is
decided by `lifecycle`.
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from portal import audit, clock, notices
from portal.auth.service import normalize_phone
from portal.complaints.service import fingerprint
from portal.corrections import lifecycle
from portal.corrections.lifecycle import Actor
from portal.corrections.models import CorrectionRequest, CorrectionSentForm
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.loans.models import Borrower
from portal.rows import locked, valid_id
from portal.uploads import CheckedFile, UploadedFile, attach

SUBJECT = "correction_request"
PHONE = re.compile(r"\+?\d{6,20}")


class CorrectionRefused(DomainError):
    """What was asked for or typed cannot be accepted; `code` is a key of labels.MESSAGES."""


class SentBefore(CorrectionRefused):
    """The form (its token) was sent before with something else in it: nothing was done this
    time. `correction_id` says where the first sending went."""


# --- values -------------------------------------------------------------------------------------


def held_value(borrower: Borrower, field: str) -> str | None:
    """The value of `field` the portal holds for the borrower now."""
    return getattr(borrower, lifecycle.COLUMNS[field])


def checked_value(field: str, typed: str) -> str:
    """The typed value in the form it is stored in; CorrectionRefused when it cannot be one."""
    value = " ".join((typed or "").split())
    if not value:
        raise CorrectionRefused("value_missing", field="value")
    if field == lifecycle.PHONE:
        value = normalize_phone(value)
        if not PHONE.fullmatch(value):
            raise CorrectionRefused("phone", field="value")
    elif field == lifecycle.EMAIL:
        try:
            value = validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            raise CorrectionRefused("email", field="value") from error
        if len(value) > 254:
            raise CorrectionRefused("email", field="value")
    elif field == lifecycle.NAME and len(value) > 200:
        raise CorrectionRefused("name", field="value")
    elif len(value) > 500:
        raise CorrectionRefused("address", field="value")
    return value


def _in_use(correction: CorrectionRequest) -> bool:
    """Whether another borrower holds the asked-for phone or e-mail (unique on borrowers)."""
    if correction.field not in (lifecycle.PHONE, lifecycle.EMAIL):
        return False
    column = getattr(Borrower, lifecycle.COLUMNS[correction.field])
    return (
        db.session.scalar(
            sa.select(Borrower.id).where(
                column == correction.requested_value, Borrower.id != correction.borrower_id
            )
        )
        is not None
    )


# --- forms sent once (as complaint forms: see complaints.service) -------------------------------


def _sent_already(token: str | None, kind: str, user_id: int, correction_id=None):
    """The earlier sending of the form with this token, if any; NotFound when the token is
    another person's, or another request's form."""
    if not token:
        return None
    earlier = db.session.scalar(
        sa.select(CorrectionSentForm).where(CorrectionSentForm.token == token)
    )
    if earlier is not None and (
        earlier.user_id != user_id
        or earlier.kind != kind
        or (correction_id is not None and earlier.correction_id != correction_id)
    ):
        raise NotFound()
    return earlier


def _first_result(earlier: CorrectionSentForm, sent_print: str) -> CorrectionRequest:
    """The same form sent again: the first result; sent again changed, SentBefore."""
    if earlier.fingerprint != sent_print:
        raise SentBefore("sent_before", correction_id=earlier.correction_id)
    return db.session.get(CorrectionRequest, earlier.correction_id)


def _sent_form(token, kind, user_id, sent_print, correction_id=None):
    if not token:
        return None
    return CorrectionSentForm(
        token=token,
        kind=kind,
        user_id=user_id,
        correction_id=correction_id,
        fingerprint=sent_print,
    )


# --- the borrower -------------------------------------------------------------------------------


def _open_key(borrower_id: int, field: str) -> str:
    return f"{borrower_id}:{field}"


def ask(
    borrower: Borrower,
    user_id: int,
    *,
    field: str,
    value: str,
    explanation: str,
    files: list[CheckedFile],
    token: str | None = None,
    now: datetime | None = None,
) -> CorrectionRequest:
    """Ask support to correct one item of the borrower's data; the answer is due in 15 days.

    One open request per item. The same form (`token`) sent again asks nothing new and returns
    the request it made first; sent again with something changed, SentBefore."""
    now = now or clock.now()
    if field not in lifecycle.FIELDS:
        raise CorrectionRefused("field", field="field")
    value, explanation = checked_value(field, value), (explanation or "").strip()
    sent_print = fingerprint(field, value, explanation, files=files)
    earlier = _sent_already(token, "request", user_id)
    if earlier is not None:
        return _first_result(earlier, sent_print)
    if value == held_value(borrower, field):
        raise CorrectionRefused("unchanged", field="value")
    if field in lifecycle.EVIDENCE_NEEDED and not files:
        raise CorrectionRefused("evidence_missing", field="evidence")
    key = _open_key(borrower.id, field)
    if db.session.scalar(sa.select(CorrectionRequest.id).where(CorrectionRequest.open_key == key)):
        raise CorrectionRefused("already_open", field="field")
    correction = CorrectionRequest(
        borrower_id=borrower.id,
        field=field,
        open_key=key,
        status=lifecycle.OPEN,
        current_value=held_value(borrower, field),
        requested_value=value,
        explanation=explanation,
        opened_at=now,
        due_at=lifecycle.answer_due(now, clock.business_zone()),
    )
    try:
        # The unique token and the unique open item decide between two sendings at once.
        with db.session.begin_nested():
            db.session.add(correction)
            db.session.flush()
            sent = _sent_form(token, "request", user_id, sent_print, correction.id)
            if sent is not None:
                db.session.add(sent)
                db.session.flush()
    except IntegrityError:
        earlier = _sent_already(token, "request", user_id)
        if earlier is not None:
            return _first_result(earlier, sent_print)
        raise CorrectionRefused("already_open", field="field") from None
    attach(borrower.id, SUBJECT, correction.id, files)
    audit.record(
        "correction.requested",
        subject_type=SUBJECT,
        subject_id=correction.id,
        borrower_id=borrower.id,
        actor_user_id=user_id,
        details={"field": field, "files": len(files)},
    )
    notices.correction_received(correction)
    db.session.flush()
    return correction


def borrower_corrections(borrower: Borrower) -> list[CorrectionRequest]:
    """Every correction request of the borrower, newest first."""
    return list(
        db.session.scalars(
            sa.select(CorrectionRequest)
            .where(CorrectionRequest.borrower_id == borrower.id)
            .order_by(CorrectionRequest.opened_at.desc(), CorrectionRequest.id.desc())
        )
    )


def evidence(correction_id: int) -> list[UploadedFile]:
    """The borrower's evidence, oldest first."""
    return list(
        db.session.scalars(
            sa.select(UploadedFile)
            .where(UploadedFile.subject_type == SUBJECT, UploadedFile.subject_id == correction_id)
            .order_by(UploadedFile.id)
        )
    )


# --- support ------------------------------------------------------------------------------------


def open_corrections() -> list[CorrectionRequest]:
    """The requests waiting for an answer, the earliest deadline first."""
    return list(
        db.session.scalars(
            sa.select(CorrectionRequest)
            .where(CorrectionRequest.status == lifecycle.OPEN)
            .order_by(CorrectionRequest.due_at, CorrectionRequest.id)
        )
    )


def waiting_count() -> int:
    """How many requests wait for an answer."""
    return db.session.scalar(
        sa.select(sa.func.count(CorrectionRequest.id)).where(
            CorrectionRequest.status == lifecycle.OPEN
        )
    )


def find_correction(correction_id: int) -> CorrectionRequest | None:
    return db.session.get(CorrectionRequest, correction_id) if valid_id(correction_id) else None


def correction_for_staff(correction_id: int) -> CorrectionRequest | None:
    """A request for a support page; the look at the borrower's data is audited."""
    return audit.staff_read(CorrectionRequest, correction_id, "staff.correction_viewed", SUBJECT)


def check_acceptable(correction: CorrectionRequest) -> None:
    """Refuse an acceptance that cannot be made (before the summary, and again at the end)."""
    lifecycle.next_status(correction.status, lifecycle.ACCEPT, Actor.STAFF)
    if _in_use(correction):
        raise CorrectionRefused("in_use")


def _answer(correction_id: int, staff, kind: str, text: str, token, now):
    """Record the answer on the locked request: (the request, True) when this form was sent
    before (nothing is done again), else (the request, False) with its status changed."""
    correction = locked(CorrectionRequest, correction_id)
    if correction is None:
        raise NotFound()
    sent_print = fingerprint(kind, text)
    # The request's row lock orders sendings of one form: the second one finds the first.
    earlier = _sent_already(token, kind, staff.id, correction.id)
    if earlier is not None:
        return _first_result(earlier, sent_print), True
    status = lifecycle.next_status(correction.status, kind, Actor.STAFF)
    if kind == lifecycle.ACCEPT:
        check_acceptable(correction)
    elif not text:
        raise CorrectionRefused("reason_missing", field="reason")
    sent = _sent_form(token, kind, staff.id, sent_print, correction.id)
    if sent is not None:
        db.session.add(sent)
    correction.status, correction.open_key = status, None
    correction.answer, correction.answered_at, correction.answered_by_id = text, now, staff.id
    return correction, False


def accept(
    correction_id: int, staff, *, message: str = "", token=None, now=None
) -> CorrectionRequest:
    """Accept the correction: the borrower's row takes the value asked for (audited with the
    old and new value) and the borrower is told."""
    now = now or clock.now()
    message = (message or "").strip()
    correction, done = _answer(correction_id, staff, lifecycle.ACCEPT, message, token, now)
    if done:
        return correction
    borrower = locked(Borrower, correction.borrower_id)
    column = lifecycle.COLUMNS[correction.field]
    old = getattr(borrower, column)
    db.session.flush()
    try:
        with db.session.begin_nested():
            setattr(borrower, column, correction.requested_value)
            db.session.flush()
    except IntegrityError:
        # Another borrower took the phone or e-mail at the same moment.
        raise CorrectionRefused("in_use") from None
    audit.record(
        "correction.accepted",
        subject_type=SUBJECT,
        subject_id=correction.id,
        borrower_id=borrower.id,
        details={"field": correction.field, "old": old, "new": correction.requested_value},
    )
    notices.correction_answered(correction)
    db.session.flush()
    return correction


def refuse(correction_id: int, staff, *, reason: str, token=None, now=None) -> CorrectionRequest:
    """Refuse the correction with a reason the borrower reads; the data stays as it is."""
    now = now or clock.now()
    reason = (reason or "").strip()
    correction, done = _answer(correction_id, staff, lifecycle.REFUSE, reason, token, now)
    if done:
        return correction
    audit.record(
        "correction.refused",
        subject_type=SUBJECT,
        subject_id=correction.id,
        borrower_id=correction.borrower_id,
        details={"field": correction.field},
    )
    notices.correction_answered(correction)
    db.session.flush()
    return correction


# --- time ---------------------------------------------------------------------------------------


def apply_time(now: datetime | None = None) -> dict[str, int]:
    """Flag each open request past its deadline, once. Flushes only: `tick` commits."""
    now = now or clock.now()
    late = list(
        db.session.scalars(
            sa.select(CorrectionRequest)
            .where(
                CorrectionRequest.status.in_(lifecycle.statuses_allowing(lifecycle.ANSWER_LATE)),
                CorrectionRequest.due_at < now,
                CorrectionRequest.breached_at.is_(None),
            )
            .order_by(CorrectionRequest.id)
        )
    )
    for correction in late:
        lifecycle.next_status(correction.status, lifecycle.ANSWER_LATE, Actor.TIME)
        correction.breached_at = now
        audit.record(
            "correction.answer_late",
            subject_type=SUBJECT,
            subject_id=correction.id,
            borrower_id=correction.borrower_id,
        )
    db.session.flush()
    return {"corrections_late": len(late)}
