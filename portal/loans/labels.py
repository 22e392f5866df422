"""Translated names of the loan domain's codes, for pages."""

import re

from portal.translate import lazy_gettext as _l

STAGE_NAMES = {
    "due_reminder": _l("Due-day reminder"),
    "early_warning": _l("Early warning"),
    "phone_contact": _l("Phone contact"),
    "agency": _l("Third-party agency"),
    "lawyer_letter": _l("Lawyer's letter"),
    "litigation": _l("Litigation"),
}

PRODUCT_NAMES = {
    "personal": _l("Personal loan"),
    "consumer": _l("Consumer loan"),
    "card": _l("Credit card installments"),
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

STAGE_EFFECTS = {
    "due_reminder": _l("You get a reminder by text message or in the app on the due date."),
    "early_warning": _l("You get automatic notices by text message and e-mail."),
    "phone_contact": _l(
        "The lender's agents may call you, never between 22:00 and 08:00 your local time."
    ),
    "agency": _l(
        "Your account may be passed to a licensed collection agency; letters or a visit are "
        "possible."
    ),
    "lawyer_letter": _l("A lawyer may send you a formal letter demanding payment."),
    "litigation": _l("The lender may take the case to court."),
}

CHANNEL_NAMES = {
    "sms": _l("Text message"),
    "email": _l("E-mail"),
    "push": _l("App notification"),
    "call": _l("Phone call"),
    "visit": _l("Visit"),
    "letter": _l("Letter"),
    "legal": _l("Legal notice"),
}

PARTY_NAMES = {
    "borrower": _l("You"),
    "emergency_contact": _l("Your emergency contact"),
    "family": _l("A family member"),
    "employer": _l("Your employer"),
    "other_third_party": _l("Another person"),
}

OUTCOME_NAMES = {
    "answered": _l("Answered"),
    "unanswered": _l("Not answered"),
    "delivered": _l("Delivered"),
    "failed": _l("Not delivered"),
    "left_message": _l("Message left"),
    "promise_to_pay": _l("Promise to pay"),
    # Reached, and said they would not pay.
    "refused": _l("Refused to pay"),
}

JOURNAL_KIND_NAMES = {
    "charge": _l("Amount charged"),
    "payment": _l("Payment"),
    "waiver": _l("Waiver"),
    "adjustment": _l("Adjustment"),
    "reversal": _l("Reversal"),
}

# What a journal entry did (loans.journal.entry_wording), when the lender gave no description.
JOURNAL_WORDING = {
    "payout": _l("Loan paid out"),
    "interest": _l("Interest charged"),
    "fee": _l("Fee charged"),
    "charge": _l("Added to what you owe"),
    "payment": _l("Payment received"),
    "refund": _l("Payment refunded"),
    "reversal": _l("Earlier entry cancelled"),
    "waiver": _l("Waived by the lender"),
    "adjustment": _l("Corrected by the lender"),
}

# Who made a contact, when the lender reports a code rather than a name.
AUTOMATIC_AGENTS = frozenset({"SYSTEM", "AUTO", "AUTOMATIC"})
AUTOMATIC_REMINDER = _l("Automatic reminder")
LENDER_AGENT = _l("The lender's staff")
# An internal code: one word of Latin letters and digits, with a digit or in capitals ("A017").
_AGENT_CODE = re.compile(r"[A-Za-z0-9_.-]+")


def agent_name(agent: str | None) -> str:
    """Who made a contact, for the borrower: an agency's or a law firm's name as reported, an
    automatic reminder, or the lender's staff; never an internal code."""
    agent = (agent or "").strip()
    if agent.upper() in AUTOMATIC_AGENTS:
        return str(AUTOMATIC_REMINDER)
    if not agent:
        return str(LENDER_AGENT)
    if _AGENT_CODE.fullmatch(agent) and (any(c.isdigit() for c in agent) or agent.isupper()):
        return str(LENDER_AGENT)
    return agent
