"""Translated messages of the login, activation and password reset pages.

`MESSAGES` maps the codes of the auth domain errors (portal.auth.service) to what the pages say;
`STAFF_ACCOUNT_MESSAGES` are the command line's (English) words for refused staff accounts.
"""

from portal.auth.passwords import MAX_LENGTH, MIN_LENGTH
from portal.translate import lazy_gettext as _l

# Why a new password is refused: the codes of passwords.password_problem.
PASSWORD_MESSAGES = {
    "too_short": _l("Use at least %(min)d characters.", min=MIN_LENGTH),
    "too_long": _l("Use at most %(max)d characters.", max=MAX_LENGTH),
    "common": _l("This password is too common and easy to guess. Choose another."),
    "personal": _l("Do not use your phone number, e-mail or loan number in your password."),
}

MESSAGES = {
    **PASSWORD_MESSAGES,
    "invalid_credentials": _l(
        "The mobile number, e-mail or password is not right, or the account is not activated yet."
    ),
    "invalid_code": _l(
        "This code is not right or has expired. Check the code, or ask for a new one."
    ),
    "invalid_factor_code": _l("This code is not right, or it has been used already."),
    "too_many_attempts": _l(
        "Too many attempts. For your security, please wait %(minutes)d minutes and try again."
    ),
}

STAFF_ACCOUNT_MESSAGES = {
    "unknown_role": "role must be one of %(roles)s",
    "invalid_email": "a valid e-mail address is required",
    "email_taken": "an account with the e-mail %(email)s already exists",
    "weak_password": "the password is not acceptable (%(problem)s)",
}
