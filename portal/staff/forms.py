"""Forms of the administrators' staff account pages."""

from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.forms import Form
from portal.loans.labels import ROLE_NAMES
from portal.security import STAFF_ROLES
from portal.translate import lazy_gettext as _l


def _role_choices():
    return [(role.value, ROLE_NAMES[role.value]) for role in STAFF_ROLES]


class InviteForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter the e-mail address of the new colleague.")),
            Length(max=254, message=_l("This is longer than any account name.")),
        ],
        render_kw={"autocomplete": "off", "maxlength": 254},
    )
    display_name = StringField(
        _l("Name"),
        validators=[Length(max=100, message=_l("Use at most 100 characters."))],
        render_kw={"maxlength": 100},
    )
    role = SelectField(_l("Role"), choices=_role_choices, default="support")
    submit = SubmitField(_l("Send the invitation"))


class ActionForm(Form):
    """A button that posts (disable, reset the second factor): only the CSRF token."""
