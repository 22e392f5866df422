"""The promise-to-pay form."""

from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.fields import DayField
from portal.forms import Form
from portal.translate import lazy_gettext as _l


class PromiseForm(Form):
    amount = StringField(
        _l("Amount you will pay"),
        validators=[
            InputRequired(_l("Enter an amount like 500.00.")),
            Length(max=20, message=_l("Enter an amount like 500.00.")),
        ],
        render_kw={"inputmode": "decimal", "maxlength": 20, "autocomplete": "off"},
    )
    due_on = DayField(_l("Pay by"), validators=[InputRequired(_l("Enter a date like 2026-12-31."))])
