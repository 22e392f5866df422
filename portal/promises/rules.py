"""The rules of a promise to pay, as plain functions over plain values.

A promise is for at least what the account asks for next (the overdue amount, or the next
installment of the schedule in force) and at most the balance, by a day from today up to
`max_days` ahead; a loan takes at most `max_promises` promises in any `period_days`. A standing
promise is kept once the payments since it reach its amount, and broken the day after its date
if they do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.errors import DomainError
from portal.promises import lifecycle


@dataclass(frozen=True)
class PromiseRules:
    """Limits on promises (the "default" set, or one per loan product)."""

    max_days: int = 7
    max_promises: int = 2
    period_days: int = 30


RULE_FIELDS = ("max_days", "max_promises", "period_days")


class PromiseRefused(DomainError):
    """The promise cannot be made; `code` says why."""


def check_promise(
    *,
    amount: int,
    due_on: date,
    today: date,
    minimum: int | None,
    balance: int,
    made_in_period: int,
    standing: bool,
    held: bool = False,
    rules: PromiseRules,
) -> None:
    """Refuse a promise the rules do not allow, with the first reason that applies.

    `minimum` is what the account asks for next (None when nothing is owed), `made_in_period`
    how many promises the loan took in the last `period_days` days, `standing` whether one
    still stands, `held` whether something else (a request, a dispute) already holds escalation.
    """
    if minimum is None or balance <= 0:
        raise PromiseRefused("nothing_owed")
    if standing:
        raise PromiseRefused("already_standing")
    if held:
        raise PromiseRefused("on_hold")
    if made_in_period >= rules.max_promises:
        raise PromiseRefused("too_many", count=rules.max_promises, days=rules.period_days)
    if amount < min(minimum, balance):
        raise PromiseRefused("too_small", field="amount", minimum=min(minimum, balance))
    if amount > balance:
        raise PromiseRefused("too_large", field="amount", maximum=balance)
    if due_on < today:
        raise PromiseRefused("date_past", field="due_on")
    if due_on > today + timedelta(days=rules.max_days):
        raise PromiseRefused("too_far", field="due_on", days=rules.max_days)


def period_start(today: date, rules: PromiseRules) -> date:
    """The first day of the period whose promises count against the limit."""
    return today - timedelta(days=rules.period_days - 1)


def outcome(*, amount: int, paid_since: int, due_on: date, today: date) -> str | None:
    """What happens to a standing promise on `today`: 'keep', 'break' or None (it stands)."""
    if paid_since >= amount:
        return lifecycle.KEEP
    if today > due_on:
        return lifecycle.BREAK
    return None


def held_days(*, made_on: date, due_on: date, today: date, excluded=()) -> int:
    """The days a promise has held escalation by `today`: from the day it was made through its
    date, and no more once the date has passed.

    `excluded` are (first day, day after the last or None while open) of disputes on the loan:
    their days are counted as held by the dispute, so never twice.
    """
    end = min(today, due_on + timedelta(days=1))
    days = 0
    day = made_on
    while day < end:
        if not any(start <= day and (stop is None or day < stop) for start, stop in excluded):
            days += 1
        day += timedelta(days=1)
    return days
