"""Contact-rule checks, in the borrower's time zone, with day boundaries."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.loans.contact_rules import (
    AFTER_PREFERRED_HOURS,
    BEFORE_PREFERRED_HOURS,
    BEGINNING,
    QUIET_HOURS,
    REPRESENTATIVE_BYPASSED,
    THIRD_PARTY_WHILE_REACHABLE,
    TOO_MANY_ANSWERED_CALLS,
    TOO_MANY_UNANSWERED_CALLS,
    UNWANTED_CHANNEL,
    UNWANTED_PARTY,
    Contact,
    ContactPreferences,
    ContactRules,
    check_contacts,
    in_quiet_hours,
    preferences_at,
    rule_book,
)

RULES = ContactRules()
SH = ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0, zone=SH):
    return datetime(2026, 3, day, hour, minute, tzinfo=zone)


def contact(n, when, channel="call", party="borrower", outcome="answered"):
    return Contact(n, when, channel, party, outcome)


@pytest.mark.parametrize(
    "local, quiet",
    [
        (time(7, 59), True),
        (time(8, 0), False),
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(3, 0), True),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_span_midnight(local, quiet):
    assert in_quiet_hours(local, RULES) is quiet


@pytest.mark.parametrize(
    "when, channel, broken",
    [
        (at(5, 22, 30), "call", True),
        (at(5, 7, 45), "sms", True),
        (at(5, 8, 0), "call", False),
        (at(5, 23, 0), "letter", False),  # a letter has no hour
        (at(5, 23, 0), "legal", False),
        # 14:30 UTC is 22:30 in Shanghai: quiet there, though mid-afternoon in UTC.
        (datetime(2026, 3, 5, 14, 30, tzinfo=UTC), "call", True),
        # 00:30 UTC is 08:30 in Shanghai: allowed, though after midnight in UTC.
        (datetime(2026, 3, 5, 0, 30, tzinfo=UTC), "call", False),
    ],
)
def test_quiet_hours_in_the_borrowers_time_zone(when, channel, broken):
    found = check_contacts([contact(1, when, channel)], RULES, "Asia/Shanghai")
    assert (QUIET_HOURS in found.get(1, [])) is broken


def test_quiet_hours_follow_another_time_zone():
    # 01:00 UTC is 20:00 the evening before in New York: allowed there.
    when = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)
    assert check_contacts([contact(1, when)], RULES, "America/New_York") == {}
    assert QUIET_HOURS not in check_contacts([contact(1, when)], RULES, "Asia/Shanghai").get(1, [])


def test_fourth_answered_call_of_a_day_breaks_the_limit():
    calls = [contact(n, at(5, 9 + n)) for n in range(1, 5)]
    assert check_contacts(calls, RULES, "Asia/Shanghai") == {4: [TOO_MANY_ANSWERED_CALLS]}


def test_seventh_unanswered_attempt_breaks_the_limit():
    calls = [contact(n, at(5, 9, n), outcome="unanswered") for n in range(1, 8)]
    assert check_contacts(calls, RULES, "Asia/Shanghai") == {7: [TOO_MANY_UNANSWERED_CALLS]}


def test_daily_limits_count_per_local_day():
    # A New York borrower: three answered calls on the evening of the 5th and three on the
    # morning of the 6th. All six fall on 6 March in UTC, but on two local days: no breach.
    ny = ZoneInfo("America/New_York")
    calls = [contact(n, at(5, 18 + n, zone=ny)) for n in range(1, 4)]
    calls += [contact(10 + n, at(6, 8 + n, zone=ny)) for n in range(1, 4)]
    assert {c.contacted_at.astimezone(UTC).date() for c in calls} == {at(6, 0, zone=UTC).date()}
    assert check_contacts(calls, RULES, "America/New_York") == {}
    assert TOO_MANY_ANSWERED_CALLS in sum(check_contacts(calls, RULES, "UTC").values(), [])


def test_calls_at_the_day_boundary_count_for_the_right_day():
    # 21:59 on the 5th and 08:00 on the 6th are different days.
    calls = [
        contact(1, at(5, 20)),
        contact(2, at(5, 21)),
        contact(3, at(5, 21, 59)),
        contact(4, at(6, 8, 0)),
    ]
    assert check_contacts(calls, RULES, "Asia/Shanghai") == {}


def test_third_party_contacted_while_borrower_reachable():
    contacts = [
        contact(1, at(5, 10)),
        contact(2, at(5, 11), party="emergency_contact"),
        contact(3, at(20, 11), party="employer"),  # 15 days later: borrower not reached since
    ]
    assert check_contacts(contacts, RULES, "Asia/Shanghai") == {2: [THIRD_PARTY_WHILE_REACHABLE]}


def test_third_party_allowed_when_borrower_could_not_be_reached():
    contacts = [contact(n, at(5, 9 + n), outcome="unanswered") for n in range(1, 4)]
    contacts.append(contact(9, at(5, 15), party="family"))
    assert check_contacts(contacts, RULES, "Asia/Shanghai") == {}


def test_reachability_window_is_data():
    rules = ContactRules(reachable_within_days=1)
    contacts = [contact(1, at(5, 10)), contact(2, at(5, 10) + timedelta(days=2), party="family")]
    assert check_contacts(contacts, rules, "Asia/Shanghai") == {}
    assert check_contacts(contacts, RULES, "Asia/Shanghai") == {2: [THIRD_PARTY_WHILE_REACHABLE]}


def test_one_contact_can_break_several_rules():
    calls = [contact(n, at(5, 9 + n)) for n in range(1, 4)] + [contact(4, at(5, 23))]
    assert check_contacts(calls, RULES, "Asia/Shanghai") == {
        4: [QUIET_HOURS, TOO_MANY_ANSWERED_CALLS]
    }


def test_limits_are_data():
    rules = ContactRules(
        quiet_from=time(21, 0), quiet_until=time(9, 0), max_answered_calls_per_day=1
    )
    calls = [contact(1, at(5, 10)), contact(2, at(5, 21, 30))]
    assert check_contacts(calls, rules, "Asia/Shanghai") == {
        2: [QUIET_HOURS, TOO_MANY_ANSWERED_CALLS]
    }


# --- the borrower's own contact preferences ---------------------------------------------

SET_AT = at(5, 12)
SMS_ONLY_TILL_8PM_NOT_EMPLOYER = ContactPreferences(
    set_at=SET_AT,
    channels=frozenset({"sms"}),
    latest=time(20, 0),
    barred_parties=frozenset({"employer"}),
)
NOT_BEFORE_10 = ContactPreferences(set_at=SET_AT, earliest=time(10, 0))
REPRESENTED = ContactPreferences(
    set_at=SET_AT, representative_name="李律师", representative_phone="13900000000"
)


@pytest.mark.parametrize(
    "preferences, when, channel, party, expected",
    [
        # SMS only, not after 20:00, never the employer
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 20, 30), "call", "borrower",
         [UNWANTED_CHANNEL, AFTER_PREFERRED_HOURS]),
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 19, 0), "sms", "borrower", []),
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 20, 0), "sms", "borrower", []),  # 20:00 itself
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 20, 1), "sms", "borrower", [AFTER_PREFERRED_HOURS]),
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 11, 0), "email", "borrower", [UNWANTED_CHANNEL]),
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 11, 0), "sms", "employer", [UNWANTED_PARTY]),
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 11, 0), "sms", "family", []),
        # a letter has no hour, but is still a channel the borrower refused
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 21, 0), "letter", "borrower", [UNWANTED_CHANNEL]),
        # legal notices and app notifications are not the borrower's to refuse
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 11, 0), "legal", "borrower", []),
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(6, 11, 0), "push", "borrower", []),
        # preferences bind from the moment they were set, not before
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(5, 11, 0), "call", "employer", []),
        (SMS_ONLY_TILL_8PM_NOT_EMPLOYER, at(5, 12, 0), "call", "borrower", [UNWANTED_CHANNEL]),
        (NOT_BEFORE_10, at(6, 9, 59), "call", "borrower", [BEFORE_PREFERRED_HOURS]),
        (NOT_BEFORE_10, at(6, 10, 0), "call", "borrower", []),
        # 01:30 UTC is 09:30 in Shanghai: before the borrower's 10:00, though the law allows it
        (NOT_BEFORE_10, datetime(2026, 3, 6, 1, 30, tzinfo=UTC), "sms", "borrower",
         [BEFORE_PREFERRED_HOURS]),
        (REPRESENTED, at(6, 11, 0), "call", "borrower", [REPRESENTATIVE_BYPASSED]),
        (REPRESENTED, at(6, 11, 0), "letter", "borrower", []),
        (REPRESENTED, at(6, 11, 0), "call", "other_third_party", []),
        (None, at(6, 21, 0), "call", "employer", []),
    ],
)  # fmt: skip
def test_contacts_are_judged_by_the_borrowers_own_preferences(
    preferences, when, channel, party, expected
):
    marks = check_contacts(
        [Contact(1, when, channel, party, "answered", preferences)], RULES, "Asia/Shanghai"
    )
    assert marks.get(1, []) == expected


def test_legal_breaches_come_first_then_the_borrowers_own():
    late_call = Contact(
        1, at(6, 22, 30), "call", "borrower", "answered", SMS_ONLY_TILL_8PM_NOT_EMPLOYER
    )
    assert check_contacts([late_call], RULES, "Asia/Shanghai") == {
        1: [QUIET_HOURS, UNWANTED_CHANNEL, AFTER_PREFERRED_HOURS]
    }


def test_the_preferences_in_force_are_the_last_set_before_the_contact():
    first = ContactPreferences(set_at=at(5, 12), channels=frozenset({"sms"}))
    second = ContactPreferences(set_at=at(7, 12), channels=frozenset({"sms", "call"}))
    history = [second, first]
    assert preferences_at(history, at(5, 11)) is None
    assert preferences_at(history, at(5, 12)) is first
    assert preferences_at(history, at(7, 11, 59)) is first
    assert preferences_at(history, at(8, 9)) is second


# Quiet from 21:00 from 10 March on (a stricter set), the default (22:00) before.
STRICTER = ContactRules(quiet_from=time(21, 0), max_answered_calls_per_day=1)
BOOK = rule_book([(at(10, 0), STRICTER), (BEGINNING, RULES)])


@pytest.mark.parametrize(
    "when, broken",
    [
        (at(9, 21, 30), False),  # before the change: judged by the old set
        (at(9, 22, 30), True),
        (at(10, 21, 30), True),  # after it: by the new one
        (at(10, 20, 59), False),
    ],
)
def test_each_contact_is_judged_by_the_rules_in_force_when_it_happened(when, broken):
    assert (
        QUIET_HOURS in check_contacts([contact(1, when)], BOOK, "Asia/Shanghai").get(1, [])
    ) is (broken)


def test_a_rule_book_gives_the_newest_set_in_force_at_a_time():
    assert BOOK.in_force(at(9, 23, 59)) == RULES
    assert BOOK.in_force(at(10, 0)) == STRICTER
    assert rule_book([(at(10, 0), STRICTER)]).in_force(at(9, 12)) == ContactRules()


def test_daily_limits_are_those_in_force_at_each_call():
    calls = [
        contact(1, at(9, 10)),
        contact(2, at(9, 11)),
        contact(3, at(10, 10)),
        contact(4, at(10, 11)),
    ]
    assert check_contacts(calls, BOOK, "Asia/Shanghai") == {4: [TOO_MANY_ANSWERED_CALLS]}
