"""Rules as data, changed by administrators: validated, previewed, effective-dated, audited.

A change never rewrites the past: it is a new version of the rule set with the time it takes
effect (now or later), and everything that happened before keeps the rules in force then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import audit, clock
from portal.complaints.models import Complaint, ComplaintRoute
from portal.complaints.rules import Route, route_for
from portal.complaints.service import routes as complaint_routes
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.loans.contact_rules import Contact, ContactRules, check_contacts, rule_problems
from portal.loans.ladder import Rung, ladder_problems, stage_for
from portal.loans.models import Borrower, CollectionStage, ContactLogEntry, ContactRuleSet, Loan
from portal.loans.service import contact_rules, ladders
from portal.loans.standing import ScheduledPayment, standing
from portal.plans import lifecycle as plan_lifecycle
from portal.plans.models import HardshipRequest, PaymentPlan, PlanRuleSet
from portal.plans.service import RULE_FIELDS as PLAN_RULE_FIELDS
from portal.plans.service import plan_rules
from portal.plans.terms import PlanRules, plan_rule_problems
from portal.promises import lifecycle as promise_lifecycle
from portal.promises.models import Promise, PromiseRuleSet
from portal.promises.rules import RULE_FIELDS as PROMISE_RULE_FIELDS
from portal.promises.rules import PromiseRules
from portal.promises.service import promise_rules

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
    for code, field, values in rule_problems(proposed) if proposed else ():
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
    changes = _changes(contact_rules(RULE_SET, at=starts), proposed)
    return _add_version(ContactRuleSet, RULE_SET, starts, proposed, changes, "contact_rule_set")


def contact_rule_versions() -> list[ContactRuleSet]:
    """Every version of the contact rules, newest effect time first."""
    return _versions(ContactRuleSet, RULE_SET)


def _add_version(model, name: str, starts: datetime, proposed, changes: dict, subject: str):
    """Add a version of the rule set `name` (a ContactRuleSet, PlanRuleSet or PromiseRuleSet)
    that takes effect at `starts`, and audit what it changes."""
    if not changes:
        raise RuleChangeRefused("nothing_changes")
    taken = db.session.scalar(
        sa.select(model.id).where(model.name == name, model.effective_from == starts)
    )
    if taken is not None:
        raise RuleChangeRefused("effective_taken", field="effective_from")
    version = model(name=name, effective_from=starts, **asdict(proposed))
    db.session.add(version)
    db.session.flush()
    audit.record(
        f"rules.{subject.removesuffix('_rule_set')}_rules_changed",
        subject_type=subject,
        subject_id=version.id,
        details={
            "rule_set": name,
            "effective_from": starts.isoformat(),
            "changes": {f: [_plain(old), _plain(new)] for f, (old, new) in changes.items()},
        },
    )
    return version


def _plain(value):
    """A rule value as the audit log holds it (times of day as text)."""
    return value if isinstance(value, int | str | bool | None) else str(value)


def _versions(model, name: str) -> list:
    """Every version of the rule set `name`, newest effect time first."""
    return list(
        db.session.scalars(
            sa.select(model).where(model.name == name).order_by(model.effective_from.desc())
        )
    )


# --- stage ladders ---------------------------------------------------------------------------


@dataclass
class LadderPreview:
    ladder: str
    effective_from: datetime | None
    changes: dict[str, tuple[int, int]]  # stage code -> (first day past due then, proposed)
    loans_judged: int
    later_stage: int  # loans that would be in a later stage today under the proposed ladder
    earlier_stage: int


def ladder_names() -> list[str]:
    """The default ladder, the products with their own ladder, and the other products."""
    names = set(db.session.scalars(sa.select(CollectionStage.ladder).distinct()))
    names |= set(db.session.scalars(sa.select(Loan.product).distinct()))
    return ["default", *sorted(names - {"default"})]


def ladder_in_force(name: str, at: datetime | None = None) -> list[Rung]:
    """The ladder `name` in force at `at` (a product without its own ladder: the default)."""
    found = ladders(at)
    return found.get(name) or found.get("default", [])


def ladder_versions(name: str) -> dict[datetime, list[CollectionStage]]:
    """Every version of the ladder `name`, newest effect time first."""
    versions: dict[datetime, list[CollectionStage]] = defaultdict(list)
    for stage in db.session.scalars(
        sa.select(CollectionStage)
        .where(CollectionStage.ladder == name)
        .order_by(CollectionStage.effective_from.desc(), CollectionStage.position)
    ):
        versions[stage.effective_from].append(stage)
    return dict(versions)


def _proposed_ladder(name: str, thresholds: list[int], effective_from: datetime | None):
    if name not in ladder_names():
        raise NotFound()
    starts = check_change(None, effective_from)
    current = ladder_in_force(name, starts)
    if len(thresholds) != len(current):
        raise RuleChangeRefused("default")
    proposed = [Rung(rung.code, days) for rung, days in zip(current, thresholds, strict=True)]
    for code, values in ladder_problems(proposed):
        raise RuleChangeRefused(code, **values)
    changes = {
        old.code: (old.min_days_past_due, new.min_days_past_due)
        for old, new in zip(current, proposed, strict=True)
        if old.min_days_past_due != new.min_days_past_due
    }
    return current, proposed, starts, changes


def _loans_on(name: str):
    """The active loans whose collection follows ladder `name`, not held by a plan or request."""
    query = sa.select(Loan).where(
        Loan.status == "active",
        ~sa.exists().where(PaymentPlan.active_loan_id == Loan.id),
        ~sa.exists().where(HardshipRequest.open_loan_id == Loan.id),
    )
    if name == "default":
        query = query.where(Loan.product.not_in(set(ladders()) - {"default"}))
    else:
        query = query.where(Loan.product == name)
    return db.session.scalars(
        query.options(selectinload(Loan.due_dates), selectinload(Loan.borrower))
    )


def preview_ladder(name: str, thresholds: list[int], effective_from: datetime | None):
    """What a ladder change would do if it were in force today: how many loans would be in a
    later (or an earlier) stage. An approximation: each loan's standing on its contract schedule
    (loans under a plan or with a request under review are left out: escalation is held)."""
    current, proposed, _, changes = _proposed_ladder(name, thresholds, effective_from)
    order = [rung.code for rung in current]
    judged = later = earlier = 0
    for loan in _loans_on(name):
        schedule = [
            ScheduledPayment(d.due_on, d.principal_minor, d.interest_minor) for d in loan.due_dates
        ]
        today = clock.today_for(loan.borrower)
        now = standing(loan.balance, schedule, today, current, held_days=loan.held_days)
        if now.days_on_ladder is None:
            continue
        judged += 1
        before = order.index(now.stage.code) if now.stage else -1
        rung = stage_for(now.days_on_ladder, proposed)
        after = order.index(rung.code) if rung else -1
        later += after > before
        earlier += after < before
    return LadderPreview(name, effective_from, changes, judged, later, earlier)


def schedule_ladder(name: str, thresholds: list[int], effective_from: datetime | None) -> None:
    """Add a version of ladder `name` that takes effect at `effective_from` (or now)."""
    _, proposed, starts, changes = _proposed_ladder(name, thresholds, effective_from)
    if not changes:
        raise RuleChangeRefused("nothing_changes")
    taken = db.session.scalar(
        sa.select(CollectionStage.id).where(
            CollectionStage.ladder == name, CollectionStage.effective_from == starts
        )
    )
    if taken is not None:
        raise RuleChangeRefused("effective_taken", field="effective_from")
    db.session.add_all(
        CollectionStage(
            ladder=name,
            effective_from=starts,
            code=rung.code,
            position=position,
            min_days_past_due=rung.min_days_past_due,
        )
        for position, rung in enumerate(proposed, start=1)
    )
    db.session.flush()
    audit.record(
        "rules.ladder_changed",
        subject_type="stage_ladder",
        details={
            "ladder": name,
            "effective_from": starts.isoformat(),
            "changes": {code: list(pair) for code, pair in changes.items()},
        },
    )


# --- complaint routing ------------------------------------------------------------------------

# Complaints about how collectors behaved go to the compliance team, whatever else changes.
CONDUCT_CATEGORIES = ("harassment", "third_party_contact", "threats_impersonation")


@dataclass
class RoutesPreview:
    effective_from: datetime | None
    changes: dict[str, tuple[Route, Route]]  # category -> (in force then, proposed)
    recent_complaints: int  # filed in the changed categories in the last PREVIEW_DAYS days


def _proposed_routes(proposed: dict[str, Route], effective_from: datetime | None):
    starts = check_change(None, effective_from)
    for category in CONDUCT_CATEGORIES:
        if proposed[category].queue != "compliance":
            raise RuleChangeRefused("conduct_to_compliance", field=f"queue_{category}")
    current = complaint_routes(starts)
    changes = {
        category: (route_for(category, current), route)
        for category, route in proposed.items()
        if route_for(category, current) != route
    }
    return starts, changes


def preview_routes(proposed: dict[str, Route], effective_from: datetime | None) -> RoutesPreview:
    """What a routing change would do: the routes that change, and how many complaints of those
    categories were filed lately (complaints already filed keep their queue and priority)."""
    _, changes = _proposed_routes(proposed, effective_from)
    recent = db.session.scalar(
        sa.select(sa.func.count(Complaint.id)).where(
            Complaint.category.in_(list(changes)),
            Complaint.created_at >= clock.now() - timedelta(days=PREVIEW_DAYS),
        )
    )
    return RoutesPreview(effective_from, changes, recent or 0)


def schedule_routes(proposed: dict[str, Route], effective_from: datetime | None) -> None:
    """Add, for each category whose route changes, a route that takes effect then (or now)."""
    starts, changes = _proposed_routes(proposed, effective_from)
    if not changes:
        raise RuleChangeRefused("nothing_changes")
    taken = db.session.scalar(
        sa.select(ComplaintRoute.id).where(
            ComplaintRoute.category.in_(list(changes)), ComplaintRoute.effective_from == starts
        )
    )
    if taken is not None:
        raise RuleChangeRefused("effective_taken", field="effective_from")
    db.session.add_all(
        ComplaintRoute(
            category=category, effective_from=starts, queue=new.queue, priority=new.priority
        )
        for category, (_, new) in changes.items()
    )
    db.session.flush()
    audit.record(
        "rules.complaint_routes_changed",
        subject_type="complaint_routes",
        details={
            "effective_from": starts.isoformat(),
            "changes": {
                category: [[old.queue, old.priority], [new.queue, new.priority]]
                for category, (old, new) in changes.items()
            },
        },
    )


def scheduled_routes() -> list[ComplaintRoute]:
    """Route changes that take effect later, soonest first."""
    return list(
        db.session.scalars(
            sa.select(ComplaintRoute)
            .where(ComplaintRoute.effective_from > clock.now())
            .order_by(ComplaintRoute.effective_from, ComplaintRoute.category)
        )
    )


# --- plan rules ---------------------------------------------------------------------------------


@dataclass
class PlanRulesPreview:
    name: str
    effective_from: datetime | None
    changes: dict[str, tuple[object, object]]
    waiting_requests: int  # requests under review now, decided by the rules in force then


def plan_rule_set_names() -> list[str]:
    names = set(db.session.scalars(sa.select(PlanRuleSet.name).distinct()))
    return ["default", *sorted(names - {"default"})]


def _proposed_plan_rules(name: str, proposed: PlanRules, effective_from: datetime | None):
    if name not in plan_rule_set_names():
        raise NotFound()
    for code, field, values in plan_rule_problems(proposed):
        raise RuleChangeRefused(code, field=field, **values)
    starts = check_change(None, effective_from)
    old, new = asdict(plan_rules(name, starts)), asdict(proposed)
    changes = {f: (old[f], new[f]) for f in PLAN_RULE_FIELDS if old[f] != new[f]}
    return starts, changes


def preview_plan_rules(
    name: str, proposed: PlanRules, effective_from: datetime | None
) -> PlanRulesPreview:
    """What a plan rule change would do: the values that change, and how many requests are
    waiting for a decision (decisions use the rules in force when they are made)."""
    _, changes = _proposed_plan_rules(name, proposed, effective_from)
    waiting = db.session.scalar(
        sa.select(sa.func.count(HardshipRequest.id)).where(
            HardshipRequest.status.in_(plan_lifecycle.WAITING)
        )
    )
    return PlanRulesPreview(name, effective_from, changes, waiting or 0)


def schedule_plan_rules(name: str, proposed: PlanRules, effective_from: datetime | None) -> None:
    """Add a version of the plan rule set `name` that takes effect then (or now)."""
    starts, changes = _proposed_plan_rules(name, proposed, effective_from)
    _add_version(PlanRuleSet, name, starts, proposed, changes, "plan_rule_set")


def plan_rule_versions(name: str) -> list[PlanRuleSet]:
    return _versions(PlanRuleSet, name)


# --- promise rules ------------------------------------------------------------------------------

# What an administrator may set each promise rule to (inclusive).
PROMISE_RULE_LIMITS = {"max_days": (1, 30), "max_promises": (1, 10), "period_days": (1, 365)}


@dataclass
class PromiseRulesPreview:
    name: str
    effective_from: datetime | None
    changes: dict[str, tuple[object, object]]
    standing_promises: int  # promises standing now, judged by the rules in force when made


def promise_rule_set_names() -> list[str]:
    names = set(db.session.scalars(sa.select(PromiseRuleSet.name).distinct()))
    return ["default", *sorted(names - {"default"})]


def promise_rule_problems(rules: PromiseRules) -> list[tuple[str, str, dict]]:
    """What is wrong with a proposed promise rule set: (code, field, values) for each problem."""
    return [
        ("out_of_range", field, {"low": low, "high": high})
        for field, (low, high) in PROMISE_RULE_LIMITS.items()
        if not low <= getattr(rules, field) <= high
    ]


def _proposed_promise_rules(name: str, proposed: PromiseRules, effective_from: datetime | None):
    if name not in promise_rule_set_names():
        raise NotFound()
    for code, field, values in promise_rule_problems(proposed):
        raise RuleChangeRefused(code, field=field, **values)
    starts = check_change(None, effective_from)
    old, new = asdict(promise_rules(name, starts)), asdict(proposed)
    changes = {f: (old[f], new[f]) for f in PROMISE_RULE_FIELDS if old[f] != new[f]}
    return starts, changes


def preview_promise_rules(
    name: str, proposed: PromiseRules, effective_from: datetime | None
) -> PromiseRulesPreview:
    """What a promise rule change would do: the values that change, and how many promises
    stand now (they keep the rules in force when they were made)."""
    _, changes = _proposed_promise_rules(name, proposed, effective_from)
    standing_now = db.session.scalar(
        sa.select(sa.func.count(Promise.id)).where(Promise.status == promise_lifecycle.STANDING)
    )
    return PromiseRulesPreview(name, effective_from, changes, standing_now or 0)


def schedule_promise_rules(
    name: str, proposed: PromiseRules, effective_from: datetime | None
) -> None:
    """Add a version of the promise rule set `name` that takes effect then (or now)."""
    starts, changes = _proposed_promise_rules(name, proposed, effective_from)
    _add_version(PromiseRuleSet, name, starts, proposed, changes, "promise_rule_set")


def promise_rule_versions(name: str) -> list[PromiseRuleSet]:
    return _versions(PromiseRuleSet, name)
