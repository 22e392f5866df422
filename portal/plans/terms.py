"""Hardship request terms: the rules (as data), the schedules, and what the rules refuse.

Plain values only; no Flask, no database. The same functions compute the preview the borrower
sees and the plan that is created, so the two cannot differ.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from portal.errors import DomainError

EXTENSION = "extension"
INSTALLMENT_PLAN = "installment_plan"


@dataclass(frozen=True)
class PlanRules:
    """The limits a request must keep; defaults from the product guide."""

    extension_min_days: int = 7
    extension_max_days: int = 30
    max_extensions_per_loan: int = 2
    plan_min_months: int = 3
    plan_max_months: int = 60
    min_installment_minor: int = 10_000  # 100 yuan
    first_due_within_days: int = 30
    stop_interest: bool = True
    # Requests above this amount need a second approver.
    second_approval_above_minor: int = 5_000_000
    decision_due_days: int = 5
    offer_valid_days: int = 7
    grace_days: int = 5


@dataclass(frozen=True)
class Installment:
    number: int  # 0 is a down payment
    due_on: date
    amount: int


@dataclass(frozen=True)
class Terms:
    """What a borrower asks for, or what an approver offers."""

    kind: str
    extension_days: int | None = None
    months: int | None = None
    down_payment: int = 0
    first_due_on: date | None = None


class RuleBroken(DomainError):
    """A rule a request's terms break: `code` names it, `field` is the term it concerns (if
    one does), `values` are what the message needs (amounts come with their `currency`)."""


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def plan_schedule(
    amount: int,
    months: int,
    first_due_on: date,
    *,
    down_payment: int = 0,
    starts_on: date | None = None,
) -> list[Installment]:
    """Monthly installments that add up exactly to `amount`; the remainder goes on the last.

    A down payment, if any, is installment 0, due on `starts_on` (the day the plan starts).
    """
    if months < 1:
        raise ValueError("a plan has at least one installment")
    if not 0 <= down_payment <= amount:
        raise ValueError("the down payment must be between zero and the amount")
    rest = amount - down_payment
    regular, remainder = divmod(rest, months)
    schedule = []
    if down_payment:
        schedule.append(Installment(0, starts_on or first_due_on, down_payment))
    for number in range(months):
        schedule.append(
            Installment(
                number + 1,
                add_months(first_due_on, number),
                regular + (remainder if number == months - 1 else 0),
            )
        )
    return schedule


def extension_schedule(amount: int, days: int, starts_on: date) -> list[Installment]:
    """An extension: the overdue amount falls due `days` after the day it starts."""
    return [Installment(1, starts_on + timedelta(days=days), amount)]


def schedule_for(terms: Terms, *, balance: int, overdue: int, today: date) -> list[Installment]:
    """The schedule a request's terms produce, as of `today`."""
    if terms.kind == EXTENSION:
        return extension_schedule(overdue, terms.extension_days, today)
    return plan_schedule(
        balance, terms.months, terms.first_due_on, down_payment=terms.down_payment, starts_on=today
    )


def problems(
    terms: Terms,
    rules: PlanRules,
    *,
    balance: int,
    overdue: int,
    today: date,
    extensions_used: int,
    has_open_request: bool,
    has_active_plan: bool,
    currency: str,
) -> list[RuleBroken]:
    """Every rule the request breaks; an empty list means it may be submitted."""
    found = []
    if has_open_request:
        found.append(RuleBroken("open_request"))
    if has_active_plan:
        found.append(RuleBroken("active_plan"))
    if balance <= 0:
        found.append(RuleBroken("nothing_owed"))
        return found
    if terms.kind == EXTENSION:
        days = terms.extension_days
        if days is None or not rules.extension_min_days <= days <= rules.extension_max_days:
            found.append(
                RuleBroken(
                    "extension_days",
                    "extension_days",
                    min=rules.extension_min_days,
                    max=rules.extension_max_days,
                )
            )
        if extensions_used >= rules.max_extensions_per_loan:
            found.append(RuleBroken("too_many_extensions", max=rules.max_extensions_per_loan))
        if overdue <= 0:
            found.append(RuleBroken("nothing_overdue"))
        return found
    if terms.kind != INSTALLMENT_PLAN:
        found.append(RuleBroken("unknown_kind", "kind"))
        return found
    months = terms.months
    if months is None or not rules.plan_min_months <= months <= rules.plan_max_months:
        found.append(
            RuleBroken("months", "months", min=rules.plan_min_months, max=rules.plan_max_months)
        )
        months = None
    latest = today + timedelta(days=rules.first_due_within_days)
    if terms.first_due_on is None or not today < terms.first_due_on <= latest:
        found.append(
            RuleBroken(
                "first_due_on", "first_due_on", days=rules.first_due_within_days, latest=latest
            )
        )
    if not 0 <= terms.down_payment < balance:
        found.append(RuleBroken("down_payment", "down_payment", balance=balance, currency=currency))
    elif months is not None:
        regular = (balance - terms.down_payment) // months
        if regular < rules.min_installment_minor:
            most = max((balance - terms.down_payment) // rules.min_installment_minor, 0)
            found.append(
                RuleBroken(
                    "installment_too_small",
                    "months",
                    minimum=rules.min_installment_minor,
                    most_months=most,
                    currency=currency,
                )
            )
    return found


# What an administrator may set (days, counts, months; amounts in minor units).
RULE_LIMITS = {
    "extension_min_days": (1, 180),
    "extension_max_days": (1, 180),
    "max_extensions_per_loan": (0, 12),
    "plan_min_months": (1, 60),
    "plan_max_months": (1, 60),
    "min_installment_minor": (0, 100_000_000),
    "first_due_within_days": (1, 90),
    "second_approval_above_minor": (0, 10_000_000_000),
    "decision_due_days": (1, 30),
    "offer_valid_days": (1, 30),
    "grace_days": (0, 30),
}


def plan_rule_problems(rules: PlanRules) -> list[tuple[str, str, dict]]:
    """What is wrong with a proposed plan rule set: (code, field, values) for each problem."""
    problems = []
    for field, (low, high) in RULE_LIMITS.items():
        if not low <= getattr(rules, field) <= high:
            if field.endswith("_minor"):  # entered in whole yuan
                field, low, high = field.removesuffix("_minor"), low // 100, high // 100
            problems.append(("out_of_range", field, {"low": low, "high": high}))
    if not problems and rules.extension_min_days > rules.extension_max_days:
        problems.append(("shortest_above_longest", "extension_max_days", {}))
    if not problems and rules.plan_min_months > rules.plan_max_months:
        problems.append(("shortest_above_longest", "plan_max_months", {}))
    return problems
