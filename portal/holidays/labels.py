"""Translated words for the business calendar."""

from portal.i18n import format_date
from portal.translate import gettext as _
from portal.translate import lazy_gettext as _l


def _year_out_of_range(first, last, **_values) -> str:
    return _(
        "Choose a day between %(first)s and %(last)s.",
        first=format_date(first),
        last=format_date(last),
    )


KIND_NAMES = {
    "holiday": _l("Public holiday"),
    "workday": _l("Make-up working day"),
}
MESSAGES = {
    "day_taken": _l("This day is already in the calendar; remove it first to change it."),
    "workday_on_weekday": _l("A make-up working day falls on a Saturday or Sunday."),
    "year_out_of_range": _year_out_of_range,
    "not_found": _l("This day is no longer in the calendar."),
    "year_official": _l("This year is already marked as the official schedule."),
}
