"""What the portal tells a borrower, one function per event, through the one outbox.

Each message is written in the borrower's language, with dates on their calendar, by their
channel (e-mail when they have an address, else SMS), with a link to the page it concerns. None
is delivered between 22:00 and 08:00 where the borrower lives: it waits for 08:00 (`not_before`).
Each event carries a key, unique in the outbox, so that one event writes one message however
often the code that notices it runs (the tick, a repeated webhook). Services call these
functions where the event happens; they flush only. The time-based notices (due reminders,
offers about to lapse, plans at risk) are produced by `notices.reminders.produce` (the tick).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.extensions import db
from portal.i18n import format_date, format_money
from portal.loans.models import Borrower
from portal.outbox import service as outbox
from portal.outbox.models import OutboxMessage
from portal.translate import gettext

# The hours in which no message goes out, on the borrower's wall clock.
QUIET_FROM = time(22, 0)
QUIET_UNTIL = time(8, 0)


def quiet_hours_end(at: datetime, zone: ZoneInfo) -> datetime | None:
    """When a message written at `at` may go out, if `at` is in the quiet hours of `zone`
    (08:00 that morning or the next); None when it may go out at once."""
    wall = at.astimezone(zone)
    if QUIET_UNTIL <= wall.time() < QUIET_FROM:
        return None
    day = wall.date() + timedelta(days=1) if wall.time() >= QUIET_FROM else wall.date()
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone).astimezone(UTC)


def link(endpoint: str, **values) -> str:
    """The page's address for a message: under PUBLIC_BASE_URL, else this site's own host."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
        return base + path
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _address(borrower: Borrower) -> tuple[str, str]:
    """The channel and address the borrower is written to: their choice where they made one,
    e-mail when they have an address, else SMS."""
    chosen = getattr(borrower, "preferred_channel", None)
    if chosen == "sms" or not borrower.email:
        return "sms", borrower.phone
    return "email", borrower.email


def _already(key: str) -> bool:
    return (
        db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key))
        is not None
    )


def send(
    borrower: Borrower, kind: str, subject: str, body: str, page: str, *, key: str
) -> OutboxMessage | None:
    """Write one message for event `key` to the borrower, unless that event already has one."""
    if _already(key):
        return None
    channel, recipient = _address(borrower)
    user = borrower.user
    try:
        # The key is unique: of two runs noticing the same event at once, one writes it.
        with db.session.begin_nested():
            return outbox.enqueue(
                channel,
                recipient,
                subject,
                f"{body}\n{page}",
                purpose=kind,
                user_id=user.id if user is not None else None,
                not_before=quiet_hours_end(clock.now(), clock.zone_of(borrower)),
                dedupe_key=key,
            )
    except IntegrityError:
        return None


class _Writer:
    """Formatting for one borrower's message: their language, their calendar, their currency."""

    def __init__(self, borrower: Borrower, currency: str = "CNY"):
        self.zone = clock.zone_of(borrower)
        self.currency = currency

    def money(self, amount: int) -> str:
        return format_money(amount, self.currency)

    def day(self, value: date | datetime | None) -> str:
        return format_date(value, "medium", zone=self.zone)


def _in_language(borrower: Borrower):
    return force_locale(borrower.preferred_language)


# --- requests and plans -------------------------------------------------------------------------


def request_received(request) -> None:
    """The borrower's request reached the lender, who decides by its deadline."""
    borrower = request.borrower
    with _in_language(borrower):
        w = _Writer(borrower, request.currency)
        subject = gettext("We received your request")
        body = gettext(
            "We received your request on loan %(loan)s. The lender will decide by %(day)s; "
            "collection is on hold until then.",
            loan=request.loan.loan_number,
            day=w.day(request.decision_due_at),
        )
        page = link("plans.show_request", request_id=request.id)
    send(borrower, "request_received", subject, body, page, key=f"request_received:{request.id}")


def _terms_line(request, w: _Writer) -> str:
    """The offered terms in one line."""
    terms = request.offered
    if terms.extension_days:
        return gettext("%(days)s more days to pay the overdue amount", days=terms.extension_days)
    if terms.down_payment:
        return gettext(
            "%(months)s monthly installments from %(day)s, after a down payment of %(amount)s",
            months=terms.months,
            day=w.day(terms.first_due_on),
            amount=w.money(terms.down_payment),
        )
    return gettext(
        "%(months)s monthly installments from %(day)s",
        months=terms.months,
        day=w.day(terms.first_due_on),
    )


def request_decided(request, action: str) -> None:
    """An approver's decision, when it is final: approved, rejected (with the reason the
    borrower reads) or a counter-offer (the terms in one line and the day the offer lapses)."""
    from portal.plans import lifecycle
    from portal.plans.forms import REJECT_REASONS

    borrower = request.borrower
    with _in_language(borrower):
        w = _Writer(borrower, request.currency)
        page = link("plans.show_request", request_id=request.id)
        if request.status == lifecycle.REJECTED:
            kind = "request_rejected"
            subject = gettext("The lender did not accept your request")
            body = gettext(
                "The lender did not accept your request on loan %(loan)s: %(reason)s.",
                loan=request.loan.loan_number,
                reason=str(REJECT_REASONS.get(request.reject_reason_code, "")),
            )
        elif request.status != lifecycle.OFFERED:
            return  # a first approval of a large request: the second approver decides
        elif action == lifecycle.COUNTER:
            kind = "counter_offer"
            subject = gettext("The lender offers you other terms")
            body = gettext(
                "The lender offers you other terms on loan %(loan)s: %(terms)s. Accept them "
                "by %(day)s, or the offer lapses.",
                loan=request.loan.loan_number,
                terms=_terms_line(request, w),
                day=w.day(request.offer_expires_at),
            )
        else:
            kind = "request_approved"
            subject = gettext("Your request was approved")
            body = gettext(
                "Your request on loan %(loan)s was approved: %(terms)s. Accept the terms by "
                "%(day)s to start them.",
                loan=request.loan.loan_number,
                terms=_terms_line(request, w),
                day=w.day(request.offer_expires_at),
            )
    send(borrower, kind, subject, body, page, key=f"request_decided:{request.id}:{request.status}")


def offer_lapsing(request) -> OutboxMessage | None:
    """An offer not yet accepted lapses in two days or less."""
    borrower = request.borrower
    with _in_language(borrower):
        w = _Writer(borrower, request.currency)
        subject = gettext("Your offer lapses soon")
        body = gettext(
            "The offer on loan %(loan)s (%(terms)s) lapses on %(day)s. Accept it before then "
            "if you want it.",
            loan=request.loan.loan_number,
            terms=_terms_line(request, w),
            day=w.day(request.offer_expires_at),
        )
        page = link("plans.show_request", request_id=request.id)
    return send(borrower, "offer_lapsing", subject, body, page, key=f"offer_lapsing:{request.id}")


def plan_accepted(plan, schedule) -> None:
    """The borrower accepted the terms: the plan and its schedule."""
    borrower = plan.loan.borrower
    with _in_language(borrower):
        w = _Writer(borrower, plan.loan.currency)
        lines = "; ".join(f"{w.day(i.due_on)} {w.money(i.amount)}" for i in schedule)
        subject = gettext("Your plan has started")
        body = gettext(
            "Your plan on loan %(loan)s has started. Pay on these days: %(schedule)s.",
            loan=plan.loan.loan_number,
            schedule=lines,
        )
        page = link("account.loan", loan_id=plan.loan_id)
    send(borrower, "plan_accepted", subject, body, page, key=f"plan_accepted:{plan.id}")


def plan_at_risk(plan, installment, breaks_on: date | None) -> OutboxMessage | None:
    """An installment of the plan was not paid on its due date; the plan breaks after grace."""
    borrower = plan.loan.borrower
    with _in_language(borrower):
        w = _Writer(borrower, plan.loan.currency)
        subject = gettext("A plan installment is unpaid")
        body = gettext(
            "The installment of %(amount)s due on %(due)s under your plan on loan %(loan)s is "
            "unpaid. Pay it before %(day)s, or the plan ends and collection resumes.",
            amount=w.money(installment.unpaid),
            due=w.day(installment.due_on),
            loan=plan.loan.loan_number,
            day=w.day(breaks_on),
        )
        page = link("payments.pay", loan_id=plan.loan_id)
    key = f"plan_at_risk:{plan.id}:{installment.number}"
    return send(borrower, "plan_at_risk", subject, body, page, key=key)


def plan_broken(plan) -> None:
    """An installment stayed unpaid past grace: the plan ended and collection resumes."""
    borrower = plan.loan.borrower
    with _in_language(borrower):
        subject = gettext("Your plan has ended")
        body = gettext(
            "An installment of your plan on loan %(loan)s stayed unpaid past the grace period, "
            "so the plan has ended and collection resumes. You can pay or ask for a new plan.",
            loan=plan.loan.loan_number,
        )
        page = link("account.loan", loan_id=plan.loan_id)
    send(borrower, "plan_broken", subject, body, page, key=f"plan_broken:{plan.id}")


# --- payments -----------------------------------------------------------------------------------


def payment_received(payment, amount: int, applied) -> None:
    """A payment was posted: how much, what it paid, and what is still owed."""
    borrower = db.session.get(Borrower, payment.borrower_id)
    with _in_language(borrower):
        w = _Writer(borrower, payment.currency)
        subject = gettext("We received your payment")
        body = gettext(
            "We received your payment of %(amount)s on loan %(loan)s. It paid %(principal)s "
            "of principal, %(interest)s of interest and %(fee)s of fees. Still owed: "
            "%(owed)s, of which overdue: %(overdue)s.",
            amount=w.money(amount),
            loan=payment.loan.loan_number,
            principal=w.money(applied.principal),
            interest=w.money(applied.interest),
            fee=w.money(applied.fee),
            owed=w.money(payment.balance_after_minor or 0),
            overdue=w.money(payment.overdue_after_minor or 0),
        )
        page = link("payments.receipt", payment_id=payment.id)
    send(borrower, "payment_received", subject, body, page, key=f"payment_received:{payment.id}")


def payment_failed(payment) -> None:
    """A payment did not go through (a cancelled one is the borrower's own doing: no message)."""
    if payment.status != "failed":
        return
    borrower = db.session.get(Borrower, payment.borrower_id)
    with _in_language(borrower):
        w = _Writer(borrower, payment.currency)
        subject = gettext("Your payment did not go through")
        body = gettext(
            "Your payment of %(amount)s on loan %(loan)s did not go through; nothing was "
            "taken from the balance. You can try again.",
            amount=w.money(payment.amount_minor),
            loan=payment.loan.loan_number,
        )
        page = link("payments.pay", loan_id=payment.loan_id)
    send(borrower, "payment_failed", subject, body, page, key=f"payment_failed:{payment.id}")


# --- due dates ----------------------------------------------------------------------------------


def installment_due(
    borrower: Borrower, loan, installment, *, days_before: int, plan_id
) -> OutboxMessage | None:
    """An installment of the schedule in force falls due in `days_before` days, or today."""
    with _in_language(borrower):
        w = _Writer(borrower, loan.currency)
        if days_before:
            subject = gettext("A payment is due in %(days)s days", days=days_before)
            body = gettext(
                "%(amount)s on loan %(loan)s is due on %(day)s.",
                amount=w.money(installment.unpaid),
                loan=loan.loan_number,
                day=w.day(installment.due_on),
            )
        else:
            subject = gettext("A payment is due today")
            body = gettext(
                "%(amount)s on loan %(loan)s is due today, %(day)s.",
                amount=w.money(installment.unpaid),
                loan=loan.loan_number,
                day=w.day(installment.due_on),
            )
        page = link("payments.pay", loan_id=loan.id)
    schedule = f"plan{plan_id}" if plan_id else "contract"
    key = f"due:{loan.id}:{schedule}:{installment.due_on.isoformat()}:{days_before}"
    return send(borrower, "installment_due", subject, body, page, key=key)


# --- complaints ---------------------------------------------------------------------------------


def _complaint_page(complaint) -> str:
    return link("complaints.show", complaint_id=complaint.id)


def complaint_received(complaint) -> None:
    """A complaint was filed: its reference and deadlines."""
    borrower = complaint.borrower
    with _in_language(borrower):
        w = _Writer(borrower)
        subject = gettext("We received your complaint %(reference)s", reference=complaint.reference)
        body = gettext(
            "We received your complaint %(reference)s. We will acknowledge it by "
            "%(acknowledge)s and answer by %(respond)s at the latest. You can follow it "
            "in the borrower portal.",
            reference=complaint.reference,
            acknowledge=w.day(complaint.acknowledge_due_at),
            respond=w.day(complaint.response_due_at),
        )
        page = _complaint_page(complaint)
    send(
        borrower,
        "complaint_received",
        subject,
        body,
        page,
        key=f"complaint_received:{complaint.id}",
    )


def complaint_staff_action(complaint, action: str) -> None:
    """What a staff action on a complaint tells the borrower: a reply, the resolution, or
    (once) that it was acknowledged; claims, assignments and internal notes say nothing."""
    from portal.complaints.lifecycle import ACKNOWLEDGING

    if action == "reply":
        _complaint_replied(complaint)
    elif action == "resolve":
        _complaint_resolved(complaint)
    elif action in ACKNOWLEDGING:
        _complaint_acknowledged(complaint)


def _complaint_acknowledged(complaint) -> None:
    borrower = complaint.borrower
    with _in_language(borrower):
        w = _Writer(borrower)
        subject = gettext(
            "Your complaint %(reference)s is being handled", reference=complaint.reference
        )
        body = gettext(
            "We acknowledged your complaint %(reference)s and are looking into it. We will "
            "answer by %(respond)s at the latest.",
            reference=complaint.reference,
            respond=w.day(complaint.response_due_at),
        )
        page = _complaint_page(complaint)
    key = f"complaint_acknowledged:{complaint.id}"
    send(borrower, "complaint_acknowledged", subject, body, page, key=key)


def _complaint_replied(complaint) -> None:
    borrower = complaint.borrower
    with _in_language(borrower):
        subject = gettext("A reply on your complaint %(reference)s", reference=complaint.reference)
        body = gettext(
            "We replied on your complaint %(reference)s. Read the reply and answer it in the "
            "borrower portal.",
            reference=complaint.reference,
        )
        page = _complaint_page(complaint)
    key = f"complaint_replied:{complaint.id}:{len(complaint.messages)}"
    send(borrower, "complaint_reply", subject, body, page, key=key)


def _complaint_resolved(complaint) -> None:
    borrower = complaint.borrower
    with _in_language(borrower):
        w = _Writer(borrower)
        subject = gettext("Your complaint %(reference)s is resolved", reference=complaint.reference)
        body = gettext(
            "We resolved your complaint %(reference)s. Read the resolution in the borrower "
            "portal; if you do not agree, you can dispute it until %(day)s.",
            reference=complaint.reference,
            day=w.day(complaint.dispute_until),
        )
        page = _complaint_page(complaint)
    key = f"complaint_resolved:{complaint.id}:{complaint.resolved_at.isoformat()}"
    send(borrower, "complaint_resolved", subject, body, page, key=key)


def complaint_reopened(complaint) -> None:
    """The borrower disputed the resolution: the complaint is open again, with a new deadline."""
    borrower = complaint.borrower
    with _in_language(borrower):
        w = _Writer(borrower)
        subject = gettext(
            "Your complaint %(reference)s is open again", reference=complaint.reference
        )
        body = gettext(
            "You disputed the resolution of your complaint %(reference)s, so it is open again. "
            "We will answer by %(respond)s at the latest.",
            reference=complaint.reference,
            respond=w.day(complaint.response_due_at),
        )
        page = _complaint_page(complaint)
    key = f"complaint_reopened:{complaint.id}:{complaint.disputed_at.isoformat()}"
    send(borrower, "complaint_reopened", subject, body, page, key=key)


# --- disputes -----------------------------------------------------------------------------------


def _dispute_page(dispute) -> str:
    return link("disputes.show", dispute_id=dispute.id)


def dispute_received(dispute) -> None:
    """The borrower disputed a loan or an amount: escalation is held until the lender answers."""
    borrower = dispute.borrower
    with _in_language(borrower):
        w = _Writer(borrower, dispute.loan.currency)
        subject = gettext(
            "We received your dispute about loan %(number)s", number=dispute.loan.loan_number
        )
        body = gettext(
            "We received your dispute about loan %(number)s. Collection on this loan is on hold "
            "until the lender answers with its evidence, by %(date)s at the latest.",
            number=dispute.loan.loan_number,
            date=w.day(dispute.due_at),
        )
        page = _dispute_page(dispute)
    send(borrower, "dispute_received", subject, body, page, key=f"dispute_received:{dispute.id}")


def dispute_answered(dispute) -> None:
    """The lender answered a dispute: the hold ends; the answer is on its page."""
    borrower = dispute.borrower
    with _in_language(borrower):
        subject = gettext(
            "The lender answered your dispute about loan %(number)s",
            number=dispute.loan.loan_number,
        )
        body = gettext(
            "The lender answered your dispute about loan %(number)s. Read the answer and its "
            "evidence in the borrower portal; if you do not agree, you can complain from there.",
            number=dispute.loan.loan_number,
        )
        page = _dispute_page(dispute)
    send(borrower, "dispute_answered", subject, body, page, key=f"dispute_answered:{dispute.id}")


# --- corrections of personal data ---------------------------------------------------------------


def _correction_item(correction) -> str:
    from portal.corrections.labels import FIELD_NAMES

    return str(FIELD_NAMES[correction.field])


def correction_received(correction) -> None:
    """The borrower asked to correct their data: the answer is due by the deadline."""
    borrower = correction.borrower
    with _in_language(borrower):
        w = _Writer(borrower)
        subject = gettext("We received your request to correct your data")
        body = gettext(
            "We received your request to correct this item of your data: %(item)s. We will "
            "answer by %(date)s at the latest.",
            item=_correction_item(correction),
            date=w.day(correction.due_at),
        )
        page = link("corrections.show", correction_id=correction.id)
    key = f"correction_received:{correction.id}"
    send(borrower, "correction_received", subject, body, page, key=key)


def correction_answered(correction) -> None:
    """Support accepted (the data is corrected) or refused the correction, with a reason."""
    borrower = correction.borrower
    with _in_language(borrower):
        item = _correction_item(correction)
        if correction.status == "accepted":
            subject = gettext("Your data has been corrected")
            body = gettext("We corrected this item of your data as you asked: %(item)s.", item=item)
        else:
            subject = gettext("Your data was not corrected")
            body = gettext("We did not correct this item of your data: %(item)s.", item=item)
        if correction.answer:
            body += "\n" + correction.answer
        page = link("corrections.show", correction_id=correction.id)
    key = f"correction_answered:{correction.id}"
    send(borrower, "correction_answered", subject, body, page, key=key)
