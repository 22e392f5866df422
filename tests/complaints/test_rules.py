"""Routing and deadline rules, including weekends and the 15-day boundary."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.complaints.rules import (
    DEFAULT_ROUTES,
    DISPUTE_DAYS,
    HIGH,
    NORMAL,
    URGENT,
    Route,
    deadlines,
    dispute_open_until,
    dispute_window_open,
    escalated,
    next_business_day,
    route_for,
    suggested_category,
)

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "category, queue, priority",
    [
        ("harassment", "compliance", URGENT),
        ("inconvenient_contact", "compliance", HIGH),
        ("third_party_contact", "compliance", URGENT),
        ("threats_impersonation", "compliance", URGENT),
        ("data_misuse", "compliance", HIGH),
        ("wrong_amount", "billing", NORMAL),
        ("payment_not_credited", "billing", HIGH),
        ("plan_request_handling", "general", NORMAL),
        ("other", "general", NORMAL),
        ("something new", "general", NORMAL),
    ],
)
def test_default_routes(category, queue, priority):
    assert route_for(category, DEFAULT_ROUTES) == Route(queue, priority)


def test_routes_are_data():
    routes = {"wrong_amount": Route("compliance", URGENT), "other": Route("general", 4)}
    assert route_for("wrong_amount", routes) == Route("compliance", URGENT)
    assert route_for("harassment", routes) == Route("general", 4)


@pytest.mark.parametrize(
    "filed, acknowledge_by",
    [
        (datetime(2026, 11, 16, 10, tzinfo=SH), datetime(2026, 11, 17, 23, 59, 59, tzinfo=SH)),
        (datetime(2026, 11, 19, 23, 0, tzinfo=SH), datetime(2026, 11, 20, 23, 59, 59, tzinfo=SH)),
        # Friday -> Monday; Saturday and Sunday -> Monday.
        (datetime(2026, 11, 20, 9, tzinfo=SH), datetime(2026, 11, 23, 23, 59, 59, tzinfo=SH)),
        (datetime(2026, 11, 21, 9, tzinfo=SH), datetime(2026, 11, 23, 23, 59, 59, tzinfo=SH)),
        (datetime(2026, 11, 22, 22, tzinfo=SH), datetime(2026, 11, 23, 23, 59, 59, tzinfo=SH)),
        # 17:00 UTC on a Friday is already Saturday in Shanghai.
        (datetime(2026, 11, 20, 17, tzinfo=UTC), datetime(2026, 11, 23, 23, 59, 59, tzinfo=SH)),
    ],
)
def test_acknowledge_by_the_end_of_the_next_business_day(filed, acknowledge_by):
    assert deadlines(filed, SH).acknowledge_by == acknowledge_by


@pytest.mark.parametrize(
    "filed, respond_by",
    [
        (datetime(2026, 11, 1, 0, 5, tzinfo=SH), datetime(2026, 11, 16, 23, 59, 59, tzinfo=SH)),
        (datetime(2026, 11, 1, 23, 55, tzinfo=SH), datetime(2026, 11, 16, 23, 59, 59, tzinfo=SH)),
        (datetime(2026, 12, 20, 12, tzinfo=SH), datetime(2027, 1, 4, 23, 59, 59, tzinfo=SH)),
        (datetime(2028, 2, 20, 12, tzinfo=SH), datetime(2028, 3, 6, 23, 59, 59, tzinfo=SH)),
    ],
)
def test_respond_by_the_end_of_calendar_day_15(filed, respond_by):
    due = deadlines(filed, SH).respond_by
    assert due == respond_by
    # The boundary: the last second of day 15 is on time, the next one is late.
    assert (due - filed.astimezone(SH)).days in (14, 15)


def test_deadlines_run_in_the_business_time_zone_given():
    # Friday 20:00 in Los Angeles is already Saturday in Shanghai.
    la = ZoneInfo("America/Los_Angeles")
    filed = datetime(2026, 11, 20, 20, tzinfo=la)
    assert deadlines(filed, la).acknowledge_by == datetime(2026, 11, 23, 23, 59, 59, tzinfo=la)
    assert deadlines(filed, la).respond_by == datetime(2026, 12, 5, 23, 59, 59, tzinfo=la)
    assert deadlines(filed, SH).respond_by == datetime(2026, 12, 6, 23, 59, 59, tzinfo=SH)


RESOLVED = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "dispute_until, now, open_",
    [
        (None, RESOLVED, False),
        (dispute_open_until(RESOLVED), RESOLVED, True),
        (dispute_open_until(RESOLVED), datetime(2026, 12, 2, 9, tzinfo=UTC), True),
        (dispute_open_until(RESOLVED), datetime(2026, 12, 2, 9, 0, 1, tzinfo=UTC), False),
    ],
)
def test_a_resolution_can_be_disputed_for_30_days(dispute_until, now, open_):
    assert DISPUTE_DAYS == 30
    assert dispute_window_open(dispute_until, now) is open_


def test_next_business_day_skips_weekends():
    from datetime import date

    assert next_business_day(date(2026, 11, 20)) == date(2026, 11, 23)
    assert next_business_day(date(2026, 11, 23)) == date(2026, 11, 24)


@pytest.mark.parametrize("priority, after", [(4, 3), (3, 2), (2, 1), (1, 1)])
def test_escalation_raises_priority_up_to_urgent(priority, after):
    assert escalated(priority) == after


@pytest.mark.parametrize(
    "breaches, category",
    [
        (["quiet_hours"], "inconvenient_contact"),
        (["too_many_answered_calls"], "inconvenient_contact"),
        (["third_party_while_reachable"], "third_party_contact"),
        ([], None),
    ],
)
def test_marked_contacts_suggest_a_category(breaches, category):
    assert suggested_category(breaches) == category
