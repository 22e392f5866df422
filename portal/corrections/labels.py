"""Translated words for correction requests, and the messages for the refusals of their forms."""

from portal.complaints.labels import MESSAGES as COMPLAINT_MESSAGES
from portal.translate import lazy_gettext as _l

FIELD_NAMES = {
    "name": _l("Name"),
    "phone": _l("Mobile number"),
    "email": _l("E-mail address"),
    "address": _l("Address"),
}
STATUS_NAMES = {
    "open": _l("Waiting for an answer"),
    "accepted": _l("Corrected"),
    "refused": _l("Not corrected"),
}
# The value a borrower row does not hold (no e-mail address, no address).
NOTHING_HELD = _l("(none)")

# CorrectionRefused codes (and the attachment refusals shared with complaints) -> messages.
MESSAGES = {
    **{code: text for code, text in COMPLAINT_MESSAGES.items() if code.startswith("file_")},
    "field": _l("Choose what to correct."),
    "value_missing": _l("Write the correct value."),
    "name": _l("Write your full name, at most 200 characters."),
    "phone": _l("Write a mobile number of 6 to 20 digits, like 13812345678."),
    "email": _l("Write an e-mail address like name@example.com."),
    "address": _l("Write your full address, at most 500 characters."),
    "unchanged": _l("This is already the value we hold."),
    "evidence_missing": _l("Add a document that shows the correct value (a photo or a PDF)."),
    "already_open": _l(
        "You already asked to correct this. Wait for the answer to that request first."
    ),
    "already_answered": _l("This request has already been answered."),
    "reason_missing": _l("Write the reason for refusing, for the borrower."),
    "in_use": _l(
        "Another borrower's account has this value, so it cannot be changed here. Refuse the "
        "request with a reason, or ask the lender to check both accounts."
    ),
    "sent_before": _l(
        "This form had already been sent. What was changed before sending it again was not "
        "saved. To add it, send it again from this page."
    ),
}
