"""Language, time zone and money formatting for the viewer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates
from babel.numbers import format_currency, get_currency_precision
from flask import g, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal import clock
from portal.errors import DomainError, message_for
from portal.translate import lazy_gettext as _l

# The languages the portal speaks, each named in itself for the switcher.
LANGUAGES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_Hans"
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}

_TRADITIONAL_REGIONS = {"tw", "hk", "mo", "hant"}


def language_from_tag(tag: str) -> str | None:
    """Map a BCP 47 tag from Accept-Language to one of our languages."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] == "zh":
        if any(part in _TRADITIONAL_REGIONS for part in parts[1:]):
            return "zh_Hant"
        return "zh_Hans"
    return None


def language_from_accept_header(accept_languages) -> str:
    """Pick the first of our languages in the browser's order of preference."""
    for tag, _quality in accept_languages:
        language = language_from_tag(tag)
        if language:
            return language
    return DEFAULT_LANGUAGE


def _account_language() -> str | None:
    if not current_user or not current_user.is_authenticated:
        return None
    if current_user.borrower is not None:
        return current_user.borrower.preferred_language
    return current_user.preferred_language


def select_locale() -> str:
    """The viewer's choice, then their account's, then the browser's, then Simplified Chinese."""
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    account = _account_language()
    if account in LANGUAGES:
        return account
    return language_from_accept_header(request.accept_languages)


@dataclass(frozen=True)
class PageLanguage:
    """What a visitor said about their language on a page: the switcher, and their browser's
    Accept-Language (each None when it named none of ours)."""

    switched: str | None
    browser: str | None


def page_language() -> PageLanguage:
    """The visitor's language choices on this request."""
    chosen = session.get("language")
    browser = None
    for tag, _quality in request.accept_languages:
        browser = language_from_tag(tag)
        if browser:
            break
    return PageLanguage(chosen if chosen in LANGUAGES else None, browser)


def viewer_zone() -> ZoneInfo:
    """A borrower's own time zone; staff and visitors see the business time zone."""
    try:
        user = g._login_user  # the viewer Flask-Login loaded, without its proxy (every value)
    except (AttributeError, RuntimeError):
        user = current_user._get_current_object() if current_user else None
    borrower = getattr(user, "borrower", None) if user and user.is_authenticated else None
    return clock.zone_of(borrower) if borrower is not None else clock.business_zone()


def viewer_locale():
    """Flask-Babel's get_locale(), reading the request's chosen locale directly once known."""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):
        return get_locale()
    return locale if locale is not None else get_locale()


def select_timezone() -> str:
    """Flask-Babel's time zone selector: the viewer's zone, by name."""
    return viewer_zone().key


# One way to write a day and a time in each language: 24-hour times without seconds in all three
# (a "22:00-08:00" rule next to "11:15 PM" confuses), and English days that no reader can take
# for another ("24 Nov 2026", never "11/24/26"). The sizes the templates ask for map onto these.
DATE_PATTERNS = {
    "zh_Hans": {
        "short": "y年M月d日",
        "medium": "y年M月d日",
        "long": "y年M月d日",
        "full": "y年M月d日EEEE",
    },
    "zh_Hant": {
        "short": "y年M月d日",
        "medium": "y年M月d日",
        "long": "y年M月d日",
        "full": "y年M月d日 EEEE",
    },
    "en": {"short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y", "full": "EEEE, d MMMM y"},
}
TIME_PATTERN = "HH:mm"
# How a day and a time join: "2026年11月24日 22:00", "24 Nov 2026, 22:00".
DATETIME_JOINS = {"zh_Hans": "{date} {time}", "zh_Hant": "{date} {time}", "en": "{date}, {time}"}


@lru_cache(maxsize=16)
def _language_of(locale) -> str:
    # Babel writes a locale's name afresh each time; a page asks for it with every value.
    language = str(locale) if locale is not None else DEFAULT_LANGUAGE
    return language if language in DATE_PATTERNS else DEFAULT_LANGUAGE


def _day(value: date, size: str, locale) -> str:
    return _day_in(value, size, _language_of(locale))


@lru_cache(maxsize=8192)
def _day_in(value: date, size: str, language: str) -> str:
    # Remembered as amounts are: a loan page writes some hundred days, most of them again on
    # the next visit, and Babel's formatting of each costs about as much as a table row.
    return dates.format_date(value, DATE_PATTERNS[language][size], locale=language)


def format_datetime(
    value: datetime | None, format: str = "medium", zone: ZoneInfo | None = None
) -> str:
    """A moment on the viewer's wall clock (or on that of `zone`, for a message to someone
    else), in their language: the day as `format_date` writes it, then the 24-hour time."""
    if value is None:
        return ""
    language = _language_of(viewer_locale())
    wall = clock.local(value, zone or viewer_zone())
    return DATETIME_JOINS[language].format(
        date=_day_in(wall.date(), format, language), time=f"{wall.hour:02d}:{wall.minute:02d}"
    )


def format_time(value: datetime | time | None, zone: ZoneInfo | None = None) -> str:
    """A time of day on the 24-hour clock, without seconds (22:00); a moment is first put on
    the viewer's wall clock (or on that of `zone`)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value, zone or viewer_zone()).time()
    return f"{value.hour:02d}:{value.minute:02d}"


def format_date(
    value: date | datetime | None, format: str = "medium", zone: ZoneInfo | None = None
) -> str:
    """A calendar date in the viewer's language (2026年11月24日, 24 Nov 2026); a moment is
    first put on their calendar (or on the calendar of `zone`, for a message to someone else)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value, zone or viewer_zone()).date()
    return _day(value, format, viewer_locale())


def format_age(since: datetime | None, now: datetime | None = None) -> str:
    """How long ago `since` was, in the viewer's language and in whole units ("3 days")."""
    if since is None:
        return ""
    elapsed = max((now or clock.now()) - since, timedelta(0))
    return dates.format_timedelta(elapsed, threshold=1, locale=viewer_locale())


def current_language() -> str:
    """The language code of the page being rendered (zh_Hans, zh_Hant or en)."""
    locale = viewer_locale()
    return str(locale) if locale is not None else DEFAULT_LANGUAGE


# Money is written one way in all three languages (¥1,234.56, not CN¥1,234.56 in English and
# Traditional Chinese): the mainland convention the lender's contracts and statements use.
MONEY_LOCALE = "zh_Hans"


def format_money(amount_minor: int, currency: str) -> str:
    """Format integer minor units as money, the same way in every language (¥1,234.56)."""
    if type(amount_minor) is not int:
        raise TypeError("money amounts are integers in minor units")
    return _money(amount_minor, currency)


@lru_cache(maxsize=8192)
def _money(amount_minor: int, currency: str) -> str:
    # Babel's formatting costs about as much as rendering a table row, and a loan page shows
    # some two hundred amounts, most of them again on the next visit: remember them.
    digits = get_currency_precision(currency)
    amount = Decimal(amount_minor).scaleb(-digits)
    return format_currency(amount, currency, locale=MONEY_LOCALE)


def amount_input(amount_minor: int, currency: str) -> str:
    """Minor units as a person would type them back into a form ("500.00")."""
    digits = get_currency_precision(currency)
    return f"{Decimal(amount_minor).scaleb(-digits):.{digits}f}"


def N_(message: str) -> str:
    """Mark a string for the catalogs where it is translated later, at display time."""
    return message


class AmountError(DomainError):
    """Typed money that is not an amount; `code` names why (see AMOUNT_MESSAGES)."""


# The messages for AmountError codes: a form's own MESSAGES include them (`show_error`).
AMOUNT_MESSAGES = {
    "missing": _l("Enter an amount like 500.00."),
    "not_a_number": _l("Enter an amount like 500.00."),
    "negative": _l("The amount cannot be negative."),
    "too_many_decimals": _l("Use at most 2 decimals."),
}


def amount_error_message(code: str) -> str:
    """The translated message for an AmountError code (for forms not using `show_error`)."""
    return message_for(
        AmountError(code), {**AMOUNT_MESSAGES, "default": AMOUNT_MESSAGES["missing"]}
    )


def parse_amount(text: str, currency: str, *, field: str | None = None) -> int:
    """Typed money ("1,234.56", "¥500") to integer minor units; refuses anything ambiguous
    with an AmountError (about the form field `field`, if given)."""
    cleaned = re.sub(r"[\s,¥￥]", "", (text or "").strip()).removeprefix("CN")
    if not cleaned:
        raise AmountError("missing", field)
    digits = get_currency_precision(currency)
    match = re.fullmatch(r"(\d{1,12})(?:\.(\d+))?", cleaned)
    if match is None:
        raise AmountError("negative" if cleaned.startswith("-") else "not_a_number", field)
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > digits:
        raise AmountError("too_many_decimals", field)
    return int(whole) * 10**digits + int(fraction.ljust(digits, "0") or 0)
