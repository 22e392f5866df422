"""Translated words of the borrower's settings page, and the messages of its refusals."""

from portal.translate import lazy_gettext as _l

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

# What an audited action was, in the readable copy of the borrower's data (by the action's
# prefix; the machine-readable copy has the exact action).
ACCESS_ACTION_NAMES = {
    "staff.": _l("Staff looked at your data"),
    "borrower.data_exported": _l("A copy of your data was made"),
    "account.": _l("A change to your account or settings"),
    "request.": _l("Your request for more time or a plan"),
    "plan.": _l("Your plan"),
    "payment.": _l("A payment"),
    "promise.": _l("A promise to pay"),
    "dispute.": _l("A dispute"),
    "complaint.": _l("A complaint"),
}
OTHER_ACTION = _l("Another action on your account")


def access_action_name(action: str) -> str:
    """The readable name of an audited action on the borrower's data."""
    for prefix, name in ACCESS_ACTION_NAMES.items():
        if action.startswith(prefix):
            return str(name)
    return str(OTHER_ACTION)
