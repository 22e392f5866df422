"""The borrower's settings: their language and their contact preferences.

Contact preferences are history: every change adds a row in force from its time on, and is
audited, so each contact is judged by what the borrower had asked when it was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

import sqlalchemy as sa

from portal import audit, clock
from portal.auth import service as accounts
from portal.auth.models import User
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.loans.contact_rules import PREFERABLE_CHANNELS, PREFERABLE_PARTIES
from portal.loans.models import Borrower, ContactPreference
from portal.loans.service import contact_rules


class SettingsRefused(DomainError):
    """A setting cannot be saved as given (account/labels.MESSAGES)."""


@dataclass(frozen=True)
class PreferencesChange:
    """What the borrower asks of collectors, as typed on the settings page."""

    channels: frozenset[str]
    earliest: time | None = None
    latest: time | None = None
    barred_parties: frozenset[str] = frozenset()
    representative_name: str = ""
    representative_phone: str = ""


def current_preferences(borrower_id: int) -> ContactPreference | None:
    """The borrower's preferences in force now (the latest row), or None if never set."""
    return db.session.scalar(
        sa.select(ContactPreference)
        .where(
            ContactPreference.borrower_id == borrower_id,
            ContactPreference.set_at <= clock.now(),
        )
        .order_by(ContactPreference.set_at.desc(), ContactPreference.id.desc())
        .limit(1)
    )


def preference_history(borrower_id: int) -> list[ContactPreference]:
    """Every preferences row of the borrower, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ContactPreference)
            .where(ContactPreference.borrower_id == borrower_id)
            .order_by(ContactPreference.set_at, ContactPreference.id)
        )
    )


def _checked(change: PreferencesChange) -> PreferencesChange:
    if not change.channels:
        raise SettingsRefused("no_channel", field="channels")
    if not change.channels <= set(PREFERABLE_CHANNELS):
        raise SettingsRefused("unknown_channel", field="channels")
    if not change.barred_parties <= set(PREFERABLE_PARTIES):
        raise SettingsRefused("unknown_party", field="barred_parties")
    rules = contact_rules()
    legal_start, legal_end = rules.quiet_until, rules.quiet_from
    for name in ("earliest", "latest"):
        hour = getattr(change, name)
        if hour is not None and not legal_start <= hour <= legal_end:
            raise SettingsRefused(
                "hours_outside_law",
                field=name,
                start=legal_start.strftime("%H:%M"),
                end=legal_end.strftime("%H:%M"),
            )
    if change.earliest and change.latest and change.earliest >= change.latest:
        raise SettingsRefused("hours_reversed", field="latest")
    name = change.representative_name.strip()
    phone = accounts.normalize_phone(change.representative_phone or "")
    if bool(name) != bool(phone):
        field = "representative_phone" if name else "representative_name"
        raise SettingsRefused("representative_incomplete", field=field)
    if phone and not re.fullmatch(r"\+?\d{5,20}", phone):
        raise SettingsRefused("representative_phone", field="representative_phone")
    return PreferencesChange(
        change.channels, change.earliest, change.latest, change.barred_parties, name, phone
    )


def _codes(values) -> str:
    return ",".join(sorted(values))


def _as_change(row: ContactPreference) -> PreferencesChange:
    return PreferencesChange(
        row.channel_codes,
        row.earliest,
        row.latest,
        row.barred_party_codes,
        row.representative_name or "",
        row.representative_phone or "",
    )


def set_contact_preferences(
    borrower: Borrower, user_id: int, change: PreferencesChange
) -> ContactPreference | None:
    """Record the borrower's new contact preferences, in force from now; None when they are
    the ones already in force (nothing is recorded)."""
    change = _checked(change)
    current = current_preferences(borrower.id)
    if current is not None and _as_change(current) == change:
        return None
    row = ContactPreference(
        borrower_id=borrower.id,
        set_at=clock.now(),
        set_by_user_id=user_id,
        channels=_codes(change.channels),
        barred_parties=_codes(change.barred_parties),
        earliest=change.earliest,
        latest=change.latest,
        representative_name=change.representative_name or None,
        representative_phone=change.representative_phone or None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "account.contact_preferences_changed",
        subject_type="contact_preferences",
        subject_id=row.id,
        borrower_id=borrower.id,
        actor_user_id=user_id,
        details=preferences_record(row),
    )
    db.session.flush()
    return row


def preferences_record(row: ContactPreference) -> dict:
    """One preferences row as plain data (the audit log, the data export)."""
    return {
        "set_at": row.set_at.isoformat(),
        "channels_allowed": sorted(row.channel_codes),
        "earliest": row.earliest.strftime("%H:%M") if row.earliest else None,
        "latest": row.latest.strftime("%H:%M") if row.latest else None,
        "do_not_contact": sorted(row.barred_party_codes),
        "representative": {"name": row.representative_name, "phone": row.representative_phone}
        if row.representative_name
        else None,
    }


def set_language(user: User, language: str) -> None:
    """The language the person reads: pages, and every message the portal sends them."""
    if language not in LANGUAGES:
        raise SettingsRefused("unknown_language", field="language")
    accounts.save_language(user, language)
