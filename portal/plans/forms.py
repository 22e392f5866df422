"""Forms of the request pages and of the approver's decisions."""

from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.errors import DomainError, show_error
from portal.fields import DayField, WholeNumberField
from portal.forms import Form
from portal.i18n import AmountError, amount_error_message, parse_amount
from portal.plans.labels import MESSAGES
from portal.plans.terms import EXTENSION, INSTALLMENT_PLAN, Terms
from portal.translate import gettext as _
from portal.translate import lazy_gettext as _l

REASONS = {
    "job_loss": _l("I lost my job"),
    "income_drop": _l("My income fell"),
    "illness": _l("Illness or injury"),
    "family_emergency": _l("A family emergency"),
    "disaster": _l("A natural disaster or accident"),
    "other": _l("Another reason"),
}
REJECT_REASONS = {
    "not_affordable": _l("The plan you asked for does not look affordable for you"),
    "missing_documents": _l("We need documents that show your situation"),
    "rules_not_met": _l("The request does not meet the lender's rules"),
    "recent_plan_broken": _l("A recent plan on this loan was not kept"),
    "other": _l("Another reason; see the message from the lender"),
}
KIND_CHOICES = [
    SelectChoice(EXTENSION, _l("More time: move the overdue amount's due date")),
    SelectChoice(INSTALLMENT_PLAN, _l("An installment plan: pay the balance in monthly parts")),
]


def _int_field(label, low, high, message):
    return WholeNumberField(label, validators=[Optional(), NumberRange(low, high, message=message)])


class TermsMixin:
    kind = RadioField(
        _l("What do you need?"),
        choices=KIND_CHOICES,
        default=INSTALLMENT_PLAN,
        validators=[InputRequired(_l("Choose what you need."))],
        invalid_choice_message=_l("Choose what you need."),
    )
    extension_days = _int_field(_l("How many more days"), 1, 365, _l("Enter a number of days."))
    months = _int_field(
        _l("Number of monthly installments"), 1, 120, _l("Enter a number of months.")
    )
    down_payment = StringField(
        _l("Down payment when the plan is accepted (optional)"),
        validators=[Optional(), Length(max=20, message=_l("Enter an amount like 500.00."))],
        render_kw={"inputmode": "decimal", "maxlength": 20},
        description=_l("Paid when you accept the plan, not now; it lowers every installment."),
    )
    first_due_on = DayField(_l("Date of the first installment"), validators=[Optional()])


class RequestForm(TermsMixin, Form):
    # No reason is chosen for the borrower: the first option asks for one.
    reason_code = SelectField(
        _l("Why do you need it?"),
        choices=[SelectChoice("", _l("Choose a reason"))]
        + [SelectChoice(code, label) for code, label in REASONS.items()],
        validators=[InputRequired(_l("Choose a reason."))],
        invalid_choice_message=_l("Choose a reason."),
    )
    reason_text = TextAreaField(
        _l("Tell us more (optional)"),
        validators=[Length(max=1000, message=_l("Use at most 1,000 characters."))],
        render_kw={"maxlength": 1000, "rows": 4},
    )
    previewed = HiddenField()
    documents = MultipleFileField(
        _l("Supporting documents (optional)"),
        description=_l(
            "Up to 5 files: photos (JPEG, PNG) or PDF, at most 10 MB each. "
            "You can also add them later."
        ),
        render_kw={"accept": "image/jpeg,image/png,application/pdf"},
    )


class DocumentsForm(Form):
    documents = MultipleFileField(
        _l("Supporting documents"),
        description=_l("Up to 5 files: photos (JPEG, PNG) or PDF, at most 10 MB each."),
        render_kw={"accept": "image/jpeg,image/png,application/pdf"},
    )


class AcceptForm(Form):
    agree = BooleanField(
        _l("I have read these terms and I accept them."),
        validators=[InputRequired(_l("Tick the box to show that you accept the terms."))],
    )


class DecisionForm(TermsMixin, Form):
    # A counter-offer keeps the kind of the request; the approver does not choose it.
    kind = HiddenField()
    reason_code = SelectField(
        _l("Reason for the borrower"),
        choices=[SelectChoice("", _l("Choose a reason"))]
        + [SelectChoice(code, label) for code, label in REJECT_REASONS.items()],
        validators=[Optional()],
        invalid_choice_message=_l("Choose a reason."),
    )
    note = TextAreaField(
        _l("Note for the audit log"),
        validators=[Length(max=1000, message=_l("Use at most 1,000 characters."))],
        render_kw={"maxlength": 1000, "rows": 3},
    )


def terms_from(form, currency: str) -> Terms | None:
    """The terms typed in a request or counter-offer form, or None after adding field errors."""
    kind = form.kind.data
    if kind == EXTENSION:
        if form.extension_days.data is None:
            form.extension_days.errors.append(_("Enter how many more days you need."))
            return None
        return Terms(kind, extension_days=form.extension_days.data)
    down_payment = 0
    if form.down_payment.data:
        try:
            down_payment = parse_amount(form.down_payment.data, currency)
        except AmountError as error:
            form.down_payment.errors.append(amount_error_message(error.code))
            return None
    missing = False
    if form.months.data is None:
        form.months.errors.append(_("Enter the number of months."))
        missing = True
    if form.first_due_on.data is None:
        form.first_due_on.errors.append(_("Choose the date of the first installment."))
        missing = True
    if missing:
        return None
    return Terms(
        kind,
        months=form.months.data,
        down_payment=down_payment,
        first_due_on=form.first_due_on.data,
    )


def show_refusal(form, error: DomainError) -> None:
    """Put a refusal on the form: every rule a refused request breaks, or the one error."""
    for each in getattr(error, "problems", None) or [error]:
        show_error(form, each, MESSAGES)
