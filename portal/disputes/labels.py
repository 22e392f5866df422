"""Translated words for disputes, and the messages for the refusals of their forms."""

from portal.complaints.labels import MESSAGES as COMPLAINT_MESSAGES
from portal.translate import lazy_gettext as _l

KIND_NAMES = {
    "not_my_loan": _l("This is not my loan"),
    "wrong_amount": _l("The amount or a fee is wrong"),
    "already_paid": _l("I have already paid"),
}
STATUS_NAMES = {
    "open": _l("Waiting for the lender's answer"),
    "answered": _l("Answered"),
}

# DisputeRefused codes (and the attachment refusals shared with complaints) -> messages.
MESSAGES = {
    **{code: text for code, text in COMPLAINT_MESSAGES.items() if code.startswith("file_")},
    "kind": _l("Choose what is wrong."),
    "already_open": _l("You already have an open dispute on this loan."),
    "answer_missing": _l("Write the answer."),
    "already_answered": _l("This dispute has already been answered."),
}
