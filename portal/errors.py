"""Domain errors: one shape for every refusal a service can give, and one way to show it.

A service raises `DomainError(code, field=None, **values)` (or a feature's subclass) before it
writes anything it would not keep; the view puts it on the form with `show_error`, using the
feature's `labels.MESSAGES` (code -> lazily translated message with named placeholders).
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A refusal by the rules: `code` names it, `field` is the form field it concerns (if any),
    and `values` fill the message's placeholders."""

    def __init__(self, code: str, field: str | None = None, **values):
        super().__init__(code)
        self.code = code
        self.field = field
        self.values = values

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, **{self.values!r})"


class NotFound(DomainError):
    """The thing does not exist for this person (shown as 404)."""

    def __init__(self, code: str = "not_found", **values):
        super().__init__(code, **values)


class NotAllowed(DomainError):
    """The action is not possible in the thing's current state."""


def message_for(error: DomainError, messages: Mapping[str, object]) -> str:
    """The translated message for an error, its placeholders filled."""
    message = messages.get(error.code) or messages.get("default")
    if message is None:
        raise KeyError(f"no message for {error.code!r}")
    if callable(message):
        # Messages whose values need formatting first (money, dates) are small functions.
        return message(**error.values)
    text = str(message)
    return text % error.values if error.values and "%(" in text else text


def show_error(form, error: DomainError, messages: Mapping[str, object]) -> None:
    """Put the error on the form: on its field if the form has it, else on the whole form."""
    text = message_for(error, messages)
    if isinstance(getattr(form, "refusals", None), list):
        form.refusals.append((error, messages))  # shown again after a language switch
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, text] if isinstance(field.errors, list) else [text]
    else:
        form.form_errors.append(text)
