"""The correction request lifecycle table and its deadline."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.corrections import lifecycle
from portal.corrections.lifecycle import Actor
from tests.helpers import NOW, SHANGHAI, shanghai


@pytest.mark.parametrize(
    ("status", "action", "actor", "after"),
    [
        ("open", "accept", Actor.STAFF, "accepted"),
        ("open", "refuse", Actor.STAFF, "refused"),
        ("open", "answer_late", Actor.TIME, "open"),
    ],
)
def test_transitions(status, action, actor, after):
    assert lifecycle.next_status(status, action, actor) == after


@pytest.mark.parametrize("status", ["accepted", "refused"])
@pytest.mark.parametrize(
    ("action", "actor"),
    [("accept", Actor.STAFF), ("refuse", Actor.STAFF), ("answer_late", Actor.TIME)],
)
def test_an_answered_request_is_final(status, action, actor):
    assert lifecycle.allowed_actions(status, actor) == frozenset()
    with pytest.raises(lifecycle.ActionRefused) as refused:
        lifecycle.next_status(status, action, actor)
    assert refused.value.code == "already_answered"


def test_each_actor_takes_only_its_own_actions():
    assert lifecycle.allowed_actions("open", Actor.STAFF) == {"accept", "refuse"}
    assert lifecycle.allowed_actions("open", Actor.TIME) == {"answer_late"}
    with pytest.raises(lifecycle.ActionRefused):
        lifecycle.next_status("open", "answer_late", Actor.STAFF)
    with pytest.raises(lifecycle.ActionRefused):
        lifecycle.next_status("open", "accept", Actor.TIME)
    assert lifecycle.statuses_allowing("answer_late") == ("open",)


def test_the_answer_is_due_at_the_end_of_calendar_day_15_in_the_business_zone():
    # Friday 20 November 2026, 10:00 in Shanghai: due Saturday 5 December, 23:59:59 there.
    due = lifecycle.answer_due(NOW, SHANGHAI)
    assert due == datetime(2026, 12, 5, 23, 59, 59, tzinfo=SHANGHAI)
    # Filed at 23:30 Shanghai (15:30 UTC the same day): the Shanghai date counts, not UTC's.
    late_evening = shanghai(NOW.date(), 23, 30)
    assert lifecycle.answer_due(late_evening, SHANGHAI) == due
    # Filed at 00:30 Shanghai on the 21st, still the 20th in UTC: one day later.
    after_midnight = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
    assert lifecycle.answer_due(after_midnight, SHANGHAI) == due + timedelta(days=1)


def test_late_only_while_open_and_past_the_deadline():
    due = lifecycle.answer_due(NOW, SHANGHAI)
    assert not lifecycle.is_late("open", due, due)
    assert lifecycle.is_late("open", due, due + timedelta(seconds=1))
    assert not lifecycle.is_late("accepted", due, due + timedelta(days=3))
