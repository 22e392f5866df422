"""Forms of the login, activation and password reset pages."""

from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from portal.auth.labels import MESSAGES
from portal.auth.passwords import MAX_LENGTH, password_problem
from portal.forms import Form
from portal.translate import lazy_gettext as _l


def _new_password_rule(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(MESSAGES[problem])


class LoginForm(Form):
    identifier = StringField(
        _l("Mobile number or e-mail"),
        validators=[
            DataRequired(_l("Enter your mobile number or e-mail address.")),
            Length(max=254, message=_l("This is longer than any account name.")),
        ],
        render_kw={"autocomplete": "username", "maxlength": 254, "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("This is longer than any password.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ActivationStartForm(Form):
    loan_number = StringField(
        _l("Loan number"),
        validators=[
            DataRequired(_l("Enter the loan number from your loan contract.")),
            Length(max=64, message=_l("A loan number has at most 64 characters.")),
        ],
        render_kw={"autocomplete": "off", "maxlength": 64, "autocapitalize": "characters"},
        description=_l("It is printed on your loan contract and on our letters."),
    )
    id_last4 = StringField(
        _l("Last 4 characters of your ID number"),
        validators=[
            DataRequired(_l("Enter the last 4 characters of your ID number.")),
            Regexp(
                r"^\s*[0-9]{3}[0-9Xx]\s*$",
                message=_l("Enter exactly 4 characters: digits, the last one may be X."),
            ),
        ],
        render_kw={"autocomplete": "off", "maxlength": 4},
    )
    channel = RadioField(
        _l("Send the code by"),
        choices=[
            SelectChoice("sms", _l("Text message to my phone")),
            SelectChoice("email", _l("E-mail")),
        ],
        default="sms",
        invalid_choice_message=_l("Choose how to receive the code."),
        validators=[DataRequired(_l("Choose how to receive the code."))],
    )
    submit = SubmitField(_l("Send me a code"))


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), _new_password_rule],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters. Long phrases are good; any characters are allowed."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ActivationFinishForm(NewPasswordMixin, Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the code we sent you.")),
            Regexp(r"^\s*[0-9]{6}\s*$", message=_l("The code has 6 digits.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6},
    )
    submit = SubmitField(_l("Activate my account"))


class ResetRequestForm(Form):
    identifier = LoginForm.identifier
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(NewPasswordMixin, Form):
    submit = SubmitField(_l("Save the new password"))


class SecondFactorForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the code from your authenticator app.")),
            Length(max=20, message=_l("This is longer than any code.")),
        ],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "maxlength": 20},
        description=_l("6 digits from your authenticator app, or one of your recovery codes."),
    )
    submit = SubmitField(_l("Continue"))


class EnrolmentForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the code from your authenticator app.")),
            Regexp(r"^\s*[0-9]{6}\s*$", message=_l("The code has 6 digits.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6},
    )
    submit = SubmitField(_l("Turn on the second factor"))


class ReauthenticateForm(Form):
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("This is longer than any password.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    code = SecondFactorForm.code
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class InvitationForm(NewPasswordMixin, Form):
    submit = SubmitField(_l("Save my password"))
