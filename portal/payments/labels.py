"""Translated words for payments."""

from flask_babel import lazy_gettext as _l

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
    "installment": _l("Plan installment"),
    "other_amount": _l("Other amount"),
}
