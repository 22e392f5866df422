"""Loan operations: posting to the journal and keeping the balance equal to it."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import sqlalchemy as sa

from portal import clock, rows
from portal.columns import UTCDateTime
from portal.extensions import db, read_columns, row_type
from portal.loans.contact_rules import (
    BEGINNING,
    Contact,
    ContactPreferences,
    ContactRules,
    RuleBook,
    check_contacts,
    rule_book,
)
from portal.loans.journal import Components, JournalError, apply_entry
from portal.loans.ladder import DEFAULT_LADDER, Rung
from portal.loans.models import (
    Borrower,
    CollectionStage,
    ContactLogEntry,
    ContactPreference,
    ContactRuleSet,
    JournalEntry,
    Loan,
    LoanDueDate,
)
from portal.loans.standing import ScheduledPayment, Standing, standing

__all__ = [
    "JournalError",
    "ensure_loan_reference_data",
    "journal_balance",
    "loan_balance",
    "post_entry",
    "reverse_entry",
]


def loan_balance(loan: Loan) -> Components:
    """The balance held on the loan row."""
    return loan.balance


def _lock_loan(loan_id: int) -> Loan:
    # The row lock serialises postings to one loan across workers on PostgreSQL.
    loan = rows.locked(Loan, loan_id)
    if loan is None:
        raise JournalError("no such loan")
    return loan


def post_entry(
    loan_id: int,
    kind: str,
    change: Components,
    *,
    posted_at: datetime | None = None,
    reference: str | None = None,
    description: str | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Add one entry to a loan's journal and move its balance by the same amount."""
    loan = _lock_loan(loan_id)
    after = apply_entry(loan_balance(loan), kind, change)
    entry = JournalEntry(
        loan_id=loan.id,
        kind=kind,
        principal_minor=change.principal,
        interest_minor=change.interest,
        fee_minor=change.fee,
        posted_at=posted_at or clock.now(),
        reference=reference,
        description=description,
        reverses_entry_id=reverses.id if reverses else None,
    )
    db.session.add(entry)
    loan.principal_minor, loan.interest_minor, loan.fee_minor = (
        after.principal,
        after.interest,
        after.fee,
    )
    db.session.flush()
    return entry


def reverse_entry(entry: JournalEntry, *, reference: str | None = None) -> JournalEntry:
    """Undo an entry with an opposite one; the original stays in the journal."""
    if entry.kind == "reversal":
        raise JournalError("a reversal cannot itself be reversed")
    already = db.session.scalar(
        sa.select(JournalEntry.id).where(JournalEntry.reverses_entry_id == entry.id)
    )
    if already is not None:
        raise JournalError("this entry has already been reversed")
    change = -Components(entry.principal_minor, entry.interest_minor, entry.fee_minor)
    return post_entry(entry.loan_id, "reversal", change, reference=reference, reverses=entry)


def journal_balance(loan_id: int) -> Components:
    """Sum a loan's journal in the database."""
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(JournalEntry.principal_minor), 0),
            sa.func.coalesce(sa.func.sum(JournalEntry.interest_minor), 0),
            sa.func.coalesce(sa.func.sum(JournalEntry.fee_minor), 0),
        ).where(JournalEntry.loan_id == loan_id)
    ).one()
    return Components(int(row[0]), int(row[1]), int(row[2]))


def ensure_loan_reference_data() -> None:
    """Create the default stage ladder and contact rules if the database lacks them."""
    exists = db.session.scalar(
        sa.select(CollectionStage.id).where(CollectionStage.ladder == "default").limit(1)
    )
    if exists is None:
        for position, (code, min_dpd) in enumerate(DEFAULT_LADDER, start=1):
            db.session.add(
                CollectionStage(
                    ladder="default",
                    effective_from=BEGINNING,
                    code=code,
                    position=position,
                    min_days_past_due=min_dpd,
                )
            )
    rules = db.session.scalar(sa.select(ContactRuleSet.id).where(ContactRuleSet.name == "default"))
    if rules is None:
        defaults = ContactRules()
        db.session.add(
            ContactRuleSet(
                name="default",
                effective_from=BEGINNING,
                quiet_from=defaults.quiet_from,
                quiet_until=defaults.quiet_until,
                max_answered_calls_per_day=defaults.max_answered_calls_per_day,
                max_unanswered_calls_per_day=defaults.max_unanswered_calls_per_day,
                reachable_within_days=defaults.reachable_within_days,
            )
        )
    db.session.flush()


@sa.event.listens_for(JournalEntry, "before_update")
def _journal_is_immutable(mapper, connection, target):
    raise JournalError("journal entries are immutable; post a reversal or an adjustment")


@sa.event.listens_for(JournalEntry, "before_delete")
def _journal_is_append_only(mapper, connection, target):
    raise JournalError("journal entries cannot be deleted; post a reversal")


# --- reading a borrower's ledger ------------------------------------------------------


def contact_rules(name: str = "default", at: datetime | None = None) -> ContactRules:
    """The contact rules in force at `at` (now by default), or the built-in defaults."""
    return _rules_of(
        db.session.scalar(
            sa.select(ContactRuleSet)
            .where(
                ContactRuleSet.name == name, ContactRuleSet.effective_from <= (at or clock.now())
            )
            .order_by(ContactRuleSet.effective_from.desc())
            .limit(1)
        )
    )


def contact_rule_book(name: str = "default") -> RuleBook:
    """Every version of a contact rule set with the time it took (or takes) effect."""
    rows = db.session.scalars(sa.select(ContactRuleSet).where(ContactRuleSet.name == name))
    return rule_book((row.effective_from, _rules_of(row)) for row in rows)


def _rules_of(row: ContactRuleSet | None) -> ContactRules:
    if row is None:
        return ContactRules()
    return ContactRules(
        quiet_from=row.quiet_from,
        quiet_until=row.quiet_until,
        max_answered_calls_per_day=row.max_answered_calls_per_day,
        max_unanswered_calls_per_day=row.max_unanswered_calls_per_day,
        reachable_within_days=row.reachable_within_days,
    )


@cache  # built once, the moment bound at each run: every account page reads the ladders
def _ladders_query():
    stage = CollectionStage.__table__.c
    return (
        sa.select(stage.ladder, stage.effective_from, stage.code, stage.min_days_past_due)
        .where(stage.effective_from <= sa.bindparam("at", type_=UTCDateTime()))
        .order_by(stage.position)
    )


def ladders(at: datetime | None = None) -> dict[str, list[Rung]]:
    """Every stage ladder in force at `at` (now by default) by name (a product's own, and
    "default"): for each ladder, the rungs of its newest version that took effect by then."""
    versions: dict[str, dict[datetime, list[Rung]]] = defaultdict(lambda: defaultdict(list))
    for ladder, effective_from, code, min_days in read_columns(
        _ladders_query(), {"at": at or clock.now()}
    ):
        versions[ladder][effective_from].append(Rung(code, min_days))
    return {name: by_time[max(by_time)] for name, by_time in versions.items()}


def ladder_for(loan: Loan, ladders) -> list[Rung]:
    """The loan's product's ladder, else the default one."""
    return ladders.get(loan.product) or ladders.get("default", [])


def preferences_of(row: ContactPreference | None) -> ContactPreferences | None:
    """A stored preferences row as the contact checks read it."""
    if row is None:
        return None
    return ContactPreferences(
        set_at=row.set_at,
        channels=row.channel_codes,
        earliest=row.earliest,
        latest=row.latest,
        barred_parties=row.barred_party_codes,
        representative_name=row.representative_name,
        representative_phone=row.representative_phone,
    )


@dataclass
class JudgedContacts:
    """A borrower's contacts, newest first, with what they are judged by: the contact rules
    and, for each contact, the borrower's preferences in force when it was made."""

    contacts: list[ContactRow]  # ContactLogEntry's columns, read-only
    rules: RuleBook
    preferences: dict[int, ContactPreferences]


# Built once, their values bound at each run: a borrower's every page lists contacts. The
# contacts come back as plain rows of their columns, not tracked objects: pages only read
# them, and a long contact log is the largest part of a borrower's pages.
@cache
def _contacts_query():
    contact, loan = ContactLogEntry.__table__.c, Loan.__table__.c
    return (
        sa.select(*contact)
        .where(contact.loan_id == loan.id, loan.borrower_id == sa.bindparam("borrower_id"))
        .order_by(contact.contacted_at.desc(), contact.id.desc())
    )


@cache
def _rule_sets_query():
    return (
        sa.select(ContactRuleSet)
        .where(ContactRuleSet.name == sa.bindparam("rule_set"))
        .order_by(ContactRuleSet.effective_from)
    )


@cache
def _preferences_query():
    return (
        sa.select(ContactPreference)
        .where(ContactPreference.borrower_id == sa.bindparam("borrower_id"))
        .order_by(ContactPreference.set_at, ContactPreference.id)
    )


# A contact as pages read it: its columns, read-only.
ContactRow = row_type(ContactLogEntry)


def judged_contacts(borrower_id: int, name: str = "default") -> JudgedContacts:
    """Every contact on the borrower's loans, newest first, with the contact rules and the
    preferences each is judged by, in three statements (pages that list contacts need all)."""
    contacts = list(
        map(ContactRow._make, read_columns(_contacts_query(), {"borrower_id": borrower_id}))
    )
    versions = db.session.scalars(_rule_sets_query(), {"rule_set": name})
    book = rule_book((row.effective_from, _rules_of(row)) for row in versions)
    # Each contact is judged by the newest preferences set by the time it was made.
    changes = db.session.scalars(_preferences_query(), {"borrower_id": borrower_id}).all()
    set_at = [change.set_at for change in changes]
    in_force = [preferences_of(change) for change in changes]
    preferences = {}
    for contact in contacts:
        newest = bisect_right(set_at, contact.contacted_at)
        if newest:
            preferences[contact.id] = in_force[newest - 1]
    return JudgedContacts(contacts, book, preferences)


def marked(
    contacts: list[ContactRow],
    borrower: Borrower,
    rules: ContactRules | RuleBook | None = None,
    preferences: dict[int, ContactPreferences] | None = None,
) -> dict[int, list[str]]:
    """The rules each contact breaks (by contact id), checked in the borrower's time zone, each
    contact by the rules and the borrower's own preferences in force when it happened."""
    preferences = preferences or {}
    plain = [
        Contact(c.id, c.contacted_at, c.channel, c.party, c.outcome, preferences.get(c.id))
        for c in contacts
    ]
    return check_contacts(plain, rules or contact_rule_book(), clock.zone_of(borrower).key)


def judged_marks(judged: JudgedContacts, borrower: Borrower) -> dict[int, list[str]]:
    """The rules and preferences each of the judged contacts breaks (by contact id)."""
    return marked(judged.contacts, borrower, judged.rules, judged.preferences)


def contract_standing(loan: Loan, today: date) -> Standing:
    """The loan's standing on its contract schedule alone (no plan in force).

    For deciding on a request, which is refused while a plan is active; pages and payments read
    the whole account (account/service.py), where an accepted plan replaces the contract.
    """
    due_dates = db.session.scalars(
        sa.select(LoanDueDate).where(LoanDueDate.loan_id == loan.id).order_by(LoanDueDate.due_on)
    )
    schedule = [ScheduledPayment(d.due_on, d.principal_minor, d.interest_minor) for d in due_dates]
    ladder = ladder_for(loan, ladders())
    return standing(loan.balance, schedule, today, ladder, held_days=loan.held_days)


def contact_judgement(
    borrower: Borrower, contact_id: int
) -> tuple[list[str], ContactPreferences | None]:
    """What one of the borrower's contacts breaks (checked among all of theirs), and the
    borrower's preferences in force when it was made."""
    judged = judged_contacts(borrower.id)
    return judged_marks(judged, borrower).get(contact_id, []), judged.preferences.get(contact_id)


def contact_marks(borrower: Borrower, contact_id: int) -> list[str]:
    """The contact rules one of the borrower's contacts breaks (checked among all of theirs)."""
    return contact_judgement(borrower, contact_id)[0]


def marked_contacts(borrower: Borrower) -> list[tuple[ContactRow, list[str]]]:
    """Every contact of the borrower that breaks a rule, newest first, with the rules."""
    judged = judged_contacts(borrower.id)
    marks = judged_marks(judged, borrower)
    return [(c, marks[c.id]) for c in judged.contacts if c.id in marks]
