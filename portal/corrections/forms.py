"""Forms of the correction pages."""

from flask_babel import LazyString
from wtforms import MultipleFileField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.complaints.forms import ACCEPT, ATTACHMENT_HINT, TokenField
from portal.corrections.labels import FIELD_NAMES
from portal.forms import Form
from portal.translate import lazy_gettext as _l

EVIDENCE_HINT = _l(
    "A document that shows the correct value, such as your ID card for a name or a utility "
    "bill for an address (needed for those two)."
)


def _evidence_hint() -> str:
    """What evidence to add, then the rules for files: no space after a Chinese full stop."""
    first = str(EVIDENCE_HINT)
    return first + ("" if first.endswith("。") else " ") + str(ATTACHMENT_HINT)


class CorrectionForm(Form):
    field = RadioField(
        _l("What is wrong?"),
        choices=[SelectChoice(code, label) for code, label in FIELD_NAMES.items()],
        validators=[InputRequired(_l("Choose what to correct."))],
        invalid_choice_message=_l("Choose what to correct."),
    )
    value = StringField(
        _l("The correct value"),
        validators=[
            DataRequired(_l("Write the correct value.")),
            Length(max=500, message=_l("Use at most 500 characters.")),
        ],
        render_kw={"maxlength": 500, "autocomplete": "off"},
        description=_l("Exactly as it should be held, e.g. the full address with the flat number."),
    )
    explanation = TextAreaField(
        _l("Anything we should know (optional)"),
        validators=[Length(max=2000, message=_l("Use at most 2,000 characters."))],
        render_kw={"maxlength": 2000, "rows": 3},
    )
    evidence = MultipleFileField(
        _l("Evidence"),
        description=LazyString(_evidence_hint),
        render_kw={"accept": ACCEPT},
    )
    token = TokenField()


class AcceptForm(Form):
    message = TextAreaField(
        _l("Message to the borrower (optional)"),
        validators=[Length(max=2000, message=_l("Use at most 2,000 characters."))],
        render_kw={"maxlength": 2000, "rows": 3},
    )
    token = TokenField()


class RefuseForm(Form):
    reason = TextAreaField(
        _l("Why the data is not corrected (the borrower reads this)"),
        validators=[
            DataRequired(_l("Write the reason for refusing, for the borrower.")),
            Length(max=2000, message=_l("Use at most 2,000 characters.")),
        ],
        render_kw={"maxlength": 2000, "rows": 4},
    )
    token = TokenField()
