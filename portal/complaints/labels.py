"""Translated words for complaints."""

from portal.i18n import amount_error_message
from portal.translate import lazy_gettext as _l

CATEGORY_NAMES = {
    "harassment": _l("Harassment or abusive language"),
    "inconvenient_contact": _l("Contact at inconvenient hours or too often"),
    "third_party_contact": _l("Contact with my family, employer or emergency contacts"),
    "threats_impersonation": _l("Threats, or pretending to be an official"),
    "data_misuse": _l("Misuse or leak of my personal data"),
    "wrong_amount": _l("Wrong amount or fees"),
    "payment_not_credited": _l("A payment was not credited"),
    "plan_request_handling": _l("How my plan request was handled"),
    "other": _l("Something else"),
}
STATUS_NAMES = {
    "new": _l("Received"),
    "acknowledged": _l("Acknowledged"),
    "investigating": _l("Being investigated"),
    "awaiting_borrower": _l("Waiting for your answer"),
    "resolved": _l("Resolved"),
    "closed": _l("Complaint closed"),
    "reopened": _l("Reopened"),
}
STAFF_STATUS_NAMES = dict(STATUS_NAMES, awaiting_borrower=_l("Waiting for the borrower"))
# The staff's buttons for the steps that need nothing typed.
STAFF_STEP_NAMES = {
    "claim": _l("Claim"),
    "acknowledge": _l("Acknowledge"),
    "investigating": _l("Investigating"),
    "awaiting_borrower": _l("Waiting for the borrower"),
}
QUEUE_NAMES = {
    "compliance": _l("Compliance"),
    "billing": _l("Billing"),
    "general": _l("General"),
}
PRIORITY_NAMES = {1: _l("Urgent"), 2: _l("High"), 3: _l("Normal"), 4: _l("Low")}
# How the lender answered; a resolution can still be disputed, so these do not say "closed".
OUTCOME_NAMES = {
    "explanation": _l("Answered with an explanation"),
    "monetary_relief": _l("Answered with monetary relief"),
    "non_monetary_relief": _l("Answered with non-monetary relief"),
}
# Said once a complaint is filed.
FILED = _l("We received your complaint. Your reference number is %(reference)s.")
# Why a complaint action was refused: DomainError code -> message (see portal.errors).
MESSAGES = {
    "not_found": _l("This complaint does not exist."),
    "not_open": _l("This complaint is no longer open."),
    "not_resolved": _l("This complaint has not been resolved."),
    "dispute_window_closed": _l("The 30 days to dispute this resolution have passed."),
    "too_many_files": _l("A complaint can have at most 5 files."),
    "category": _l("Choose what the complaint is about."),
    "contact": _l("That contact is not in your contact log."),
    "closed": _l("This complaint is resolved or closed."),
    "no_change": _l("The complaint is in that state already: nothing was changed."),
    "assignee": _l("Choose a support colleague."),
    "empty": _l("Write the message first."),
    "nothing_to_send": _l("Write a message or add a file."),
    "outcome": _l("Choose how the complaint is resolved."),
    "relief": _l("Enter the amount of monetary relief."),
    # Typed money that is not an amount; `reason` is the AmountError code.
    "amount": lambda reason: amount_error_message(reason),
    "unknown_action": _l("Choose an action."),
    # The same form sent again with something changed (service.SentBefore).
    "complaint_sent_before": _l(
        "You had already sent this complaint: it was filed as %(reference)s with what you "
        "sent the first time. What you changed before sending it again (a file or text) was "
        "not added. To add it, write a reply below."
    ),
    "reply_sent_before": _l(
        "You had already sent this message. What you changed before sending it again (a file "
        "or text) was not added. To add it, send it as a new message below."
    ),
    "staff_sent_before": _l(
        "This form had already been sent. What was changed before sending it again was not "
        "saved. To add it, send it again from this page."
    ),
    # Attachments refused by portal.uploads.check_files (`name` is the file's name).
    "file_too_many": _l("You can add at most 5 files."),
    "file_empty": _l("The file %(name)s is empty."),
    "file_too_large": _l("The file %(name)s is larger than 10 MB."),
    "file_wrong_type": _l(
        "The file %(name)s is not a photo (JPEG, PNG), a PDF or a sound "
        "recording (MP3, M4A, WAV, AMR, OGG)."
    ),
}
