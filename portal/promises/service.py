"""Promises to pay: make one from a loan, and let time keep or break them (the tick job).

Escalation is held while a promise stands: the account model (account/service.py) reads the
standing promise of each loan as a Hold ending on its date. Flushes only; never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal import audit, clock
from portal.account.service import Account
from portal.account.service import account as account_of
from portal.disputes.models import Dispute
from portal.extensions import db
from portal.loans.models import Borrower, JournalEntry, Loan
from portal.promises import lifecycle, rules
from portal.promises.models import Promise, PromiseRuleSet
from portal.promises.rules import RULE_FIELDS, PromiseRefused, PromiseRules

SUBJECT = "promise"
# The rule sets held before they were effective-dated have been in force since then.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def ensure_promise_rules() -> None:
    """The default promise rules, if missing."""
    found = db.session.scalar(sa.select(PromiseRuleSet.id).where(PromiseRuleSet.name == "default"))
    if found is None:
        defaults = PromiseRules()
        db.session.add(
            PromiseRuleSet(
                name="default",
                effective_from=BEGINNING,
                **{f: getattr(defaults, f) for f in RULE_FIELDS},
            )
        )
        db.session.flush()


def promise_rules(product: str | None = None, at: datetime | None = None) -> PromiseRules:
    """The rules in force at `at` (now by default) for a loan product (its own set if there
    is one, else the default)."""
    rows = {
        row.name: row
        for row in db.session.scalars(
            sa.select(PromiseRuleSet)
            .where(
                PromiseRuleSet.name.in_([product or "", "default"]),
                PromiseRuleSet.effective_from <= (at or clock.now()),
            )
            .order_by(PromiseRuleSet.effective_from)
        )
    }
    row = rows.get(product or "") or rows.get("default")
    if row is None:
        return PromiseRules()
    return PromiseRules(**{f: getattr(row, f) for f in RULE_FIELDS})


@dataclass(frozen=True)
class PromiseContext:
    """What the promise form needs: the account, the rules, and the smallest amount and the
    latest day a promise may name."""

    account: Account
    rules: PromiseRules
    made_in_period: int

    @property
    def loan(self) -> Loan:
        return self.account.loan

    @property
    def minimum(self) -> int | None:
        action = self.account.standing.next_action
        return min(action.amount, self.balance) if action is not None else None

    @property
    def balance(self) -> int:
        return self.account.standing.owed

    @property
    def today(self) -> date:
        return self.account.standing.today

    @property
    def latest_day(self) -> date:
        return self.today + timedelta(days=self.rules.max_days)

    def check(self, amount: int, due_on: date) -> None:
        rules.check_promise(
            amount=amount,
            due_on=due_on,
            today=self.today,
            minimum=self.minimum,
            balance=self.balance,
            made_in_period=self.made_in_period,
            standing=self.account.promise is not None,
            held=self.account.on_hold,
            rules=self.rules,
        )

    def blocking_problem(self) -> PromiseRefused | None:
        """Why no promise at all can be made on this loan now, if so."""
        try:
            self.check(self.minimum or 0, self.today)
        except PromiseRefused as refusal:
            return refusal if refusal.field is None else None
        return None


def promise_context(borrower: Borrower, loan_id: int, *, lock: bool = False):
    """The borrower's own loan ready for a promise; None if it is not theirs."""
    found = account_of(borrower, loan_id, lock=lock)
    if found is None:
        return None
    promise_rule_set = promise_rules(found.loan.product)
    since = rules.period_start(found.standing.today, promise_rule_set)
    made = db.session.scalar(
        sa.select(sa.func.count(Promise.id)).where(
            Promise.loan_id == loan_id, Promise.made_on >= since
        )
    )
    return PromiseContext(found, promise_rule_set, made or 0)


def make_promise(borrower: Borrower, loan_id: int, amount: int, due_on: date) -> Promise:
    """Promise to pay `amount` on the loan by `due_on`; PromiseRefused if the rules say no."""
    context = promise_context(borrower, loan_id, lock=True)
    if context is None:
        raise PromiseRefused("not_found")
    context.check(amount, due_on)
    promise = Promise(
        loan_id=loan_id,
        borrower_id=borrower.id,
        standing_loan_id=loan_id,
        amount_minor=amount,
        currency=context.loan.currency,
        made_on=context.today,
        due_on=due_on,
    )
    db.session.add(promise)
    db.session.flush()
    audit.record(
        "promise.made",
        subject_type=SUBJECT,
        subject_id=promise.id,
        borrower_id=borrower.id,
        details={"amount": amount, "due_on": due_on.isoformat(), "loan_id": loan_id},
    )
    return promise


def _paid_since():
    """What was paid on the promise's loan since it was made, less refunds of it."""
    reversed_entry = aliased(JournalEntry)
    refunded_payments = sa.select(reversed_entry.id).where(reversed_entry.kind == "payment")
    entry = aliased(JournalEntry)
    return (
        sa.select(
            sa.func.coalesce(
                -sa.func.sum(entry.principal_minor + entry.interest_minor + entry.fee_minor), 0
            )
        )
        .where(
            entry.loan_id == Promise.loan_id,
            entry.posted_at >= Promise.made_at,
            sa.or_(
                entry.kind == "payment",
                sa.and_(entry.kind == "reversal", entry.reverses_entry_id.in_(refunded_payments)),
            ),
        )
        .correlate(Promise)
        .scalar_subquery()
    )


def _dispute_days(loan_id: int) -> list[tuple]:
    """The days the loan's disputes held escalation: (first day, day after the last or None
    while open)."""
    return [
        (d.opened_on, None if d.is_open else d.opened_on + timedelta(days=d.held_days))
        for d in db.session.scalars(sa.select(Dispute).where(Dispute.loan_id == loan_id))
    ]


def settle_promises(now: datetime | None = None) -> dict[str, int]:
    """Keep the standing promises whose amount has been paid and break those whose date has
    passed unpaid (on each borrower's today); a broken promise's days count as held, so
    escalation resumes from where it stood. Idempotent; flushes only (the tick commits)."""
    now = now or clock.now()
    counts = {"promises_kept": 0, "promises_broken": 0}
    found = db.session.execute(
        sa.select(Promise, _paid_since())
        .where(Promise.status == lifecycle.STANDING)
        .order_by(Promise.id)
        .with_for_update(of=Promise)
    ).all()
    for promise, paid in found:
        today = clock.today_for(promise.loan.borrower, now)
        action = rules.outcome(
            amount=promise.amount_minor,
            paid_since=max(int(paid or 0), 0),
            due_on=promise.due_on,
            today=today,
        )
        if action is None:
            continue
        promise.status = lifecycle.transition(promise.status, action)
        promise.standing_loan_id, promise.ended_at = None, now
        details = {"paid": max(int(paid or 0), 0)}
        if action == lifecycle.BREAK:
            promise.held_days = rules.held_days(
                made_on=promise.made_on,
                due_on=promise.due_on,
                today=today,
                excluded=_dispute_days(promise.loan_id),
            )
            promise.loan.held_days += promise.held_days
            details["held_days"] = promise.held_days
        audit.record(
            f"promise.{promise.status}",
            subject_type=SUBJECT,
            subject_id=promise.id,
            borrower_id=promise.borrower_id,
            details=details,
        )
        counts["promises_kept" if action == lifecycle.KEEP else "promises_broken"] += 1
    db.session.flush()
    return counts
