"""Translated words for the administrators' rule and calendar pages."""

from portal.loans.labels import STAGE_NAMES
from portal.translate import gettext
from portal.translate import lazy_gettext as _l


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
PLAN_RULE_FIELDS = {
    "extension_min_days": _l("Shortest extension (days)"),
    "extension_max_days": _l("Longest extension (days)"),
    "max_extensions_per_loan": _l("Extensions per loan, at most"),
    "plan_min_months": _l("Shortest plan (months)"),
    "plan_max_months": _l("Longest plan (months)"),
    "min_installment": _l("Smallest installment (yuan)"),
    "first_due_within_days": _l("First installment within (days)"),
    "stop_interest": _l("Stop interest during a plan"),
    "second_approval_above": _l("Second approval above (yuan)"),
    "decision_due_days": _l("Decision due within (days)"),
    "offer_valid_days": _l("Offers valid for (days)"),
    "grace_days": _l("Grace before a plan breaks (days)"),
}
PROMISE_RULE_FIELDS = {
    "max_days": _l("Latest promised day (days ahead)"),
    "max_promises": _l("Promises per loan in a period, at most"),
    "period_days": _l("Period (days)"),
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
    "conduct_to_compliance": _l(
        "Complaints about harassment, threats or contact with others go to the compliance queue."
    ),
    "shortest_above_longest": _l("The longest must not be shorter than the shortest."),
    "default": _l("This change cannot be made."),
}
