"""Checks of the collection contact log against the contact rules.

The rules are data (a ContactRules value, stored in the contact_rule_sets table) with the time
each set took effect (a RuleBook); each contact is judged by the set in force when it happened.
So are the borrower's own preferences (ContactPreferences, one row per change, each in force from
its time on). The checks are plain functions over plain values, in the borrower's own time zone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

QUIET_HOURS = "quiet_hours"
TOO_MANY_ANSWERED_CALLS = "too_many_answered_calls"
TOO_MANY_UNANSWERED_CALLS = "too_many_unanswered_calls"
THIRD_PARTY_WHILE_REACHABLE = "third_party_while_reachable"
# Breaches of the borrower's own contact preferences, in force from the moment they were set.
UNWANTED_CHANNEL = "unwanted_channel"
BEFORE_PREFERRED_HOURS = "before_preferred_hours"
AFTER_PREFERRED_HOURS = "after_preferred_hours"
UNWANTED_PARTY = "unwanted_party"
REPRESENTATIVE_BYPASSED = "representative_bypassed"

# Outcomes that show the borrower could be reached.
REACHED_OUTCOMES = frozenset({"answered", "promise_to_pay", "refused"})
ANSWERED_CALL_OUTCOMES = REACHED_OUTCOMES
# Written notices are not "contact at an hour": a letter arrives when the post does.
TIMELESS_CHANNELS = frozenset({"letter", "legal"})
# The channels a borrower may refuse; legal notices and app notifications are not theirs to bar.
PREFERABLE_CHANNELS = ("call", "sms", "email", "letter", "visit")
# The people a borrower may ask collectors to leave alone.
PREFERABLE_PARTIES = ("employer", "family", "emergency_contact")
# Ways of reaching the borrower in person that a named representative replaces.
DIRECT_CHANNELS = frozenset({"call", "sms", "email", "visit"})


@dataclass(frozen=True)
class ContactRules:
    """Contact limits; the defaults follow the product guide (Chinese industry rules)."""

    quiet_from: time = time(22, 0)
    quiet_until: time = time(8, 0)
    max_answered_calls_per_day: int = 3
    max_unanswered_calls_per_day: int = 6
    # A borrower who answered within this many days counts as reachable.
    reachable_within_days: int = 7


# The rule sets that predate effect dates have been in force since then.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RuleBook:
    """Contact rule sets, each with the time it took effect, oldest first."""

    versions: tuple[tuple[datetime, ContactRules], ...] = ()

    def in_force(self, at: datetime) -> ContactRules:
        """The newest set that took effect at or before `at` (the built-in one if none did)."""
        current = ContactRules()
        for since, rules in self.versions:
            if since > at:
                break
            current = rules
        return current


def rule_book(versions) -> RuleBook:
    """A RuleBook from (effective_from, ContactRules) pairs in any order."""
    return RuleBook(tuple(sorted(versions, key=lambda version: version[0])))


@dataclass(frozen=True)
class ContactPreferences:
    """How and when the borrower allows collectors to contact them, from `set_at` on.

    Empty `channels` never happens (at least one way must stay open); `earliest` and `latest`
    are the borrower's own hours on their wall clock, inside the legal ones (None: no limit
    beyond the law).
    """

    set_at: datetime  # aware
    channels: frozenset[str] = frozenset(PREFERABLE_CHANNELS)
    earliest: time | None = None
    latest: time | None = None
    barred_parties: frozenset[str] = frozenset()
    representative_name: str | None = None
    representative_phone: str | None = None

    @property
    def has_representative(self) -> bool:
        return bool(self.representative_name and self.representative_phone)


@dataclass(frozen=True)
class Contact:
    id: int
    contacted_at: datetime  # aware
    channel: str
    party: str
    outcome: str
    # The borrower's preferences in force when the contact was made (None: none set yet).
    preferences: ContactPreferences | None = None


def preferences_at(history, moment: datetime) -> ContactPreferences | None:
    """The preferences in force at `moment`: the last set at or before it."""
    in_force = None
    for preferences in sorted(history, key=lambda p: p.set_at):
        if preferences.set_at <= moment:
            in_force = preferences
    return in_force


def preference_breaches(contact: Contact, local: time) -> list[str]:
    """The borrower's own preferences a contact broke (`local`: its time on their clock)."""
    preferences = contact.preferences
    if preferences is None or contact.contacted_at < preferences.set_at:
        return []
    breaches = []
    if contact.channel in PREFERABLE_CHANNELS and contact.channel not in preferences.channels:
        breaches.append(UNWANTED_CHANNEL)
    if contact.channel not in TIMELESS_CHANNELS:
        if preferences.earliest is not None and local < preferences.earliest:
            breaches.append(BEFORE_PREFERRED_HOURS)
        if preferences.latest is not None and local > preferences.latest:
            breaches.append(AFTER_PREFERRED_HOURS)
    if contact.party in preferences.barred_parties:
        breaches.append(UNWANTED_PARTY)
    if (
        preferences.has_representative
        and contact.party == "borrower"
        and contact.channel in DIRECT_CHANNELS
    ):
        breaches.append(REPRESENTATIVE_BYPASSED)
    return breaches


def in_quiet_hours(moment: time, rules: ContactRules) -> bool:
    if rules.quiet_from > rules.quiet_until:  # the quiet period spans midnight
        return moment >= rules.quiet_from or moment < rules.quiet_until
    return rules.quiet_from <= moment < rules.quiet_until


def check_contacts(
    contacts, rules: ContactRules | RuleBook, time_zone: str
) -> dict[int, list[str]]:
    """Map each contact id that breaks a rule to the rules it breaks, in a stable order.

    `contacts` are all of one borrower's contacts (across their loans), so that daily limits
    count every call the borrower received. Each contact is judged by the rules in force when it
    happened (`rules` is one set for all, or a RuleBook of sets with their effect dates).
    """
    book = rules if isinstance(rules, RuleBook) else RuleBook(((BEGINNING, rules),))
    zone = ZoneInfo(time_zone)
    breaches: dict[int, list[str]] = defaultdict(list)
    ordered = sorted(contacts, key=lambda c: (c.contacted_at, c.id))
    answered_per_day: dict = defaultdict(int)
    unanswered_per_day: dict = defaultdict(int)
    last_reached: datetime | None = None

    for contact in ordered:
        rules = book.in_force(contact.contacted_at)
        window = timedelta(days=rules.reachable_within_days)
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
        breaches[contact.id].extend(preference_breaches(contact, local.time()))
        if not breaches[contact.id]:
            del breaches[contact.id]
    return dict(breaches)


# What an administrator may set: limits within these bounds, and a quiet period of sane length.
LIMITS = {
    "max_answered_calls_per_day": (0, 10),
    "max_unanswered_calls_per_day": (0, 20),
    "reachable_within_days": (1, 90),
}
QUIET_HOURS_RANGE = (8, 16)


def quiet_hours_length(rules: ContactRules) -> timedelta:
    start = timedelta(hours=rules.quiet_from.hour, minutes=rules.quiet_from.minute)
    end = timedelta(hours=rules.quiet_until.hour, minutes=rules.quiet_until.minute)
    return (end - start) % timedelta(days=1)


def rule_problems(rules: ContactRules) -> list[tuple[str, str, dict]]:
    """What is wrong with a proposed rule set: (code, field, values) for each problem."""
    problems = []
    for field, (low, high) in LIMITS.items():
        if not low <= getattr(rules, field) <= high:
            problems.append(("out_of_range", field, {"low": low, "high": high}))
    low, high = QUIET_HOURS_RANGE
    if not timedelta(hours=low) <= quiet_hours_length(rules) <= timedelta(hours=high):
        problems.append(("quiet_hours_length", "quiet_until", {"low": low, "high": high}))
    return problems
