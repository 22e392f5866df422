"""Rules as data, changed by administrators: validated, previewed, effective-dated, audited.

A change never rewrites the past: it is a new version of the rule set with the time it takes
effect (now or later), and everything that happened before keeps the rules in force then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal import audit, clock
from portal.errors import DomainError
from portal.extensions import db
from portal.loans.contact_rules import Contact, ContactRules, check_contacts, rule_problems
from portal.loans.models import Borrower, ContactLogEntry, ContactRuleSet, Loan
from portal.loans.service import contact_rules

RULE_SET = "default"
# The preview judges the contacts of this many past days by the current and proposed rules.
PREVIEW_DAYS = 30
# How far ahead a change may be scheduled, and how much lateness "now" tolerates (the time
# between the preview and the confirmation).
FURTHEST_AHEAD = timedelta(days=366)
LATENESS = timedelta(minutes=1)
RULE_FIELDS = [f.name for f in fields(ContactRules)]


class RuleChangeRefused(DomainError):
    """A proposed rule change the rules for rules do not allow."""


@dataclass
class ContactRulesPreview:
    effective_from: datetime | None  # None: as soon as it is confirmed
    changes: dict[str, tuple[object, object]]  # field -> (in force then, proposed)
    contacts_judged: int  # contacts of the last PREVIEW_DAYS days
    marked_now: int  # of those, marked by the rules they were judged by
    marked_if_new: int  # marked had the proposed rules been in force
    newly_marked: int
    no_longer_marked: int


def check_change(proposed: ContactRules, effective_from: datetime | None) -> datetime:
    """Refuse an invalid rule set or effect time; return the time the change takes effect."""
    for code, field, values in rule_problems(proposed):
        raise RuleChangeRefused(code, field=field, **values)
    now = clock.now()
    if effective_from is None:
        return now
    if effective_from < now - LATENESS:
        raise RuleChangeRefused("effective_in_past", field="effective_from")
    if effective_from > now + FURTHEST_AHEAD:
        raise RuleChangeRefused("effective_too_late", field="effective_from")
    return effective_from


def _changes(before: ContactRules, after: ContactRules) -> dict[str, tuple[object, object]]:
    old, new = asdict(before), asdict(after)
    return {f: (old[f], new[f]) for f in RULE_FIELDS if old[f] != new[f]}


def preview_contact_rules(
    proposed: ContactRules, effective_from: datetime | None
) -> ContactRulesPreview:
    """What a change would do: the values that change, and how the contacts of the last
    PREVIEW_DAYS days would have been marked under the proposed rules instead of the current
    ones (an illustration only: those contacts keep the rules in force when they happened)."""
    starts = check_change(proposed, effective_from)
    current = contact_rules(RULE_SET, at=starts)
    rows = db.session.execute(
        sa.select(ContactLogEntry, Borrower.id, Borrower.time_zone)
        .join(Loan, ContactLogEntry.loan_id == Loan.id)
        .join(Borrower, Loan.borrower_id == Borrower.id)
        .where(ContactLogEntry.contacted_at >= clock.now() - timedelta(days=PREVIEW_DAYS))
    ).all()
    by_borrower: dict[int, list[Contact]] = defaultdict(list)
    zones: dict[int, str] = {}
    for entry, borrower_id, time_zone in rows:
        by_borrower[borrower_id].append(
            Contact(entry.id, entry.contacted_at, entry.channel, entry.party, entry.outcome)
        )
        zones[borrower_id] = clock.zone(time_zone).key
    marked_now: set[int] = set()
    marked_if_new: set[int] = set()
    for borrower_id, contacts in by_borrower.items():
        marked_now |= check_contacts(contacts, current, zones[borrower_id]).keys()
        marked_if_new |= check_contacts(contacts, proposed, zones[borrower_id]).keys()
    return ContactRulesPreview(
        effective_from=effective_from,
        changes=_changes(current, proposed),
        contacts_judged=len(rows),
        marked_now=len(marked_now),
        marked_if_new=len(marked_if_new),
        newly_marked=len(marked_if_new - marked_now),
        no_longer_marked=len(marked_now - marked_if_new),
    )


def schedule_contact_rules(
    proposed: ContactRules, effective_from: datetime | None
) -> ContactRuleSet:
    """Add a version of the contact rules that takes effect at `effective_from` (or now)."""
    starts = check_change(proposed, effective_from)
    taken = db.session.scalar(
        sa.select(ContactRuleSet.id).where(
            ContactRuleSet.name == RULE_SET, ContactRuleSet.effective_from == starts
        )
    )
    if taken is not None:
        raise RuleChangeRefused("effective_taken", field="effective_from")
    before = contact_rules(RULE_SET, at=starts)
    changes = _changes(before, proposed)
    if not changes:
        raise RuleChangeRefused("nothing_changes")
    version = ContactRuleSet(name=RULE_SET, effective_from=starts, **asdict(proposed))
    db.session.add(version)
    db.session.flush()
    audit.record(
        "rules.contact_rules_changed",
        subject_type="contact_rule_set",
        subject_id=version.id,
        details={
            "rule_set": RULE_SET,
            "effective_from": starts.isoformat(),
            "changes": {f: [str(old), str(new)] for f, (old, new) in changes.items()},
        },
    )
    return version


def contact_rule_versions() -> list[ContactRuleSet]:
    """Every version of the contact rules, newest effect time first."""
    return list(
        db.session.scalars(
            sa.select(ContactRuleSet)
            .where(ContactRuleSet.name == RULE_SET)
            .order_by(ContactRuleSet.effective_from.desc())
        )
    )
