"""Forms of the administrators' rule and calendar pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
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
from wtforms.validators import InputRequired, Length, Optional

from portal.holidays.labels import KIND_NAMES
from portal.staff.labels import CONTACT_RULE_FIELDS

NUMBER = _l("Enter a whole number.")
TIME = _l("Enter a time as HH:MM.")


class ContactRulesForm(FlaskForm):
    quiet_from = TimeField(
        CONTACT_RULE_FIELDS["quiet_from"],
        validators=[InputRequired(TIME)],
        format="%H:%M",
        invalid_value_message=TIME,
    )
    quiet_until = TimeField(
        CONTACT_RULE_FIELDS["quiet_until"],
        validators=[InputRequired(TIME)],
        format="%H:%M",
        invalid_value_message=TIME,
    )
    max_answered_calls_per_day = IntegerField(
        CONTACT_RULE_FIELDS["max_answered_calls_per_day"],
        validators=[InputRequired(NUMBER)],
        invalid_value_message=NUMBER,
    )
    max_unanswered_calls_per_day = IntegerField(
        CONTACT_RULE_FIELDS["max_unanswered_calls_per_day"],
        validators=[InputRequired(NUMBER)],
        invalid_value_message=NUMBER,
    )
    reachable_within_days = IntegerField(
        CONTACT_RULE_FIELDS["reachable_within_days"],
        validators=[InputRequired(NUMBER)],
        invalid_value_message=NUMBER,
        description=_l(
            "A borrower who answered a call or visit this recently counts as reachable, "
            "and others may not be contacted."
        ),
    )
    effective_from = DateTimeLocalField(
        _l("Takes effect at"),
        validators=[Optional()],
        format="%Y-%m-%dT%H:%M",
        invalid_value_message=_l("Enter a date and time."),
        description=_l("In the business time zone. Leave empty for as soon as you confirm."),
    )


class CalendarDayForm(FlaskForm):
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
        _l("Name"),
        validators=[InputRequired(_l("Enter a name, such as 国庆节.")), Length(max=64)],
    )


class RemoveDayForm(FlaskForm):
    day_id = HiddenField(validators=[InputRequired()])


class LadderForm(FlaskForm):
    ladder = HiddenField(validators=[InputRequired()])
    thresholds = FieldList(
        IntegerField(
            _l("Starts at days past due"),
            validators=[InputRequired(NUMBER)],
            invalid_value_message=NUMBER,
        )
    )
    effective_from = DateTimeLocalField(
        _l("Takes effect at"),
        validators=[Optional()],
        format="%Y-%m-%dT%H:%M",
        invalid_value_message=_l("Enter a date and time."),
        description=_l("In the business time zone. Leave empty for as soon as you confirm."),
    )
