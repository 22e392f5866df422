"""Forms of the complaint pages."""

import re
import secrets

from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.complaints.labels import CATEGORY_NAMES, OUTCOME_NAMES
from portal.forms import Form
from portal.translate import lazy_gettext as _l

ATTACHMENT_HINT = _l(
    "Up to 5 files: photos or screenshots (JPEG, PNG), PDF, or sound "
    "recordings (MP3, M4A, WAV, AMR, OGG), at most 10 MB each."
)
ACCEPT = "image/jpeg,image/png,application/pdf,audio/*"


TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    """A fresh token for one form shown (see `TokenField`)."""
    return secrets.token_urlsafe(24)


class TokenField(HiddenField):
    """One token per form shown: the same form sent twice (a double tap, a resend, a replay)
    is done once. A sending without a token, or with one no form carries, gets a fresh token,
    as a new form would."""

    def __init__(self, **kwargs):
        super().__init__(default=new_token, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and TOKEN.fullmatch(valuelist[0]):
            self.data = valuelist[0]


class ComplaintForm(Form):
    category = SelectField(
        _l("What is the complaint about?"),
        choices=[SelectChoice(code, label) for code, label in CATEGORY_NAMES.items()],
        validators=[InputRequired(_l("Choose what the complaint is about."))],
        invalid_choice_message=_l("Choose what the complaint is about."),
    )
    description = TextAreaField(
        _l("What happened?"),
        validators=[
            DataRequired(_l("Tell us what happened.")),
            Length(max=4000, message=_l("Use at most 4,000 characters.")),
        ],
        render_kw={"maxlength": 4000, "rows": 6},
        description=_l("When, who, what was said or done. Do not write your full ID number."),
    )
    desired_outcome = TextAreaField(
        _l("What would you like us to do?"),
        validators=[Length(max=1000, message=_l("Use at most 1,000 characters."))],
        render_kw={"maxlength": 1000, "rows": 3},
    )
    attachments = MultipleFileField(
        _l("Attachments (optional)"), description=ATTACHMENT_HINT, render_kw={"accept": ACCEPT}
    )
    contact = HiddenField()
    token = TokenField()


class ReplyForm(Form):
    body = TextAreaField(
        _l("Your message"),
        validators=[Length(max=4000, message=_l("Use at most 4,000 characters."))],
        render_kw={"maxlength": 4000, "rows": 4},
    )
    attachments = MultipleFileField(
        _l("Attachments (optional)"), description=ATTACHMENT_HINT, render_kw={"accept": ACCEPT}
    )
    token = TokenField()


class DisputeForm(Form):
    reason = TextAreaField(
        _l("Why do you disagree with the resolution?"),
        validators=[
            DataRequired(_l("Tell us why you disagree.")),
            Length(max=4000, message=_l("Use at most 4,000 characters.")),
        ],
        render_kw={"maxlength": 4000, "rows": 4},
    )


# The staff's complaint page holds several forms, one per action, each with its own single
# button: pressing Enter in one of them can only ever send that one. They share one page, so
# each names its own field ids, and the app-wide CSRF protection checks the page's one token
# (the forms do not carry their own).
NO_FORM_CSRF = {"csrf": False}


class StaffStepForm(Form):
    """A step with nothing to type (claim, acknowledge, set a status): a button."""

    token = TokenField()


class AssignForm(Form):
    assignee = SelectField(
        _l("Assign to"),
        choices=[],
        validators=[Optional()],
        validate_choice=False,
        id="assign-assignee",
    )
    token = TokenField(id="assign-token")


class BorrowerReplyForm(Form):
    """What support writes to the borrower: they read it on their complaint page."""

    body = TextAreaField(
        _l("Message to the borrower"),
        validators=[
            DataRequired(_l("Write the message first.")),
            Length(max=4000, message=_l("Use at most 4,000 characters.")),
        ],
        description=_l("Borrower-facing: the borrower reads this."),
        render_kw={"maxlength": 4000, "rows": 4},
        id="reply-body",
    )
    token = TokenField(id="reply-token")


class InternalNoteForm(Form):
    """A note for colleagues only: the borrower never sees it."""

    body = TextAreaField(
        _l("Note for colleagues"),
        validators=[
            DataRequired(_l("Write the message first.")),
            Length(max=4000, message=_l("Use at most 4,000 characters.")),
        ],
        description=_l("Staff only: the borrower never sees it."),
        render_kw={"maxlength": 4000, "rows": 3},
        id="note-body",
    )
    token = TokenField(id="note-token")


class ResolveForm(Form):
    """Resolving is its own step: the outcome, any relief and the explanation to the borrower,
    confirmed on a summary before it is recorded."""

    outcome = RadioField(
        _l("How it is resolved"),
        choices=[SelectChoice(code, label) for code, label in OUTCOME_NAMES.items()],
        validators=[InputRequired(_l("Choose how the complaint is resolved."))],
        invalid_choice_message=_l("Choose how the complaint is resolved."),
    )
    relief = StringField(
        _l("Monetary relief (for monetary relief only)"),
        validators=[Optional(), Length(max=20, message=_l("Enter an amount like 500.00."))],
        description=_l("The amount refunded or waived, like 500.00."),
        render_kw={"inputmode": "decimal", "maxlength": 20, "autocomplete": "off"},
    )
    body = TextAreaField(
        _l("Resolution for the borrower"),
        validators=[
            DataRequired(_l("Write the message first.")),
            Length(max=4000, message=_l("Use at most 4,000 characters.")),
        ],
        description=_l(
            "The borrower reads this as the answer to their complaint: what was found and "
            "what is done about it."
        ),
        render_kw={"maxlength": 4000, "rows": 6},
    )
    token = TokenField()
