"""Translated words for requests and plans, and the messages of their refusals."""

from portal.i18n import format_date, format_money
from portal.translate import gettext as _
from portal.translate import lazy_gettext as _l

KIND_NAMES = {"extension": _l("Extension"), "installment_plan": _l("Installment plan")}

STATUS_NAMES = {
    "submitted": _l("Waiting for a decision"),
    "second_approval": _l("Waiting for a second approval"),
    "offered": _l("Offer waiting for your answer"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "declined": _l("You declined the offer"),
    "lapsed": _l("Offer expired"),
}

DECISION_NAMES = {
    "approve": _l("Approved"),
    "second_approve": _l("Second approval"),
    "reject": _l("Rejected"),
    "counter": _l("Counter-offer"),
}


def _first_due_on(days, latest, **_values) -> str:
    return _(
        "The first installment must fall within the next %(days)d days, "
        "by %(latest)s at the latest.",
        days=days,
        latest=format_date(latest),
    )


def _down_payment(balance, currency, **_values) -> str:
    return _(
        "The down payment must be less than what you owe (%(balance)s).",
        balance=format_money(balance, currency),
    )


def _installment_too_small(minimum, most_months, currency, **_values) -> str:
    return _(
        "Each installment must be at least %(minimum)s. With this down payment, "
        "choose at most %(months)d months.",
        minimum=format_money(minimum, currency),
        months=most_months,
    )


# Every refusal of the request pages, by code (see portal.errors.message_for).
MESSAGES = {
    # The rules a request's terms break (portal.plans.terms.problems).
    "open_request": _l(
        "This loan already has an open request. Wait for its answer or withdraw it."
    ),
    "active_plan": _l("This loan already has an active plan."),
    "nothing_owed": _l("Nothing is owed on this loan."),
    "nothing_overdue": _l("Nothing on this loan is overdue, so there is nothing to extend."),
    "extension_days": _l("An extension must be between %(min)d and %(max)d days."),
    "too_many_extensions": _l(
        "A loan can have at most %(max)d extensions, and this one has had them."
    ),
    "months": _l("A plan must have between %(min)d and %(max)d monthly installments."),
    "first_due_on": _first_due_on,
    "down_payment": _down_payment,
    "installment_too_small": _installment_too_small,
    # What a request's status or its people do not allow (portal.plans.lifecycle).
    "not_found": _l("This request does not exist."),
    "not_open": _l("This request is already closed."),
    "not_offered": _l("There is no offer waiting for your answer on this request."),
    "offer_expired": _l("This offer has expired. You can send a new request."),
    "first_due_passed": _l(
        "The first installment date of this offer has passed. Please send a new request."
    ),
    "own_request": _l("You cannot decide a request of your own."),
    "already_decided": _l("Someone else has just decided this request."),
    "same_approver": _l("The second approval must come from a different approver."),
    "counter_on_second_approval": _l(
        "A request waiting for a second approval can only be approved or rejected."
    ),
    "reason_required": _l("Choose the reason the borrower will see."),
    "unknown_action": _l("Choose a decision."),
    # Supporting documents.
    "no_files": _l("Choose at least one file."),
    "too_many": _l("You can add at most 5 files."),
    "empty": _l("The file %(name)s is empty."),
    "too_large": _l("The file %(name)s is larger than 10 MB."),
    "wrong_type": _l("The file %(name)s is not a JPEG or PNG photo or a PDF."),
    "default": _l("This request is not possible."),
}
