"""Forms of the administrators' rule and calendar pages."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.complaints.labels import PRIORITY_NAMES, QUEUE_NAMES
from portal.complaints.rules import CATEGORIES
from portal.forms import Form
from portal.holidays.labels import KIND_NAMES
from portal.staff.rule_labels import CONTACT_RULE_FIELDS, PLAN_RULE_FIELDS, PROMISE_RULE_FIELDS
from portal.translate import lazy_gettext as _l

NUMBER = _l("Enter a whole number.")
TIME = _l("Enter a time as HH:MM.")


def _effective_from():
    return DateTimeLocalField(
        _l("Takes effect at"),
        validators=[Optional()],
        format="%Y-%m-%dT%H:%M",
        invalid_value_message=_l("Enter a date and time."),
        description=_l("In the business time zone. Leave empty for as soon as you confirm."),
    )


def _number(label, **options):
    return IntegerField(
        label, validators=[InputRequired(NUMBER)], invalid_value_message=NUMBER, **options
    )


def _time(label):
    return TimeField(
        label, validators=[InputRequired(TIME)], format="%H:%M", invalid_value_message=TIME
    )


class ContactRulesForm(Form):
    quiet_from = _time(CONTACT_RULE_FIELDS["quiet_from"])
    quiet_until = _time(CONTACT_RULE_FIELDS["quiet_until"])
    max_answered_calls_per_day = _number(CONTACT_RULE_FIELDS["max_answered_calls_per_day"])
    max_unanswered_calls_per_day = _number(CONTACT_RULE_FIELDS["max_unanswered_calls_per_day"])
    reachable_within_days = _number(
        CONTACT_RULE_FIELDS["reachable_within_days"],
        description=_l(
            "A borrower who answered a call or visit this recently counts as reachable, "
            "and others may not be contacted."
        ),
    )
    effective_from = _effective_from()


class CalendarDayForm(Form):
    day = DateField(
        _l("Day"),
        validators=[InputRequired(_l("Enter a date."))],
        invalid_value_message=_l("Enter a date."),
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(code, label) for code, label in KIND_NAMES.items()],
        validators=[InputRequired()],
        invalid_choice_message=_l("Choose a kind of day."),
    )
    name = StringField(
        _l("Name of the day"),
        validators=[InputRequired(_l("Enter a name, such as 国庆节.")), Length(max=64)],
    )


class RemoveDayForm(Form):
    day_id = HiddenField(validators=[InputRequired()])


class OfficialYearForm(Form):
    source = StringField(
        _l("Published schedule"),
        description=_l(
            "The notice the days were taken from, such as 国办发明电〔2025〕7号 for 2026."
        ),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(_l("Enter where the schedule was published.")), Length(max=200)],
    )


class ProvisionalYearForm(Form):
    """Takes a year's official mark back (a button and its CSRF token)."""


class LadderForm(Form):
    ladder = HiddenField(validators=[InputRequired()])
    thresholds = FieldList(_number(_l("Starts at days past due")))
    effective_from = _effective_from()


class RoutesForm(Form):
    """A queue and a priority for every complaint category (fields queue_<category> and
    priority_<category>, added below), and when the routing takes effect."""

    effective_from = _effective_from()


for _category in CATEGORIES:
    setattr(
        RoutesForm,
        f"queue_{_category}",
        SelectField(
            _l("Queue"),
            choices=[SelectChoice(code, label) for code, label in QUEUE_NAMES.items()],
            validators=[InputRequired()],
            invalid_choice_message=_l("Choose a queue."),
        ),
    )
    setattr(
        RoutesForm,
        f"priority_{_category}",
        SelectField(
            _l("Priority"),
            choices=[SelectChoice(str(n), label) for n, label in PRIORITY_NAMES.items()],
            validators=[InputRequired()],
            invalid_choice_message=_l("Choose a priority."),
        ),
    )


class PlanRulesForm(Form):
    name = HiddenField(validators=[InputRequired()])
    extension_min_days = _number(PLAN_RULE_FIELDS["extension_min_days"])
    extension_max_days = _number(PLAN_RULE_FIELDS["extension_max_days"])
    max_extensions_per_loan = _number(PLAN_RULE_FIELDS["max_extensions_per_loan"])
    plan_min_months = _number(PLAN_RULE_FIELDS["plan_min_months"])
    plan_max_months = _number(PLAN_RULE_FIELDS["plan_max_months"])
    min_installment = _number(PLAN_RULE_FIELDS["min_installment"])
    first_due_within_days = _number(PLAN_RULE_FIELDS["first_due_within_days"])
    stop_interest = BooleanField(PLAN_RULE_FIELDS["stop_interest"])
    second_approval_above = _number(PLAN_RULE_FIELDS["second_approval_above"])
    decision_due_days = _number(PLAN_RULE_FIELDS["decision_due_days"])
    offer_valid_days = _number(PLAN_RULE_FIELDS["offer_valid_days"])
    grace_days = _number(PLAN_RULE_FIELDS["grace_days"])
    effective_from = _effective_from()


class PromiseRulesForm(Form):
    name = HiddenField(validators=[InputRequired()])
    max_days = _number(PROMISE_RULE_FIELDS["max_days"])
    max_promises = _number(PROMISE_RULE_FIELDS["max_promises"])
    period_days = _number(PROMISE_RULE_FIELDS["period_days"])
    effective_from = _effective_from()
