"""Translated words for requests and plans, and the rule messages."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.i18n import format_money

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

PLAN_STATUS_NAMES = {
    "active": _l("Active"),
    "completed": _l("Completed"),
    "broken": _l("Ended: an installment was missed"),
}

UPLOAD_MESSAGES = {
    "too_many": _l("You can add at most 5 files."),
    "empty": _l("The file %(name)s is empty."),
    "too_large": _l("The file %(name)s is larger than 10 MB."),
    "wrong_type": _l("The file %(name)s is not a JPEG or PNG photo or a PDF."),
}

NOT_ALLOWED = {
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
}


def problem_message(problem, currency: str) -> str:
    """A refusal rule in plain words."""
    v = problem.values
    code = problem.code
    if code == "open_request":
        return _("This loan already has an open request. Wait for its answer or withdraw it.")
    if code == "active_plan":
        return _("This loan already has an active plan.")
    if code == "nothing_owed":
        return _("Nothing is owed on this loan.")
    if code == "nothing_overdue":
        return _("Nothing on this loan is overdue, so there is nothing to extend.")
    if code == "extension_days":
        return _("An extension must be between %(min)d and %(max)d days.", **v)
    if code == "too_many_extensions":
        return _("A loan can have at most %(max)d extensions, and this one has had them.", **v)
    if code == "months":
        return _("A plan must have between %(min)d and %(max)d monthly installments.", **v)
    if code == "first_due_on":
        return _(
            "The first installment must fall within the next %(days)d days, "
            "by %(latest)s at the latest.",
            days=v["days"],
            latest=v["latest"].isoformat(),
        )
    if code == "down_payment":
        return _(
            "The down payment must be less than what you owe (%(balance)s).",
            balance=format_money(v["balance"], currency),
        )
    if code == "installment_too_small":
        return _(
            "Each installment must be at least %(minimum)s. With this down payment, "
            "choose at most %(months)d months.",
            minimum=format_money(v["minimum"], currency),
            months=v["most_months"],
        )
    return _("This request is not possible.")
