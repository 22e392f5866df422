"""Validation of import rows: one plain function per record type, no database.

Each returns a frozen record or raises RowError with a reason an operator can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from email_validator import EmailNotValidError, validate_email

from portal.clock import DEFAULT_BUSINESS_TIME_ZONE
from portal.loans.journal import Components, JournalError, check_entry
from portal.loans.models import (
    CONTACT_CHANNELS,
    CONTACT_OUTCOMES,
    CONTACT_PARTIES,
    JOURNAL_KINDS,
    LOAN_STATUSES,
)

LANGUAGES = ("zh_Hans", "zh_Hant", "en")
RECORD_TYPES = ("borrower", "loan", "due_date", "journal", "contact")
# Every column any record type may have, for checking a CSV header.
COLUMNS = {
    "record",
    "customer_ref",
    "full_name",
    "id_last4",
    "phone",
    "email",
    "preferred_language",
    "time_zone",
    "loan_number",
    "product",
    "currency",
    "status",
    "opened_on",
    "due_on",
    "principal",
    "interest",
    "fee",
    "reference",
    "kind",
    "posted_at",
    "description",
    "contacted_at",
    "channel",
    "party",
    "agent",
    "outcome",
    "note",
}
MAX_AMOUNT = 10**13  # 100 billion yuan in fen: anything larger is a data error
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f]")
_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,15}")


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


class RowError(ValueError):
    """A row that cannot be imported, and why."""


@dataclass(frozen=True)
class BorrowerRow:
    customer_ref: str
    full_name: str
    id_last4: str
    phone: str
    email: str | None
    preferred_language: str
    time_zone: str


@dataclass(frozen=True)
class LoanRow:
    loan_number: str
    customer_ref: str
    product: str
    currency: str
    status: str
    opened_on: date


@dataclass(frozen=True)
class DueDateRow:
    loan_number: str
    due_on: date
    principal: int
    interest: int


@dataclass(frozen=True)
class JournalRow:
    loan_number: str
    reference: str
    kind: str
    posted_at: datetime
    change: Components
    description: str | None


@dataclass(frozen=True)
class ContactRow:
    loan_number: str
    reference: str
    contacted_at: datetime
    channel: str
    party: str
    agent: str
    outcome: str
    note: str | None


# --- field readers ----------------------------------------------------------------------------


def _present(raw: dict, name: str) -> bool:
    value = raw.get(name)
    return value is not None and not (isinstance(value, str) and not value.strip())


def text(raw: dict, name: str, max_length: int, *, required: bool = True) -> str | None:
    value = raw.get(name)
    if isinstance(value, str):
        value = value.strip()
    elif value is not None:
        raise RowError(f"{name} must be text")
    if not value:
        if required:
            raise RowError(f"{name} is missing")
        return None
    if len(value) > max_length:
        raise RowError(f"{name} is longer than {max_length} characters")
    if _CONTROL_CHARACTERS.search(value):
        raise RowError(f"{name} contains control characters")
    return value


def choice(raw: dict, name: str, allowed, *, default: str | None = None) -> str:
    value = text(raw, name, 32, required=default is None) or default
    if value not in allowed:
        raise RowError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def amount(raw: dict, name: str, *, required: bool = True, signed: bool = False) -> int:
    if not _present(raw, name):
        if required:
            raise RowError(f"{name} is missing")
        return 0
    value = raw[name]
    if isinstance(value, bool | float):
        raise RowError(f"{name} must be a whole number of minor units (fen), not {value!r}")
    if isinstance(value, str):
        stripped = value.strip()
        if not _WHOLE_NUMBER.fullmatch(stripped):
            raise RowError(f"{name} must be a whole number of minor units (fen), not {value!r}")
        value = int(stripped)
    if not isinstance(value, int):
        raise RowError(f"{name} must be a whole number of minor units (fen)")
    if abs(value) > MAX_AMOUNT:
        raise RowError(f"{name} is implausibly large")
    if not signed and value < 0:
        raise RowError(f"{name} cannot be negative")
    return value


def day(raw: dict, name: str) -> date:
    value = text(raw, name, 10)
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise RowError(f"{name} must be a date like 2026-05-31, not {value!r}") from error


def moment(raw: dict, name: str) -> datetime:
    value = text(raw, name, 40)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise RowError(
            f"{name} must be a date and time like 2026-05-31T14:30:00+08:00, not {value!r}"
        ) from error
    if parsed.tzinfo is None:
        raise RowError(f"{name} needs a time zone offset, like 2026-05-31T14:30:00+08:00")
    return parsed


# --- record parsers ---------------------------------------------------------------------------


def parse_borrower(raw: dict) -> BorrowerRow:
    from portal.auth.service import normalize_phone

    id_last4 = text(raw, "id_last4", 4).upper()
    if not re.fullmatch(r"[0-9]{3}[0-9X]", id_last4):
        raise RowError("id_last4 must be the last 4 characters of the ID number (digits, X)")
    phone = normalize_phone(text(raw, "phone", 32))
    if not re.fullmatch(r"\+?\d{6,20}", phone):
        raise RowError("phone must be a phone number (digits, optional + country code)")
    email = text(raw, "email", 254, required=False)
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            raise RowError(f"email is not a valid address ({error})") from error
    time_zone = text(raw, "time_zone", 64, required=False) or DEFAULT_BUSINESS_TIME_ZONE
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RowError(f"time_zone {time_zone!r} is not a known time zone") from error
    return BorrowerRow(
        customer_ref=text(raw, "customer_ref", 64),
        full_name=text(raw, "full_name", 200),
        id_last4=id_last4,
        phone=phone,
        email=email,
        preferred_language=choice(raw, "preferred_language", LANGUAGES, default="zh_Hans"),
        time_zone=time_zone,
    )


def parse_loan(raw: dict) -> LoanRow:
    currency = text(raw, "currency", 3).upper()
    if currency not in _currencies():
        raise RowError(f"currency {currency!r} is not an ISO 4217 currency code")
    return LoanRow(
        loan_number=text(raw, "loan_number", 64).upper(),
        customer_ref=text(raw, "customer_ref", 64),
        product=text(raw, "product", 64),
        currency=currency,
        status=choice(raw, "status", LOAN_STATUSES, default="active"),
        opened_on=day(raw, "opened_on"),
    )


def parse_due_date(raw: dict) -> DueDateRow:
    return DueDateRow(
        loan_number=text(raw, "loan_number", 64).upper(),
        due_on=day(raw, "due_on"),
        principal=amount(raw, "principal"),
        interest=amount(raw, "interest"),
    )


def parse_journal(raw: dict) -> JournalRow:
    kind = choice(raw, "kind", JOURNAL_KINDS)
    if kind == "reversal":
        raise RowError("reversals are not imported; send an adjustment instead")
    change = Components(
        amount(raw, "principal", required=False, signed=True),
        amount(raw, "interest", required=False, signed=True),
        amount(raw, "fee", required=False, signed=True),
    )
    try:
        check_entry(kind, change)
    except JournalError as error:
        raise RowError(str(error)) from error
    return JournalRow(
        loan_number=text(raw, "loan_number", 64).upper(),
        reference=text(raw, "reference", 64),
        kind=kind,
        posted_at=moment(raw, "posted_at"),
        change=change,
        description=text(raw, "description", 200, required=False),
    )


def parse_contact(raw: dict) -> ContactRow:
    return ContactRow(
        loan_number=text(raw, "loan_number", 64).upper(),
        reference=text(raw, "reference", 64),
        contacted_at=moment(raw, "contacted_at"),
        channel=choice(raw, "channel", CONTACT_CHANNELS),
        party=choice(raw, "party", CONTACT_PARTIES, default="borrower"),
        agent=text(raw, "agent", 64),
        outcome=choice(raw, "outcome", CONTACT_OUTCOMES),
        note=text(raw, "note", 500, required=False),
    )


PARSERS = {
    "borrower": parse_borrower,
    "loan": parse_loan,
    "due_date": parse_due_date,
    "journal": parse_journal,
    "contact": parse_contact,
}


def parse_row(raw: dict):
    """Validate one row of any record type."""
    record = raw.get("record")
    if record not in PARSERS:
        raise RowError(f"record must be one of {', '.join(RECORD_TYPES)} (got {record!r})")
    return PARSERS[record](raw)
