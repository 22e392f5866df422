"""Translated names of the loan domain's codes, for pages."""

from flask_babel import lazy_gettext as _l

STAGE_NAMES = {
    "due_reminder": _l("Due-day reminder"),
    "early_warning": _l("Early warning"),
    "phone_contact": _l("Phone contact"),
    "agency": _l("Third-party agency"),
    "lawyer_letter": _l("Lawyer's letter"),
    "litigation": _l("Litigation"),
}

LOAN_STATUS_NAMES = {
    "active": _l("Active"),
    "closed": _l("Closed"),
    "charged_off": _l("Charged off"),
}

PRODUCT_NAMES = {
    "personal": _l("Personal loan"),
    "consumer": _l("Consumer loan"),
    "card": _l("Credit card instalments"),
}

ROLE_NAMES = {
    "borrower": _l("Borrower"),
    "support": _l("Support"),
    "approver": _l("Plan approver"),
    "admin": _l("Administrator"),
}

OUTBOX_STATUS_NAMES = {
    "pending": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}
