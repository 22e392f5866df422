"""The complaint lifecycle table: who may do what in which status, and where it leads."""

import pytest

from portal.complaints.labels import MESSAGES
from portal.complaints.lifecycle import (
    ACTIONS,
    OPEN_STATUSES,
    REFUSALS,
    STATUSES,
    TRANSITIONS,
    ActionRefused,
    Actor,
    allowed_actions,
    next_status,
    statuses_allowing,
)
from portal.errors import DomainError

STAFF, BORROWER, TIME = Actor.STAFF, Actor.BORROWER, Actor.TIME
OPEN = "dispute window open"
ALL_STAFF = {
    "claim",
    "assign",
    "acknowledge",
    "investigating",
    "awaiting_borrower",
    "reply",
    "note",
    "resolve",
}


@pytest.mark.parametrize(
    "status, actor, action, after, window",
    [
        ("new", STAFF, "claim", "new", None),
        ("new", STAFF, "assign", "new", None),
        ("new", STAFF, "note", "new", None),
        ("new", STAFF, "acknowledge", "acknowledged", None),
        ("new", STAFF, "reply", "acknowledged", None),
        ("new", STAFF, "investigating", "investigating", None),
        ("new", STAFF, "resolve", "resolved", None),
        ("acknowledged", STAFF, "reply", "acknowledged", None),
        ("acknowledged", STAFF, "awaiting_borrower", "awaiting_borrower", None),
        ("investigating", STAFF, "awaiting_borrower", "awaiting_borrower", None),
        ("awaiting_borrower", STAFF, "investigating", "investigating", None),
        ("awaiting_borrower", STAFF, "reply", "awaiting_borrower", None),
        ("reopened", STAFF, "investigating", "investigating", None),
        ("reopened", STAFF, "reply", "reopened", None),
        ("reopened", STAFF, "resolve", "resolved", None),
        ("resolved", STAFF, "note", "resolved", None),
        ("new", BORROWER, "borrower_reply", "new", None),
        ("investigating", BORROWER, "borrower_reply", "investigating", None),
        ("awaiting_borrower", BORROWER, "borrower_reply", "investigating", None),
        ("reopened", BORROWER, "borrower_reply", "reopened", None),
        ("resolved", BORROWER, "accept", "closed", None),
        ("resolved", BORROWER, "dispute", "reopened", OPEN),
        ("new", TIME, "acknowledgement_late", "new", None),
        ("new", TIME, "response_late", "new", None),
        ("awaiting_borrower", TIME, "response_late", "awaiting_borrower", None),
        ("resolved", TIME, "dispute_window_passed", "closed", None),
    ],
)
def test_transitions(status, actor, action, after, window):
    assert next_status(status, action, actor, dispute_window_open=window == OPEN) == after
    assert action in allowed_actions(status, actor, dispute_window_open=window == OPEN)


@pytest.mark.parametrize(
    "status, actor, action, reason, window",
    [
        ("resolved", STAFF, "reply", "closed", None),
        ("resolved", STAFF, "claim", "closed", None),
        ("resolved", STAFF, "resolve", "closed", None),
        ("closed", STAFF, "note", "closed", None),
        ("closed", STAFF, "acknowledge", "closed", None),
        ("acknowledged", STAFF, "acknowledge", "no_change", None),
        ("investigating", STAFF, "investigating", "no_change", None),
        ("awaiting_borrower", STAFF, "awaiting_borrower", "no_change", None),
        ("reopened", STAFF, "acknowledge", "no_change", None),
        ("new", STAFF, "explode", "unknown_action", None),
        ("new", STAFF, "", "unknown_action", None),
        ("resolved", STAFF, "accept", "unknown_action", None),  # the borrower's, not staff's
        ("new", BORROWER, "resolve", "unknown_action", None),
        ("new", BORROWER, "reply", "unknown_action", None),  # the staff's reply
        ("resolved", BORROWER, "borrower_reply", "not_open", None),
        ("closed", BORROWER, "borrower_reply", "not_open", None),
        ("investigating", BORROWER, "accept", "not_resolved", None),
        ("closed", BORROWER, "accept", "not_resolved", None),
        ("reopened", BORROWER, "dispute", "not_resolved", OPEN),
        ("closed", BORROWER, "dispute", "not_resolved", OPEN),
        ("resolved", BORROWER, "dispute", "dispute_window_closed", None),
        ("acknowledged", TIME, "acknowledgement_late", "not_open", None),
        ("resolved", TIME, "response_late", "not_open", None),
        ("reopened", TIME, "dispute_window_passed", "not_resolved", None),
    ],
)
def test_refusals_say_why(status, actor, action, reason, window):
    with pytest.raises(ActionRefused) as refused:
        next_status(status, action, actor, dispute_window_open=window == OPEN)
    assert refused.value.code == reason
    assert action not in allowed_actions(status, actor, dispute_window_open=window == OPEN)


@pytest.mark.parametrize(
    "status, actor, window, actions",
    [
        ("new", STAFF, None, ALL_STAFF),
        ("acknowledged", STAFF, None, ALL_STAFF - {"acknowledge"}),
        ("investigating", STAFF, None, ALL_STAFF - {"acknowledge", "investigating"}),
        ("awaiting_borrower", STAFF, None, ALL_STAFF - {"acknowledge", "awaiting_borrower"}),
        ("reopened", STAFF, None, ALL_STAFF - {"acknowledge"}),
        ("resolved", STAFF, None, {"note"}),
        ("closed", STAFF, None, set()),
        ("new", BORROWER, None, {"borrower_reply"}),
        ("awaiting_borrower", BORROWER, None, {"borrower_reply"}),
        ("resolved", BORROWER, OPEN, {"accept", "dispute"}),
        ("resolved", BORROWER, None, {"accept"}),
        ("closed", BORROWER, OPEN, set()),
        ("new", TIME, None, {"acknowledgement_late", "response_late"}),
        ("reopened", TIME, None, {"response_late"}),
        ("resolved", TIME, None, {"dispute_window_passed"}),
        ("closed", TIME, None, set()),
    ],
)
def test_allowed_actions(status, actor, window, actions):
    assert allowed_actions(status, actor, dispute_window_open=window == OPEN) == actions


@pytest.mark.parametrize(
    "action, statuses",
    [
        ("acknowledgement_late", ("new",)),
        ("response_late", OPEN_STATUSES),
        ("dispute_window_passed", ("resolved",)),
        ("borrower_reply", OPEN_STATUSES),
        ("note", (*OPEN_STATUSES, "resolved")),
    ],
)
def test_statuses_allowing(action, statuses):
    assert set(statuses_allowing(action)) == set(statuses)


def test_the_table_is_closed_and_every_refusal_has_a_message():
    every_action = {action for actions in ACTIONS.values() for action in actions}
    for (status, action), after in TRANSITIONS.items():
        assert status in STATUSES and after in STATUSES and action in every_action
    # Closed is final; every other status has a way forward.
    assert not any(status == "closed" for status, _ in TRANSITIONS)
    assert {status for status, _ in TRANSITIONS} == set(STATUSES) - {"closed"}
    assert set(REFUSALS) == every_action
    for code in {*REFUSALS.values(), "unknown_action", "dispute_window_closed", "no_change"}:
        assert code in MESSAGES
    assert issubclass(ActionRefused, DomainError)
