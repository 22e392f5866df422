"""Translated words of the borrower's settings page, and the messages of its refusals."""

from flask_babel import lazy_gettext as _l

# The people a borrower may bar, as the settings page names them.
BARRED_PARTY_NAMES = {
    "employer": _l("My employer or workplace"),
    "family": _l("My family"),
    "emergency_contact": _l("My emergency contacts"),
}

MESSAGES = {
    "no_channel": _l("Leave at least one way for collectors to reach you."),
    "unknown_channel": _l("Choose from the ways listed."),
    "unknown_party": _l("Choose from the people listed."),
    "hours_outside_law": _l(
        "Choose hours inside the legal ones, %(start)s to %(end)s: outside them nobody may "
        "contact you anyway."
    ),
    "hours_reversed": _l("The earliest hour must come before the latest."),
    "representative_incomplete": _l(
        "Give both the name and the phone number of your representative."
    ),
    "representative_phone": _l("Enter the representative's phone number with digits only."),
    "unknown_language": _l("Choose one of the languages listed."),
    "default": _l("Your settings could not be saved."),
}

LANGUAGE_SAVED = _l("Your language is saved. Messages to you will be written in it.")
PREFERENCES_SAVED = _l(
    "Your contact preferences are saved. From now on, a contact that goes against them is marked "
    "on your loan pages."
)
PREFERENCES_UNCHANGED = _l("Nothing was changed.")
