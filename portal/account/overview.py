"""What a borrower's dashboard and loan page show, loaded in a fixed number of queries.

Both read the one account model (account/service.py); every lookup is scoped to one borrower, so
another borrower's loan is simply not found.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa

from portal import clock
from portal.account.service import Account, accounts
from portal.extensions import read_columns, row_type
from portal.loans import service as ledger
from portal.loans.contact_rules import ContactPreferences, ContactRules
from portal.loans.journal import PORTAL_DESCRIPTIONS, Components, entry_wording
from portal.loans.models import Borrower, JournalEntry
from portal.loans.standing import Standing

LATEST_CONTACTS = 3

# A journal entry as the loan page reads it: its columns, read-only.
EntryRow = row_type(JournalEntry)


@dataclass
class ContactView:
    entry: ledger.ContactRow
    breaches: list[str]
    # The borrower's own preferences in force when the contact was made, if any.
    preferences: ContactPreferences | None = None
    # The contact rules in force when the contact happened (what its marks refer to).
    rules: ContactRules | None = None


@dataclass
class LoanOverview:
    """One loan as the borrower sees it: its account and its latest (or all) contacts."""

    account: Account
    contacts: list[ContactView] = field(default_factory=list)
    # How many of the loan's contacts (all of them, not only those listed) break a rule.
    breaches_on_loan: int = 0

    @property
    def loan(self):
        return self.account.loan

    @property
    def standing(self) -> Standing:
        return self.account.standing

    @property
    def balance(self) -> Components:
        return self.account.standing.balance

    @property
    def open_request(self):
        return self.account.open_request

    @property
    def plan(self):
        return self.account.plan if self.account.standing.plan_in_force else None

    @property
    def on_hold(self) -> bool:
        return self.account.on_hold

    @property
    def is_current(self) -> bool:
        """Nothing is overdue and no plan replaced the contract: what reached the borrower are
        notices, not collection contacts."""
        return not self.standing.is_overdue and not self.standing.plan_in_force

    @property
    def pay_now(self) -> int:
        """What the next action asks to pay by today (nothing if it falls due later)."""
        action = self.standing.next_action
        return action.amount if action and action.due_on <= self.standing.today else 0

    @property
    def may_ask_for_plan(self) -> bool:
        """Something is owed and nothing already holds escalation (such as an open request)."""
        return not self.on_hold and self.balance.total > 0

    @property
    def may_promise(self) -> bool:
        return not self.on_hold and self.standing.next_action is not None


@dataclass
class JournalLine:
    entry: EntryRow
    change: Components
    balance_after: Components
    # The lender's own description of the entry, if it gave one.
    description: str | None = None
    # What the entry did (loans.journal.entry_wording), for when there is no description.
    wording: str = "charge"


@dataclass
class LoanDetail:
    overview: LoanOverview
    journal: list[JournalLine]
    rules: ContactRules


@dataclass(frozen=True)
class Total:
    """What the borrower's loans in one currency add up to."""

    currency: str
    loans: int
    pay_now: int
    outstanding: int


@dataclass
class Dashboard:
    overviews: list[LoanOverview]
    rules: ContactRules

    @property
    def totals(self) -> list[Total]:
        """Per currency, in the order of the loans: what to pay now and what is outstanding."""
        found: dict[str, Total] = {}
        for view in self.overviews:
            before = found.get(view.loan.currency, Total(view.loan.currency, 0, 0, 0))
            found[view.loan.currency] = Total(
                before.currency,
                before.loans + 1,
                before.pay_now + view.pay_now,
                before.outstanding + view.balance.total,
            )
        return list(found.values())


def _contacts_by_loan(borrower: Borrower, limit: int | None, loan_id: int | None = None):
    """Each loan's contacts (newest first, at most `limit`; only those of `loan_id` if given)
    with their rule marks, and the rules and the borrower's preferences each was judged by; how
    many of each loan's contacts break a rule (checked over all the borrower's contacts, as the
    daily limits count them); and the rules in force now."""
    judged = ledger.judged_contacts(borrower.id)
    breaches = ledger.judged_marks(judged, borrower)
    listed: dict[int, list[ContactView]] = defaultdict(list)
    totals: Counter = Counter()
    for contact in judged.contacts:
        if loan_id is not None and contact.loan_id != loan_id:
            continue
        if limit is None or len(listed[contact.loan_id]) < limit:
            listed[contact.loan_id].append(
                ContactView(
                    contact,
                    breaches.get(contact.id, []),
                    judged.preferences.get(contact.id),
                    judged.rules.in_force(contact.contacted_at),
                )
            )
        if contact.id in breaches:
            totals[contact.loan_id] += 1
    return listed, totals, judged.rules.in_force(clock.now())


def dashboard(borrower: Borrower, now: datetime | None = None) -> Dashboard:
    """One overview per loan of the borrower, with its latest contacts."""
    listed, totals, rules = _contacts_by_loan(borrower, LATEST_CONTACTS)
    overviews = [
        LoanOverview(found, listed[found.loan.id], totals[found.loan.id])
        for found in accounts(borrower, now=now)
    ]
    return Dashboard(overviews, rules)


@cache  # built once, the loan bound at each run
def _journal_query():
    entry = JournalEntry.__table__.c
    return (
        sa.select(*entry)
        .where(entry.loan_id == sa.bindparam("loan_id"))
        .order_by(entry.posted_at, entry.id)
    )


def loan_detail(borrower: Borrower, loan_id: int, now: datetime | None = None) -> LoanDetail | None:
    """A borrower's own loan with its journal and full contact log; None if not theirs."""
    found = accounts(borrower, loan_id=loan_id, now=now)
    if not found:
        return None
    listed, totals, rules = _contacts_by_loan(borrower, None, loan_id)
    overview = LoanOverview(found[0], listed[loan_id], totals[loan_id])
    entries = map(EntryRow._make, read_columns(_journal_query(), {"loan_id": loan_id}))
    running = Components()
    journal = []
    kinds = {}
    for entry in entries:
        kinds[entry.id] = entry.kind
        change = Components(entry.principal_minor, entry.interest_minor, entry.fee_minor)
        running = running + change
        lenders = (entry.description or "").strip()
        lenders = lenders if lenders not in PORTAL_DESCRIPTIONS else ""
        wording = entry_wording(entry.kind, change, kinds.get(entry.reverses_entry_id))
        journal.append(JournalLine(entry, change, running, lenders or None, wording))
    return LoanDetail(overview=overview, journal=journal, rules=rules)
