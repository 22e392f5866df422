"""Translated words for the administrators' rule and calendar pages."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.loans.labels import STAGE_NAMES


def _stage(code: str) -> str:
    return str(STAGE_NAMES.get(code, code))


def _not_increasing(stage: str, previous: str) -> str:
    return gettext(
        "The stage %(stage)s must start later than the stage %(previous)s.",
        stage=_stage(stage),
        previous=_stage(previous),
    )


def _out_of_range(stage: str) -> str:
    return gettext(
        "The stage %(stage)s must start on a day from 0 to 3650 past due.", stage=_stage(stage)
    )


CONTACT_RULE_FIELDS = {
    "quiet_from": _l("Quiet hours start"),
    "quiet_until": _l("Quiet hours end"),
    "max_answered_calls_per_day": _l("Answered calls a day, at most"),
    "max_unanswered_calls_per_day": _l("Unanswered call attempts a day, at most"),
    "reachable_within_days": _l("Reachable if answered within (days)"),
}
MESSAGES = {
    "out_of_range": _l("Enter a whole number from %(low)s to %(high)s."),
    "quiet_hours_length": _l("Quiet hours must last from %(low)s to %(high)s hours."),
    "effective_in_past": _l("A change cannot take effect in the past: choose now or a later time."),
    "effective_too_late": _l("Choose a time within the next year."),
    "effective_taken": _l("Another change takes effect at exactly this time; choose another."),
    "nothing_changes": _l("These are the rules already in force at that time."),
    "threshold_not_increasing": _not_increasing,
    "threshold_out_of_range": _out_of_range,
    "default": _l("This change cannot be made."),
}
