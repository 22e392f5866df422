"""A loan's standing on one day: what is owed, what is overdue, what to pay next, and what
collection may do now.

This is the one model of the account that every page, message and job reads. Plain values only;
no Flask, no database. "Today" is the borrower's local date, given by the caller.

How the schedule's unpaid part is found: a payment always settles the oldest amounts first, so
what a loan still owes is the newest part of its schedule. Walking the installments from the
newest to the oldest, the remaining principal and the remaining interest are each assigned up to
what the installment carries. The schedule's interest is the interest charged for each
installment (up front, as the lending system charges it).

Principal or interest owed beyond the whole schedule is "unscheduled". The walk leaves it over
after every installment is full, so it is the oldest part of the debt: it falls due with the first
installment and a payment settles it (after fees) before the installments. Only so does paying
the overdue amount always leave nothing overdue: were it due with the last installment, a payment
of the installments overdue would shrink the balance and the walk would hand what is left of the
unscheduled amount back to those installments.

While an accepted plan is active and not past its grace period, its installments are the schedule
in force: they replace the contract's due dates for what is overdue, what to pay next and how a
payment is split, and collection is held where it stood when the plan started.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from portal.loans.journal import ZERO, Components
from portal.loans.ladder import Rung

# The default order in which a payment settles the parts of what is owed.
DEFAULT_WATERFALL: tuple[str, ...] = ("fee", "interest", "principal")
_COMPONENTS = ("principal", "interest", "fee")

# The state of one installment of the schedule in force.
PAID = "paid"
PARTLY_PAID = "partly_paid"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
UPCOMING = "upcoming"

# A plan's status as recorded (the rules may already say more: see plan_is_broken).
PLAN_ACTIVE = "active"
PLAN_BROKEN = "broken"
PLAN_COMPLETED = "completed"
PLAN_STATUSES = (PLAN_ACTIVE, PLAN_BROKEN, PLAN_COMPLETED)

# What the borrower is asked to pay next.
PAY_OVERDUE = "overdue"
PAY_INSTALLMENT = "installment"
PAY_PLAN_INSTALLMENT = "plan_installment"

# The kind of hold an accepted plan in good standing puts on collection.
PLAN_HOLD = "plan"


def _check_minor_units(owner, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(owner, name)
        if type(value) is not int or value < 0:
            raise ValueError(f"{name} must be a whole, non-negative number of minor units")


def _check_waterfall(waterfall: tuple[str, ...]) -> None:
    if sorted(waterfall) != sorted(_COMPONENTS):
        raise ValueError("the waterfall must name fee, interest and principal once each")


def _owed(balance: Components) -> Components:
    """The balance with nothing below zero: what can be overdue or paid off."""
    return Components(max(balance.principal, 0), max(balance.interest, 0), max(balance.fee, 0))


def _segment(parts: Components, start: int, length: int, order: tuple[str, ...]) -> Components:
    """The minor units from `start` to `start + length` of `parts` laid end to end in `order`."""
    taken = dict.fromkeys(_COMPONENTS, 0)
    position, end = 0, start + length
    for name in order:
        size = getattr(parts, name)
        taken[name] = max(0, min(end, position + size) - max(start, position))
        position += size
    return Components(**taken)


# --- what the caller knows ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledPayment:
    """One due date of the loan contract and what falls due on it."""

    due_on: date
    principal: int
    interest: int

    def __post_init__(self):
        principal, interest = self.principal, self.interest
        if type(principal) is int and type(interest) is int and principal >= 0 <= interest:
            return  # the usual case, in one test: a staff list builds hundreds of these
        _check_minor_units(self, ("principal", "interest"))

    @property
    def total(self) -> int:
        return self.principal + self.interest


@dataclass(frozen=True)
class PlanInstallment:
    """One installment of an accepted plan: an amount with no split into components."""

    number: int
    due_on: date
    amount: int

    def __post_init__(self):
        _check_minor_units(self, ("amount",))


def _as_plan_installment(item) -> PlanInstallment:
    if isinstance(item, PlanInstallment):
        return item
    if isinstance(item, tuple):
        return PlanInstallment(*item)
    return PlanInstallment(item.number, item.due_on, item.amount)


@dataclass(frozen=True)
class PlanTerms:
    """An accepted plan and what has been paid on the loan since its acceptance.

    `installments` may be PlanInstallment values, `(number, due_on, amount)` tuples or anything
    with those attributes (such as the plan terms' schedule); they are kept in due order.
    `days_past_due_at_start` is the contract's days past due when the plan started: collection
    stands there while the plan holds it.
    """

    accepted_on: date
    installments: tuple[PlanInstallment, ...]
    paid_since_acceptance: int = 0
    grace_days: int = 5
    days_past_due_at_start: int = 0
    status: str = PLAN_ACTIVE
    ended_on: date | None = None

    def __post_init__(self):
        installments = sorted(
            (_as_plan_installment(item) for item in self.installments),
            key=lambda i: (i.due_on, i.number),
        )
        object.__setattr__(self, "installments", tuple(installments))
        _check_minor_units(self, ("paid_since_acceptance",))
        if type(self.grace_days) is not int or self.grace_days < 0:
            raise ValueError("grace_days must be a whole, non-negative number of days")
        if self.status not in PLAN_STATUSES:
            raise ValueError(f"unknown plan status {self.status!r}")

    def after_payment(self, amount: int) -> PlanTerms:
        """The same plan once `amount` more has been paid on the loan."""
        return replace(self, paid_since_acceptance=self.paid_since_acceptance + amount)


@dataclass(frozen=True)
class Hold:
    """Something that stops escalation for a time; `ends_on` None means until it is decided."""

    kind: str
    ends_on: date | None = None

    def applies_on(self, day: date) -> bool:
        """Whether the hold still stops escalation on `day` (it holds through its last day)."""
        return self.ends_on is None or day <= self.ends_on


# --- plan rules ---------------------------------------------------------------------------------


def installments_covered(amounts_in_due_order: list[int], paid: int) -> int:
    """How many installments, in due order, `paid` covers in full."""
    covered = 0
    for amount in amounts_in_due_order:
        if paid < amount:
            break
        paid -= amount
        covered += 1
    return covered


def _plan_unpaid(plan: PlanTerms) -> list[int]:
    """What is unpaid of each plan installment, in due order; payments cover the oldest first."""
    amounts = [i.amount for i in plan.installments]
    covered = installments_covered(amounts, plan.paid_since_acceptance)
    part_paid = plan.paid_since_acceptance - sum(amounts[:covered])
    return [
        0 if index < covered else amount - part_paid if index == covered else amount
        for index, amount in enumerate(amounts)
    ]


def plan_is_complete(plan: PlanTerms) -> bool:
    """Whether the plan is completed: recorded so, or every installment paid."""
    return plan.status == PLAN_COMPLETED or not any(_plan_unpaid(plan))


def plan_breaks_on(plan: PlanTerms) -> date | None:
    """The first day the plan counts as broken if its oldest unpaid installment stays unpaid.

    None once every installment is paid.
    """
    for installment, unpaid in zip(plan.installments, _plan_unpaid(plan), strict=True):
        if unpaid:
            return installment.due_on + timedelta(days=plan.grace_days + 1)
    return None


def plan_is_broken(plan: PlanTerms, today: date) -> bool:
    """Whether the plan is broken on `today`: recorded so, or an installment unpaid past grace.

    The tick job breaks an active plan for which this is true.
    """
    if plan.status == PLAN_BROKEN:
        return True
    if plan.status != PLAN_ACTIVE:
        return False
    breaks_on = plan_breaks_on(plan)
    return breaks_on is not None and today >= breaks_on


# --- what the model says ------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallmentState:
    """One installment of the schedule in force on a day, and what of it is unpaid.

    `unpaid_parts` is the unpaid principal and interest of a contract installment; a plan
    installment has no split into components, so it is None there.
    """

    number: int
    due_on: date
    amount: int
    unpaid: int
    unpaid_parts: Components | None
    state: str
    days_late: int

    @property
    def paid(self) -> int:
        return self.amount - self.unpaid

    @property
    def is_partly_paid(self) -> bool:
        """Something, but not all, of it is paid (whether or not it has fallen due)."""
        return 0 < self.unpaid < self.amount


def _installment_state(
    number: int, due_on: date, amount: int, unpaid_parts: Components | None, unpaid: int, today
) -> InstallmentState:
    if unpaid <= 0:
        state = PAID
    elif due_on < today:
        state = OVERDUE
    elif due_on == today:
        state = DUE_TODAY
    elif unpaid < amount:
        state = PARTLY_PAID
    else:
        state = UPCOMING
    days_late = (today - due_on).days if state == OVERDUE else 0
    return InstallmentState(number, due_on, amount, unpaid, unpaid_parts, state, days_late)


@dataclass(frozen=True)
class NextAction:
    """What the borrower should pay, how much and by when.

    `kind` is 'overdue' (everything overdue, due now), 'installment' (the contract's next
    installment) or 'plan_installment' (the plan's next installment).
    """

    kind: str
    amount: int
    due_on: date
    installment_number: int | None = None


@dataclass(frozen=True)
class PlanProgress:
    """How far an accepted plan has got, and whether it still holds.

    `in_force` is true while the plan is active and not past grace: its installments are then
    the schedule in force. `breaks_on` is the day it breaks if nothing more is paid.
    """

    in_force: bool
    covered: int
    count: int
    next_installment: InstallmentState | None
    at_risk: bool
    broken: bool
    complete: bool
    breaks_on: date | None


@dataclass(frozen=True)
class Standing:
    """A loan's account on one day, in the borrower's time zone."""

    today: date
    balance: Components
    schedule_in_force: tuple[InstallmentState, ...]
    plan_in_force: bool
    # Principal and interest owed beyond the contract schedule, due with its first installment.
    unscheduled: Components
    unscheduled_due_on: date | None
    overdue: Components
    due_today: Components
    # Counted on the schedule in force: under a plan, from its oldest unpaid installment.
    days_past_due: int
    oldest_unpaid_due_on: date | None
    ladder: tuple[Rung, ...]
    # The days past due the ladder counts: days on hold (a plan that broke) do not count.
    days_on_ladder: int | None
    stage: Rung | None
    next_rung: Rung | None
    next_stage_on: date | None
    holds: tuple[Hold, ...]
    next_action: NextAction | None
    plan_progress: PlanProgress | None

    @property
    def owed(self) -> int:
        return self.balance.total

    @property
    def is_overdue(self) -> bool:
        return self.overdue.total > 0

    @property
    def due_now(self) -> int:
        """Everything to pay today to be up to date: what is overdue plus what falls due today."""
        return self.overdue.total + self.due_today.total

    @property
    def held(self) -> bool:
        """Whether escalation is held: the stage stays and nothing is next."""
        return bool(self.holds)

    @property
    def collection_stopped(self) -> bool:
        """Nothing is overdue, or a plan in good standing has replaced the overdue demand."""
        return not self.is_overdue or self.plan_in_force

    def stage_state(self, rung: Rung) -> str:
        """'passed', 'current' or 'ahead', for drawing the ladder."""
        if self.stage is None:
            return "ahead"
        if rung == self.stage:
            return "current"
        if rung.min_days_past_due < self.stage.min_days_past_due:
            return "passed"
        return "ahead"


# --- the schedules in force ---------------------------------------------------------------------


@dataclass(frozen=True)
class _ScheduleView:
    installments: tuple[InstallmentState, ...]
    unscheduled: Components
    unscheduled_due_on: date | None


def _contract_view(balance: Components, schedule, today: date) -> _ScheduleView:
    """The contract's installments with their unpaid parts, the newest part of the schedule."""
    ordered = sorted(schedule, key=lambda p: p.due_on)
    owed = _owed(balance)
    unscheduled = Components(
        max(owed.principal - sum(p.principal for p in ordered), 0),
        max(owed.interest - sum(p.interest for p in ordered), 0),
    )
    principal_left = owed.principal - unscheduled.principal
    interest_left = owed.interest - unscheduled.interest
    unpaid_parts = []
    for payment in reversed(ordered):
        parts = Components(
            min(payment.principal, principal_left), min(payment.interest, interest_left)
        )
        principal_left -= parts.principal
        interest_left -= parts.interest
        unpaid_parts.append(parts)
    unpaid_parts.reverse()
    installments = tuple(
        _installment_state(number, payment.due_on, payment.total, parts, parts.total, today)
        for number, (payment, parts) in enumerate(zip(ordered, unpaid_parts, strict=True), 1)
    )
    return _ScheduleView(installments, unscheduled, ordered[0].due_on if ordered else None)


def _plan_view(plan: PlanTerms, today: date) -> _ScheduleView:
    installments = tuple(
        _installment_state(i.number, i.due_on, i.amount, None, unpaid, today)
        for i, unpaid in zip(plan.installments, _plan_unpaid(plan), strict=True)
    )
    return _ScheduleView(installments, ZERO, None)


def _plan_progress(plan: PlanTerms, today: date) -> PlanProgress:
    view = _plan_view(plan, today)
    unpaid = [i for i in view.installments if i.unpaid]
    complete = plan_is_complete(plan)
    broken = plan_is_broken(plan, today)
    in_force = plan.status == PLAN_ACTIVE and not complete and not broken
    return PlanProgress(
        in_force=in_force,
        covered=sum(1 for i in view.installments if not i.unpaid),
        count=len(view.installments),
        next_installment=unpaid[0] if unpaid else None,
        at_risk=in_force and any(i.state == OVERDUE for i in unpaid),
        broken=broken,
        complete=complete,
        breaks_on=None if plan.status != PLAN_ACTIVE else plan_breaks_on(plan),
    )


def _ladder_days(days_past_due: int, something_due: bool, held_days: int) -> int | None:
    """The days the ladder counts, or None when nothing is due and the loan is on no rung."""
    if days_past_due > 0:
        # Collection resumes from where it stood: days on hold do not count, but a loan past
        # due is at least one day past due.
        return max(days_past_due - held_days, 1)
    return 0 if something_due else None


# --- the entry point ----------------------------------------------------------------------------


def standing(
    balance: Components,
    schedule,
    today: date,
    ladder,
    *,
    plan: PlanTerms | None = None,
    holds=(),
    held_days: int = 0,
    waterfall: tuple[str, ...] = DEFAULT_WATERFALL,
) -> Standing:
    """A loan's standing on `today` (the borrower's local date).

    `balance` is what the loan owes now (the sum of its journal), `schedule` the contract's
    ScheduledPayments, `ladder` its Rungs. `holds` are the holds the caller knows of (an open
    request, a promise, a dispute); an active plan's hold is derived here. `held_days` are days
    spent in plans that later broke, including a broken `plan` passed in; the days of an
    active plan that the rules have just broken are added here.
    """
    _check_waterfall(waterfall)
    owed = _owed(balance)
    progress = _plan_progress(plan, today) if plan is not None else None
    plan_in_force = progress is not None and progress.in_force
    if progress is not None and plan.status == PLAN_ACTIVE and progress.broken:
        # Broken by the rules before the tick job recorded it: the days it held count as held.
        held_days += max((plan_breaks_on(plan) - plan.accepted_on).days, 0)

    if plan_in_force:
        view = _plan_view(plan, today)
        past = sum(i.unpaid for i in view.installments if i.due_on < today)
        falling_due = sum(i.unpaid for i in view.installments if i.due_on == today)
        # Plan installments have no components: split the amounts the way a payment would.
        overdue_amount = min(past, owed.total)
        due_today_amount = min(falling_due, owed.total - overdue_amount)
        overdue = _segment(owed, 0, overdue_amount, waterfall)
        due_today = _segment(owed, overdue_amount, due_today_amount, waterfall)
        late = [(i.due_on, i.unpaid) for i in view.installments if i.due_on < today and i.unpaid]
        late = late if overdue_amount else []
    else:
        view = _contract_view(balance, schedule, today)
        slots = [(view.unscheduled_due_on, view.unscheduled)] if view.unscheduled_due_on else []
        slots += [(i.due_on, i.unpaid_parts) for i in view.installments]
        # Summed part by part (the slots hold principal and interest; fees are all overdue).
        overdue_parts, today_parts = [0, 0], [0, 0]
        late = []
        for due_on, parts in slots:
            if due_on < today:
                overdue_parts[0] += parts.principal
                overdue_parts[1] += parts.interest
                if parts.principal or parts.interest:
                    late.append((due_on, parts))
            elif due_on == today:
                today_parts[0] += parts.principal
                today_parts[1] += parts.interest
        overdue = Components(*overdue_parts, owed.fee)
        due_today = Components(*today_parts)

    oldest_unpaid_due_on = min(due_on for due_on, _ in late) if late else None
    days_past_due = (today - oldest_unpaid_due_on).days if oldest_unpaid_due_on else 0

    current_holds = tuple(
        h for h in holds if h.applies_on(today) and not (plan is not None and h.kind == PLAN_HOLD)
    )
    if plan_in_force:
        current_holds += (Hold(PLAN_HOLD, plan.installments[-1].due_on),)
        # Collection stays where it stood when the plan started.
        days = _ladder_days(plan.days_past_due_at_start, False, held_days)
    else:
        days = _ladder_days(days_past_due, overdue.total + due_today.total > 0, held_days)

    rungs = tuple(sorted(ladder, key=lambda r: r.min_days_past_due))
    stage = next_rung = next_stage_on = None
    if days is not None:
        reached = [r for r in rungs if r.min_days_past_due <= days]
        ahead = [r for r in rungs if r.min_days_past_due > days]
        stage = reached[-1] if reached else None
        if ahead and not current_holds:
            next_rung = ahead[0]
            next_stage_on = today + timedelta(days=next_rung.min_days_past_due - days)

    return Standing(
        today=today,
        balance=balance,
        schedule_in_force=view.installments,
        plan_in_force=plan_in_force,
        unscheduled=view.unscheduled,
        unscheduled_due_on=view.unscheduled_due_on,
        overdue=overdue,
        due_today=due_today,
        days_past_due=days_past_due,
        oldest_unpaid_due_on=oldest_unpaid_due_on,
        ladder=rungs,
        days_on_ladder=days,
        stage=stage,
        next_rung=next_rung,
        next_stage_on=next_stage_on,
        holds=current_holds,
        next_action=_next_action(owed, view, overdue, today, plan_in_force),
        plan_progress=progress,
    )


def _next_action(
    owed: Components, view: _ScheduleView, overdue: Components, today: date, plan_in_force: bool
) -> NextAction | None:
    if owed.total == 0:
        return None
    if overdue.total > 0:
        return NextAction(PAY_OVERDUE, overdue.total, today)
    # Nothing is overdue: ask for everything that falls due on the next due date.
    upcoming = [(i.due_on, i.unpaid, i.number) for i in view.installments if i.unpaid]
    if view.unscheduled.total and view.unscheduled_due_on is not None:
        upcoming.append((view.unscheduled_due_on, view.unscheduled.total, None))
    if not upcoming:
        return None
    due_on = min(d for d, _, _ in upcoming)
    amount = sum(unpaid for d, unpaid, _ in upcoming if d == due_on)
    numbers = [n for d, _, n in upcoming if d == due_on and n is not None]
    kind = PAY_PLAN_INSTALLMENT if plan_in_force else PAY_INSTALLMENT
    return NextAction(kind, min(amount, owed.total), due_on, min(numbers, default=None))


# --- payments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationShare:
    """The part of a payment that settles one item of the schedule in force.

    `kind` is 'fees' (fees charged, settled ahead of the installments), 'installment',
    'plan_installment' or 'unscheduled' (owed beyond the schedule).
    """

    kind: str
    due_on: date | None
    number: int | None
    applied: Components

    @property
    def amount(self) -> int:
        return self.applied.total


@dataclass(frozen=True)
class Allocation:
    """How a payment is split over what a loan owes."""

    amount: int
    applied: Components  # positive amounts taken off each component
    credit: int  # what was left over beyond the whole balance: kept as a credit, never lost
    shares: tuple[AllocationShare, ...]

    @property
    def change(self) -> Components:
        """The journal change: the applied amounts as reductions."""
        return -self.applied

    def balance_after(self, balance: Components) -> Components:
        return balance + self.change


def allocate_payment(
    amount: int,
    balance: Components,
    schedule,
    today: date,
    waterfall: tuple[str, ...] = DEFAULT_WATERFALL,
    *,
    plan: PlanTerms | None = None,
) -> Allocation:
    """Split `amount` (minor units) over the balance, oldest first.

    Fees are settled first (they fall due when charged), then what is owed beyond the schedule
    (the oldest debt), then the contract's installments oldest first, within each in waterfall
    order; the rest is a credit. When the waterfall does not put fees first, the fees are settled
    with the oldest overdue item in its order instead. While a plan is in force its installments
    have no components, so the waterfall runs over the whole balance and the shares follow the
    plan's installments in due order. Compute it from the balance read under the loan's row lock.
    """
    if type(amount) is not int or amount <= 0:
        raise ValueError("a payment is a positive whole number of minor units")
    _check_waterfall(waterfall)
    owed = _owed(balance)
    if plan is not None and _plan_progress(plan, today).in_force:
        return _allocate_under_plan(amount, owed, plan, today, waterfall)

    view = _contract_view(balance, schedule, today)
    # Each slot is one share: its kind, due date, number and what it owes per component, oldest
    # first. What is owed beyond the schedule is the oldest part of the debt.
    slots: list[tuple[str, date | None, int | None, dict[str, int]]] = []
    if view.unscheduled.total:
        parts = {"principal": view.unscheduled.principal, "interest": view.unscheduled.interest}
        slots.append(("unscheduled", view.unscheduled_due_on, None, parts))
    for installment in view.installments:
        parts = {
            "principal": installment.unpaid_parts.principal,
            "interest": installment.unpaid_parts.interest,
        }
        if any(parts.values()):
            slots.append(("installment", installment.due_on, installment.number, parts))
    oldest_overdue = next((slot for slot in slots if slot[1] is not None and slot[1] < today), None)
    if owed.fee:
        if waterfall[0] == "fee" or oldest_overdue is None:
            slots.insert(0, ("fees", None, None, {"fee": owed.fee}))
        else:
            oldest_overdue[3]["fee"] = owed.fee

    remaining = amount
    shares = []
    for kind, due_on, number, parts in slots:
        if remaining == 0:
            break
        taken = dict.fromkeys(_COMPONENTS, 0)
        for name in waterfall:
            taken[name] = min(parts.get(name, 0), remaining)
            remaining -= taken[name]
        shares.append(AllocationShare(kind, due_on, number, Components(**taken)))
    applied = sum((s.applied for s in shares), ZERO)
    return Allocation(amount, applied, remaining, tuple(shares))


def _allocate_under_plan(
    amount: int, owed: Components, plan: PlanTerms, today: date, waterfall: tuple[str, ...]
) -> Allocation:
    applied_total = min(amount, owed.total)
    shares, start = [], 0
    for installment, unpaid in zip(plan.installments, _plan_unpaid(plan), strict=True):
        size = min(unpaid, applied_total - start)
        if size <= 0:
            continue
        applied = _segment(owed, start, size, waterfall)
        shares.append(
            AllocationShare("plan_installment", installment.due_on, installment.number, applied)
        )
        start += size
    if start < applied_total:
        # Owed beyond the plan's installments (interest that kept accruing, a later charge).
        rest = _segment(owed, start, applied_total - start, waterfall)
        shares.append(AllocationShare("unscheduled", None, None, rest))
    applied = _segment(owed, 0, applied_total, waterfall)
    return Allocation(amount, applied, amount - applied_total, tuple(shares))


def refund_reversal(
    refunded_total: int,
    already_reversed: int,
    allocations,
    *,
    credit: int = 0,
    waterfall: tuple[str, ...] = DEFAULT_WATERFALL,
) -> Components:
    """What to add back to the balance for the part of a refund not yet reversed.

    `refunded_total` is everything refunded so far on the payment, `already_reversed` what
    earlier refunds already took back, and `allocations` the payment's applied amounts, newest
    first. A refund takes back the money last applied first: the `credit` the payment left,
    then the newest allocation in reverse waterfall order. It never takes back more than was
    allocated, and a refund that came before the payment was applied takes back nothing.
    """
    for name, value in (
        ("refunded_total", refunded_total),
        ("already_reversed", already_reversed),
        ("credit", credit),
    ):
        if type(value) is not int or value < 0:
            raise ValueError(f"{name} must be a whole, non-negative number of minor units")
    _check_waterfall(waterfall)
    order = tuple(reversed(waterfall))
    undone = dict.fromkeys(_COMPONENTS, 0)
    # The payment's money laid end to end, last applied first; the refunds take it from the start.
    start = credit
    for allocation in allocations:
        if min(allocation.principal, allocation.interest, allocation.fee) < 0:
            raise ValueError("an allocation applies positive amounts")
        low = max(already_reversed - start, 0)
        high = max(refunded_total - start, 0)
        taken = _segment(allocation, low, max(high - low, 0), order)
        for name in _COMPONENTS:
            undone[name] += getattr(taken, name)
        start += allocation.total
    return Components(**undone)


@dataclass(frozen=True)
class PaymentOutcome:
    """What to tell the borrower once a payment is applied."""

    overdue_left: int
    nothing_overdue: bool
    collection_stopped: bool
    plan_in_good_standing: bool
    next_action: NextAction | None


def payment_outcome(after: Standing) -> PaymentOutcome:
    """The account's status after a payment, from the standing recomputed with it applied."""
    return PaymentOutcome(
        overdue_left=after.overdue.total,
        nothing_overdue=not after.is_overdue,
        collection_stopped=after.collection_stopped,
        plan_in_good_standing=after.plan_in_force,
        next_action=after.next_action,
    )
