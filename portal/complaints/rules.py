"""Complaint rules: categories, routing, deadlines and escalation. Plain values only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.holidays.rules import next_business_day

CATEGORIES = (
    "harassment",
    "inconvenient_contact",
    "third_party_contact",
    "threats_impersonation",
    "data_misuse",
    "wrong_amount",
    "payment_not_credited",
    "plan_request_handling",
    "other",
)
QUEUES = ("compliance", "billing", "general")
URGENT, HIGH, NORMAL, LOW = 1, 2, 3, 4
OUTCOMES = ("explanation", "monetary_relief", "non_monetary_relief")
RESPONSE_DAYS = 15
DISPUTE_DAYS = 30


@dataclass(frozen=True)
class Route:
    queue: str
    priority: int


DEFAULT_ROUTES = {
    "harassment": Route("compliance", URGENT),
    "inconvenient_contact": Route("compliance", HIGH),
    "third_party_contact": Route("compliance", URGENT),
    "threats_impersonation": Route("compliance", URGENT),
    "data_misuse": Route("compliance", HIGH),
    "wrong_amount": Route("billing", NORMAL),
    "payment_not_credited": Route("billing", HIGH),
    "plan_request_handling": Route("general", NORMAL),
    "other": Route("general", NORMAL),
}

# The category a contact-rule mark suggests for a complaint about that contact.
SUGGESTED_FOR_BREACH = {
    "quiet_hours": "inconvenient_contact",
    "too_many_answered_calls": "inconvenient_contact",
    "too_many_unanswered_calls": "inconvenient_contact",
    "third_party_while_reachable": "third_party_contact",
    # Breaches of the borrower's own contact preferences.
    "unwanted_channel": "inconvenient_contact",
    "before_preferred_hours": "inconvenient_contact",
    "after_preferred_hours": "inconvenient_contact",
    "unwanted_party": "third_party_contact",
    "representative_bypassed": "inconvenient_contact",
}


def route_for(category: str, routes: dict[str, Route]) -> Route:
    """Where a category goes; unknown categories land in the general queue."""
    return routes.get(category) or routes.get("other") or Route("general", NORMAL)


def suggested_category(breaches: list[str]) -> str | None:
    for breach in breaches:
        if breach in SUGGESTED_FOR_BREACH:
            return SUGGESTED_FOR_BREACH[breach]
    return None


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    respond_by: datetime


def deadlines(
    filed_at: datetime, zone: ZoneInfo, calendar: Mapping[date, str] | None = None
) -> Deadlines:
    """Acknowledge by the end of the next business day; respond by the end of day 15.

    Days are counted in the lender's time zone `zone`; business days on its `calendar` of
    holidays and make-up working days (weekdays only when none is given). The 15 days to respond
    are calendar days.
    """
    filed_on = filed_at.astimezone(zone).date()
    return Deadlines(
        acknowledge_by=_end_of(next_business_day(filed_on, calendar), zone),
        respond_by=_end_of(filed_on + timedelta(days=RESPONSE_DAYS), zone),
    )


def escalated(priority: int) -> int:
    """One step more urgent, never beyond urgent."""
    return max(URGENT, priority - 1)


def dispute_open_until(resolved_at: datetime) -> datetime:
    return resolved_at + timedelta(days=DISPUTE_DAYS)


def dispute_window_open(dispute_until: datetime | None, now: datetime) -> bool:
    """True while a resolution can still be disputed (up to and including `dispute_until`)."""
    return dispute_until is not None and now <= dispute_until
