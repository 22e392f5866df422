"""Translated words for payments, and the messages for the refusals of the payment form."""

from portal.i18n import AMOUNT_MESSAGES, format_money
from portal.translate import gettext as _
from portal.translate import lazy_gettext as _l

STATUS_NAMES = {
    "created": _l("Not started"),
    "processing": _l("Processing"),
    "succeeded": _l("Paid"),
    "failed": _l("Payment failed"),
    "canceled": _l("Cancelled"),
    "refunded": _l("Refunded"),
}
PURPOSE_NAMES = {
    "overdue": _l("Overdue amount"),
    "installment": _l("Next installment"),
    "full_balance": _l("Everything owed"),
    "other_amount": _l("Other amount"),
}

# How a payment was paid, as Stripe names the methods.
METHOD_NAMES = {
    "card": _l("Bank card"),
    "alipay": _l("Alipay"),
    "wechat_pay": _l("WeChat Pay"),
    "development": _l("Development payment (test only, no money moved)"),
}


def method_name(method: str | None) -> str:
    """The method's name on a receipt; "Online payment" when Stripe did not say which."""
    return str(METHOD_NAMES.get(method or "", _l("Online payment")))


def _too_small(minimum: int, currency: str) -> str:
    return _("The smallest payment is %(minimum)s.", minimum=format_money(minimum, currency))


def _too_large(maximum: int, currency: str) -> str:
    return _(
        "You can pay at most what you owe: %(maximum)s.",
        maximum=format_money(maximum, currency),
    )


# PaymentRefused and AmountError codes -> messages (`errors.show_error`).
MESSAGES = {
    **AMOUNT_MESSAGES,
    "nothing_owed": _l("Nothing is owed on this loan."),
    "nothing_overdue": _l("Nothing on this loan is overdue."),
    "no_installment": _l("There is no installment to pay."),
    "no_amount": _l("Enter the amount you want to pay."),
    "too_small": _too_small,
    "too_large": _too_large,
    "choose": _l("Choose an amount."),
}
