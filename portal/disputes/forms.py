"""Forms of the dispute pages."""

from wtforms import HiddenField, MultipleFileField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.complaints.forms import ACCEPT, ATTACHMENT_HINT
from portal.disputes.labels import KIND_NAMES
from portal.forms import Form
from portal.translate import lazy_gettext as _l


class DisputeForm(Form):
    kind = RadioField(
        _l("What is wrong?"),
        choices=[SelectChoice(code, label) for code, label in KIND_NAMES.items()],
        validators=[InputRequired(_l("Choose what is wrong."))],
        invalid_choice_message=_l("Choose what is wrong."),
    )
    statement = TextAreaField(
        _l("Tell us why"),
        validators=[
            DataRequired(_l("Tell us why.")),
            Length(max=4000, message=_l("Use at most 4,000 characters.")),
        ],
        render_kw={"maxlength": 4000, "rows": 5},
    )
    evidence = MultipleFileField(
        _l("Evidence (optional)"), description=ATTACHMENT_HINT, render_kw={"accept": ACCEPT}
    )
    entry = HiddenField()


class AnswerForm(Form):
    answer = TextAreaField(
        _l("The lender's answer"),
        validators=[
            DataRequired(_l("Write the answer.")),
            Length(max=4000, message=_l("Use at most 4,000 characters.")),
        ],
        render_kw={"maxlength": 4000, "rows": 6},
    )
    evidence = MultipleFileField(
        _l("The lender's evidence"), description=ATTACHMENT_HINT, render_kw={"accept": ACCEPT}
    )
