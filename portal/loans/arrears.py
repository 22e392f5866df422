"""What is overdue, for how many days, and where the loan stands on the stage ladder.

Plain values only. Payments settle the oldest amounts first, so whatever a loan still owes beyond
the installments not yet due is overdue; fees fall due when they are charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.loans.journal import Components
from portal.loans.ladder import Rung


@dataclass(frozen=True)
class Installment:
    due_on: date
    principal: int
    interest: int

    @property
    def total(self) -> int:
        return self.principal + self.interest


@dataclass(frozen=True)
class Arrears:
    """A loan's overdue position on one day."""

    overdue: Components
    due_today: Components
    days_past_due: int
    oldest_unpaid_due_on: date | None

    @property
    def is_overdue(self) -> bool:
        return self.overdue.total > 0

    @property
    def due_now(self) -> int:
        """Everything to pay today to be up to date: what is overdue plus what falls due today."""
        return self.overdue.total + self.due_today.total


def _unpaid_as_of(balance: Components, schedule: list[Installment], day: date) -> Components:
    """What is owed on installments due on or before `day`, plus all fees."""
    if not any(i.due_on <= day for i in schedule):
        # Nothing has fallen due yet: whatever is owed is owed later.
        return Components(0, 0, balance.fee)
    later = [i for i in schedule if i.due_on > day]
    return Components(
        principal=max(0, balance.principal - sum(i.principal for i in later)),
        interest=max(0, balance.interest - sum(i.interest for i in later)),
        fee=balance.fee,
    )


def arrears_on(balance: Components, schedule: list[Installment], today: date) -> Arrears:
    """The overdue amounts and days past due of a loan on `today` (the borrower's local date)."""
    overdue = _unpaid_as_of(balance, schedule, today - timedelta(days=1))
    due_now = _unpaid_as_of(balance, schedule, today)
    due_today = Components(
        due_now.principal - overdue.principal, due_now.interest - overdue.interest, 0
    )
    # The unpaid part of the past installments is their newest part: walk back from the newest
    # until the overdue principal and interest are accounted for.
    remaining = overdue.principal + overdue.interest
    oldest = None
    for installment in sorted(
        (i for i in schedule if i.due_on < today), key=lambda i: i.due_on, reverse=True
    ):
        if remaining <= 0:
            break
        oldest = installment.due_on
        remaining -= installment.total
    days = (today - oldest).days if oldest else 0
    return Arrears(overdue, due_today, days, oldest)


@dataclass(frozen=True)
class LadderPosition:
    """Where a loan is on its ladder and what comes next if nothing changes."""

    rungs: tuple[Rung, ...]
    current: Rung | None
    next: Rung | None
    next_starts_on: date | None

    def state_of(self, rung: Rung) -> str:
        """'passed', 'current' or 'ahead' for drawing the ladder."""
        if self.current is None:
            return "ahead"
        if rung == self.current:
            return "current"
        if rung.min_days_past_due < self.current.min_days_past_due:
            return "passed"
        return "ahead"


def ladder_position(
    arrears: Arrears, ladder: list[Rung], today: date, *, held: bool = False, held_days: int = 0
) -> LadderPosition:
    """The current stage and the date the next one starts, for a loan's arrears.

    While escalation is `held` (a request under review, a plan in good standing) the stage
    stays and nothing is next. `held_days` are days spent on hold earlier (a plan that later
    broke): collection resumes from where it stood, so they do not count.
    """
    rungs = tuple(sorted(ladder, key=lambda r: r.min_days_past_due))
    if arrears.days_past_due > 0:
        days = max(arrears.days_past_due - held_days, 1)
    elif arrears.due_today.total > 0:
        days = 0
    else:
        return LadderPosition(rungs, None, None, None)
    current = None
    for rung in rungs:
        if days >= rung.min_days_past_due:
            current = rung
    ahead = [r for r in rungs if r.min_days_past_due > days]
    following = ahead[0] if ahead and not held else None
    starts_on = today + timedelta(days=following.min_days_past_due - days) if following else None
    return LadderPosition(rungs, current, following, starts_on)
