"""Translated words for promises to pay, and the messages for the form's refusals."""

from portal.i18n import AMOUNT_MESSAGES, format_money
from portal.translate import gettext as _
from portal.translate import lazy_gettext as _l


def _too_small(minimum: int, currency: str) -> str:
    return _("Promise at least %(minimum)s.", minimum=format_money(minimum, currency))


def _too_large(maximum: int, currency: str) -> str:
    return _(
        "You can promise at most what you owe: %(maximum)s.",
        maximum=format_money(maximum, currency),
    )


# PromiseRefused and AmountError codes -> messages (`errors.show_error`).
MESSAGES = {
    **AMOUNT_MESSAGES,
    "nothing_owed": _l("Nothing is owed on this loan."),
    "already_standing": _l("You have already promised to pay on this loan."),
    "on_hold": _l("Escalation on this loan is already on hold."),
    "too_many": _l("A loan can take at most %(count)d promises in %(days)d days."),
    "too_small": _too_small,
    "too_large": _too_large,
    "date_past": _l("Choose today or a later day."),
    "too_far": _l("Choose a day within %(days)d days from today."),
    "promise_closed": _l("This promise is already settled."),
}

STATUS_NAMES = {
    "standing": _l("Promise standing"),
    "kept": _l("Promise kept"),
    "broken": _l("Promise broken"),
}
