"""The base of every form: what a form reads from a request, and text that can be stored.

A browser sends text for text fields and files for file fields, as an ordinary form body. A
hostile client can send a file part, or a JSON body of numbers and lists, where text is
expected; the form reads only what a browser would send and treats the rest as left out.

No database the portal runs on can store a NUL character (PostgreSQL refuses it), and no
person types one: a text field that received one says so, with the character already removed
from what is shown back. A text field left out of the form is empty, as a browser sends it.
"""

from __future__ import annotations

import importlib
import sys
from datetime import date, datetime

from flask import current_app, g, has_request_context, request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict
from wtforms import FileField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from portal.errors import DomainError, show_error
from portal.translate import lazy_gettext as _l

NUL = "\x00"
# The field a refused form is sent again with when its reader switches language (see
# portal/static/js/forms.js): the page is shown again in that language with what was typed,
# and nothing is done.
SWITCH_LANGUAGE_FIELD = "switch_language"
# The refusals of the rules shown on a refused form (`show_error`), sent again with it, signed,
# so they are shown again in the new language although nothing is checked again.
REFUSALS_FIELD = "form_refusals"
NUL_MESSAGE = _l(
    "An invisible character that cannot be saved was removed from this text. "
    "Check it and send it again."
)


def without_nul(value):
    """Text without NUL characters; anything else as it is."""
    return value.replace(NUL, "") if isinstance(value, str) else value


def refuse_nul(form, field) -> None:
    """Stop a field whose text, as sent, held a NUL character."""
    if any(isinstance(value, str) and NUL in value for value in field.raw_data or ()):
        raise StopValidation(str(NUL_MESSAGE))


class Form(FlaskForm):
    """A form of the portal (Flask-WTF, with its CSRF token)."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if hasattr(formdata, "getlist"):
                return formdata  # given by the caller, such as the query string of a filter
            if not (request and request.method in SUBMIT_METHODS):
                return None
            files = {field.name for field in form if isinstance(field, FileField)}
            sent = [pair for pair in request.form.items(multi=True) if pair[0] not in files]
            sent += [pair for pair in request.files.items(multi=True) if pair[0] in files]
            return MultiDict(sent) if sent else None

        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class in (StringField, TextAreaField):
                unbound_field.kwargs.setdefault("default", "")
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                field.filters = (*field.filters, without_nul)
                # Hidden fields are the page's own values and passwords are never shown back:
                # only text a person typed and sees gets the message.
                if not isinstance(field, HiddenField | PasswordField):
                    field.validators = [refuse_nul, *field.validators]
            return field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusals: list[tuple[DomainError, object]] = []  # (error, messages): show_error

    def validate(self, extra_validators=None):
        """Check the form; a form only shown again in another language never passes, so the
        view shows it with its errors (its refusals too) and does nothing."""
        valid = super().validate(extra_validators)
        if not redisplaying():
            return valid
        for error, messages in _refusals_sent_again():
            show_error(self, error, messages)
        return False

    def refusals_token(self) -> str:
        """The form's refusals, signed, for the page to send again with a language switch."""
        carried = [_carried(error, messages) for error, messages in self.refusals]
        return _signer().dumps([each for each in carried if each is not None])


def redisplaying() -> bool:
    """Whether this request shows a refused form again in another language (nothing is done)."""
    return has_request_context() and g.get("form_redisplay", False)


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="form-refusals")


def _messages_named(messages) -> str | None:
    """Where a feature's message table lives ("portal.plans.labels:MESSAGES")."""
    for name, module in list(sys.modules.items()):
        if name.startswith("portal.") and module is not None:
            for attribute, value in vars(module).items():
                if value is messages and attribute.isupper():
                    return f"{name}:{attribute}"
    return None


def _value(value):
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if value is None or isinstance(value, bool | int | float | str):
        return ["plain", value]
    raise TypeError(type(value))


def _carried(error: DomainError, messages) -> list | None:
    table = _messages_named(messages)
    try:
        values = {key: _value(value) for key, value in error.values.items()}
    except TypeError:
        return None  # a value that cannot be carried: the refusal comes back when sent again
    return [table, error.code, error.field, values] if table else None


def _refusals_sent_again():
    try:
        carried = _signer().loads(request.form.get(REFUSALS_FIELD, ""))
    except BadSignature:
        return
    readers = {"datetime": datetime.fromisoformat, "date": date.fromisoformat, "plain": lambda v: v}
    for table, code, field, values in carried:
        module, _, attribute = table.partition(":")
        messages = getattr(importlib.import_module(module), attribute)
        values = {key: readers[kind](value) for key, (kind, value) in values.items()}
        yield DomainError(code, field, **values), messages
