"""The payment form."""

from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import Form
from portal.translate import lazy_gettext as _l


class PayForm(Form):
    choice = RadioField(
        _l("How much do you want to pay?"),
        choices=[],
        validators=[InputRequired(_l("Choose an amount."))],
        invalid_choice_message=_l("Choose an amount."),
    )
    other_amount = StringField(
        _l("Amount"),
        validators=[Optional(), Length(max=20, message=_l("Enter an amount like 500.00."))],
        render_kw={"inputmode": "decimal", "maxlength": 20, "autocomplete": "off"},
    )
    # One token per form shown: sending the same form twice cannot start two payments.
    token = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
