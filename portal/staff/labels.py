"""Translated words of the administrators' pages: staff accounts and the audit log."""

from portal.translate import lazy_gettext as _l

MESSAGES = {
    "unknown_role": _l("Choose one of the staff roles."),
    "invalid_email": _l("Enter a valid e-mail address."),
    "email_taken": _l("An account with this e-mail address exists already."),
    "own_account": _l("You cannot do this to your own account; ask another administrator."),
}

STATUS_NAMES = {
    "active": _l("Active"),
    "invited": _l("Invited"),
    "no_second_factor": _l("No second factor yet"),
    "disabled": _l("Disabled"),
}
