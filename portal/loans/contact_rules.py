"""Checks of the collection contact log against the contact rules.

The rules are data (a ContactRules value, stored in the contact_rule_sets table); the checks are
plain functions over plain values, in the borrower's own time zone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

QUIET_HOURS = "quiet_hours"
TOO_MANY_ANSWERED_CALLS = "too_many_answered_calls"
TOO_MANY_UNANSWERED_CALLS = "too_many_unanswered_calls"
THIRD_PARTY_WHILE_REACHABLE = "third_party_while_reachable"

# Outcomes that show the borrower could be reached.
REACHED_OUTCOMES = frozenset({"answered", "promise_to_pay", "refused"})
ANSWERED_CALL_OUTCOMES = REACHED_OUTCOMES
# Written notices are not "contact at an hour": a letter arrives when the post does.
TIMELESS_CHANNELS = frozenset({"letter", "legal"})


@dataclass(frozen=True)
class ContactRules:
    """Contact limits; the defaults follow the product guide (Chinese industry rules)."""

    quiet_from: time = time(22, 0)
    quiet_until: time = time(8, 0)
    max_answered_calls_per_day: int = 3
    max_unanswered_calls_per_day: int = 6
    # A borrower who answered within this many days counts as reachable.
    reachable_within_days: int = 7


@dataclass(frozen=True)
class Contact:
    id: int
    contacted_at: datetime  # aware
    channel: str
    party: str
    outcome: str


def in_quiet_hours(moment: time, rules: ContactRules) -> bool:
    if rules.quiet_from > rules.quiet_until:  # the quiet period spans midnight
        return moment >= rules.quiet_from or moment < rules.quiet_until
    return rules.quiet_from <= moment < rules.quiet_until


def check_contacts(contacts, rules: ContactRules, time_zone: str) -> dict[int, list[str]]:
    """Map each contact id that breaks a rule to the rules it breaks, in a stable order.

    `contacts` are all of one borrower's contacts (across their loans), so that daily limits
    count every call the borrower received.
    """
    zone = ZoneInfo(time_zone)
    breaches: dict[int, list[str]] = defaultdict(list)
    ordered = sorted(contacts, key=lambda c: (c.contacted_at, c.id))
    answered_per_day: dict = defaultdict(int)
    unanswered_per_day: dict = defaultdict(int)
    last_reached: datetime | None = None
    window = timedelta(days=rules.reachable_within_days)

    for contact in ordered:
        local = contact.contacted_at.astimezone(zone)
        if contact.channel not in TIMELESS_CHANNELS and in_quiet_hours(local.time(), rules):
            breaches[contact.id].append(QUIET_HOURS)
        if contact.party == "borrower":
            if contact.channel == "call":
                day = local.date()
                if contact.outcome in ANSWERED_CALL_OUTCOMES:
                    answered_per_day[day] += 1
                    if answered_per_day[day] > rules.max_answered_calls_per_day:
                        breaches[contact.id].append(TOO_MANY_ANSWERED_CALLS)
                else:
                    unanswered_per_day[day] += 1
                    if unanswered_per_day[day] > rules.max_unanswered_calls_per_day:
                        breaches[contact.id].append(TOO_MANY_UNANSWERED_CALLS)
            if contact.outcome in REACHED_OUTCOMES and contact.channel in ("call", "visit"):
                last_reached = contact.contacted_at
        elif last_reached is not None and contact.contacted_at - last_reached <= window:
            breaches[contact.id].append(THIRD_PARTY_WHILE_REACHABLE)
    return dict(breaches)
