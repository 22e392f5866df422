"""The base of every form: what a form reads from a request, and text that can be stored.

A browser sends text for text fields and files for file fields, as an ordinary form body. A
hostile client can send a file part, or a JSON body of numbers and lists, where text is
expected; the form reads only what a browser would send and treats the rest as left out.

No database the portal runs on can store a NUL character (PostgreSQL refuses it), and no
person types one: a text field that received one says so, with the character already removed
from what is shown back. A text field left out of the form is empty, as a browser sends it.
"""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from werkzeug.datastructures import MultiDict
from wtforms import FileField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

NUL = "\x00"
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
