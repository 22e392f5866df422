"""Forms of the borrower's settings page."""

from datetime import time

from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.account.labels import BARRED_PARTY_NAMES
from portal.account.settings import PreferencesChange
from portal.forms import Form
from portal.i18n import LANGUAGES
from portal.loans.contact_rules import PREFERABLE_CHANNELS
from portal.loans.labels import CHANNEL_NAMES
from portal.translate import lazy_gettext as _l

# Whole hours strictly inside the legal 08:00-22:00: a preference only ever narrows the law.
HOURS = [f"{hour:02d}:00" for hour in range(9, 22)]


class CheckboxesField(SelectMultipleField):
    """Several choices, each a checkbox."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def parse_hour(text: str | None) -> time | None:
    """An hour from the page ("20:00", one of HOURS) as a time; empty means no limit beyond
    the law."""
    if not text:
        return None
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


class LanguageForm(Form):
    language = RadioField(
        _l("Language of the pages and of the messages we send you"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validate_choice=False,
    )


class ContactPreferencesForm(Form):
    channels = CheckboxesField(
        _l("Collectors may contact me by"),
        choices=[SelectChoice(code, CHANNEL_NAMES[code]) for code in PREFERABLE_CHANNELS],
        validate_choice=False,
    )
    earliest = SelectField(
        _l("Not before"),
        choices=[
            SelectChoice("", _l("08:00 (the legal limit)")),
            *[SelectChoice(h, h) for h in HOURS],
        ],
        invalid_choice_message=_l("Choose one of the hours listed."),
    )
    latest = SelectField(
        _l("Not after"),
        choices=[
            SelectChoice("", _l("22:00 (the legal limit)")),
            *[SelectChoice(h, h) for h in HOURS],
        ],
        invalid_choice_message=_l("Choose one of the hours listed."),
    )
    barred_parties = CheckboxesField(
        _l("Never contact"),
        choices=[SelectChoice(code, name) for code, name in BARRED_PARTY_NAMES.items()],
        validate_choice=False,
    )
    representative_name = StringField(
        _l("Name of your representative (optional)"),
        validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters."))],
        description=_l(
            "Someone you trust, such as a lawyer or a relative, whom collectors must contact "
            "instead of you."
        ),
    )
    representative_phone = StringField(
        _l("Their phone number"),
        validators=[Optional(), Length(max=32, message=_l("Use at most 32 characters."))],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )


def preferences_change(form: ContactPreferencesForm) -> PreferencesChange:
    """What the borrower asked for on the page, as plain data for the service."""
    return PreferencesChange(
        channels=frozenset(form.channels.data or ()),
        earliest=parse_hour(form.earliest.data),
        latest=parse_hour(form.latest.data),
        barred_parties=frozenset(form.barred_parties.data or ()),
        representative_name=form.representative_name.data or "",
        representative_phone=form.representative_phone.data or "",
    )


def fill_preferences(form: ContactPreferencesForm, row) -> None:
    """Show the preferences in force (or the law's defaults: every way, the legal hours)."""
    if row is None:
        form.channels.data = list(PREFERABLE_CHANNELS)
        return
    form.channels.data = sorted(row.channel_codes)
    form.earliest.data = row.earliest.strftime("%H:%M") if row.earliest else ""
    form.latest.data = row.latest.strftime("%H:%M") if row.latest else ""
    form.barred_parties.data = sorted(row.barred_party_codes)
    form.representative_name.data = row.representative_name or ""
    form.representative_phone.data = row.representative_phone or ""
