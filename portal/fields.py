"""Form fields whose parsing errors are translated like every other message."""

from datetime import date

from wtforms import StringField

from portal.forms import without_nul
from portal.translate import lazy_gettext as _l


def _typed(valuelist) -> str:
    """The text sent for a field, trimmed; NUL characters are reported by the form."""
    return without_nul(valuelist[0]).strip() if valuelist else ""


class WholeNumberField(StringField):
    """A whole number typed as text; `data` is an int or None."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "maxlength": 6})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.raw = _typed(valuelist)
        self.data = None
        if self.raw:
            # str.isdigit() also takes "²" and other digits int() refuses or reads differently.
            if not (self.raw.isascii() and self.raw.isdigit()) or len(self.raw) > 6:
                raise ValueError(_l("Enter a whole number, like 12."))
            self.data = int(self.raw)

    def _value(self):
        return (
            self.raw
            if getattr(self, "raw", None) is not None
            else ("" if self.data is None else str(self.data))
        )


class DayField(StringField):
    """A calendar date typed as YYYY-MM-DD (the browser's date picker sends that)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.raw = _typed(valuelist)
        self.data = None
        if self.raw:
            try:
                self.data = date.fromisoformat(self.raw)
            except ValueError:
                raise ValueError(_l("Enter a date like 2026-12-31.")) from None

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return self.data.isoformat() if self.data else ""
