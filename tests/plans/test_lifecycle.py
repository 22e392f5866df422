"""The request lifecycle: every status and action, from a table (as Indico's transactions_test)."""

import pytest

from portal.errors import NotAllowed
from portal.plans.labels import MESSAGES
from portal.plans.lifecycle import (
    ACCEPT,
    ACCEPTED,
    ACTORS,
    ADD_DOCUMENTS,
    APPROVE,
    APPROVER,
    BORROWER,
    CLOSED,
    COUNTER,
    DECLINE,
    DECLINED,
    LAPSE,
    LAPSED,
    OFFERED,
    OPEN,
    REJECT,
    REJECTED,
    SECOND_APPROVAL,
    SECOND_APPROVE,
    STATUSES,
    SUBMITTED,
    TIME,
    TRANSITIONS,
    WITHDRAW,
    WITHDRAWN,
    TransitionRefused,
    allowed_actions,
    approver_action,
    transition,
)

# (status, action, needs a second approval, by the first approver) -> new status, or the code
# of the refusal. Every action in every status appears at least once.
CASES = [
    (SUBMITTED, APPROVE, False, False, OFFERED),
    (SUBMITTED, APPROVE, True, False, SECOND_APPROVAL),
    (SUBMITTED, COUNTER, False, False, OFFERED),
    (SUBMITTED, COUNTER, True, False, SECOND_APPROVAL),
    (SUBMITTED, REJECT, False, False, REJECTED),
    (SUBMITTED, REJECT, True, False, REJECTED),
    (SUBMITTED, SECOND_APPROVE, True, False, "unknown_action"),
    (SUBMITTED, WITHDRAW, False, False, WITHDRAWN),
    (SUBMITTED, ADD_DOCUMENTS, False, False, SUBMITTED),
    (SUBMITTED, ACCEPT, False, False, "not_offered"),
    (SUBMITTED, DECLINE, False, False, "not_offered"),
    (SUBMITTED, LAPSE, False, False, "not_offered"),
    (SECOND_APPROVAL, SECOND_APPROVE, True, False, OFFERED),
    (SECOND_APPROVAL, SECOND_APPROVE, True, True, "same_approver"),
    (SECOND_APPROVAL, APPROVE, True, False, "unknown_action"),
    (SECOND_APPROVAL, COUNTER, True, False, "counter_on_second_approval"),
    (SECOND_APPROVAL, REJECT, True, False, REJECTED),
    # The first approver may still reject what they approved.
    (SECOND_APPROVAL, REJECT, True, True, REJECTED),
    (SECOND_APPROVAL, WITHDRAW, True, False, WITHDRAWN),
    (SECOND_APPROVAL, ADD_DOCUMENTS, True, False, SECOND_APPROVAL),
    (SECOND_APPROVAL, ACCEPT, True, False, "not_offered"),
    (SECOND_APPROVAL, DECLINE, True, False, "not_offered"),
    (SECOND_APPROVAL, LAPSE, True, False, "not_offered"),
    (OFFERED, ACCEPT, False, False, ACCEPTED),
    (OFFERED, DECLINE, False, False, DECLINED),
    (OFFERED, WITHDRAW, False, False, WITHDRAWN),
    (OFFERED, ADD_DOCUMENTS, False, False, OFFERED),
    (OFFERED, LAPSE, False, False, LAPSED),
    (OFFERED, APPROVE, False, False, "already_decided"),
    (OFFERED, SECOND_APPROVE, True, False, "already_decided"),
    (OFFERED, COUNTER, False, False, "already_decided"),
    (OFFERED, REJECT, False, False, "already_decided"),
    *[(status, APPROVE, False, False, "already_decided") for status in CLOSED],
    *[(status, REJECT, False, False, "already_decided") for status in CLOSED],
    *[(status, COUNTER, False, False, "already_decided") for status in CLOSED],
    *[(status, SECOND_APPROVE, True, False, "already_decided") for status in CLOSED],
    *[(status, WITHDRAW, False, False, "not_open") for status in CLOSED],
    *[(status, ADD_DOCUMENTS, False, False, "not_open") for status in CLOSED],
    *[(status, ACCEPT, False, False, "not_offered") for status in CLOSED],
    *[(status, DECLINE, False, False, "not_offered") for status in CLOSED],
    *[(status, LAPSE, False, False, "not_offered") for status in CLOSED],
    (SUBMITTED, "delete", False, False, "unknown_action"),
]


@pytest.mark.parametrize("status, action, needs_second, first_approver, expected", CASES)
def test_transitions(status, action, needs_second, first_approver, expected):
    def run():
        return transition(
            status,
            action,
            actor=ACTORS.get(action, APPROVER),
            needs_second_approval=needs_second,
            first_approver=first_approver,
        )

    if expected in STATUSES:
        assert run() == expected
    else:
        with pytest.raises(TransitionRefused) as refused:
            run()
        assert refused.value.code == expected
        assert refused.value.values == {"status": status, "action": action}


def test_the_table_covers_every_transition():
    listed = {(status, action) for status, action, *_ in CASES}
    assert set(TRANSITIONS) <= listed
    assert {(status, action) for status in STATUSES for action in ACTORS} <= listed


@pytest.mark.parametrize(
    "action, actor",
    [(APPROVE, BORROWER), (WITHDRAW, APPROVER), (ACCEPT, TIME), (LAPSE, BORROWER)],
)
def test_only_the_actor_of_an_action_may_take_it(action, actor):
    status = SUBMITTED if ACTORS[action] == APPROVER else OFFERED
    with pytest.raises(TransitionRefused) as refused:
        transition(status, action, actor=actor)
    assert refused.value.code == "unknown_action"


@pytest.mark.parametrize(
    "status, actor, first_approver, expected",
    [
        (SUBMITTED, BORROWER, False, {WITHDRAW, ADD_DOCUMENTS}),
        (SUBMITTED, APPROVER, False, {APPROVE, COUNTER, REJECT}),
        (SECOND_APPROVAL, BORROWER, False, {WITHDRAW, ADD_DOCUMENTS}),
        (SECOND_APPROVAL, APPROVER, False, {SECOND_APPROVE, REJECT}),
        (SECOND_APPROVAL, APPROVER, True, {REJECT}),
        (OFFERED, BORROWER, False, {ACCEPT, DECLINE, WITHDRAW, ADD_DOCUMENTS}),
        (OFFERED, APPROVER, False, set()),
        (OFFERED, TIME, False, {LAPSE}),
        *[(status, BORROWER, False, set()) for status in CLOSED],
        *[(status, APPROVER, False, set()) for status in CLOSED],
        *[(status, TIME, False, set()) for status in CLOSED],
    ],
)
def test_allowed_actions(status, actor, first_approver, expected):
    assert allowed_actions(status, actor=actor, first_approver=first_approver) == expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("actor", [BORROWER, APPROVER, TIME])
def test_allowed_actions_are_exactly_those_that_transition(status, actor):
    for action in ACTORS:
        try:
            transition(status, action, actor=actor)
        except TransitionRefused:
            assert action not in allowed_actions(status, actor=actor)
        else:
            assert action in allowed_actions(status, actor=actor)


@pytest.mark.parametrize(
    "status, button, recorded",
    [
        (SUBMITTED, APPROVE, APPROVE),
        (SECOND_APPROVAL, APPROVE, SECOND_APPROVE),
        (SECOND_APPROVAL, REJECT, REJECT),
        (SUBMITTED, COUNTER, COUNTER),
    ],
)
def test_the_approve_button_gives_the_second_approval_when_one_is_due(status, button, recorded):
    assert approver_action(status, button) == recorded


def test_closed_requests_allow_nothing_and_open_ones_can_be_withdrawn():
    for status in OPEN:
        assert WITHDRAW in allowed_actions(status, actor=BORROWER)
    for status in CLOSED:
        assert not any(source == status for source, _action in TRANSITIONS)


def test_a_refused_transition_is_not_allowed_and_has_a_message():
    codes = {case[-1] for case in CASES if case[-1] not in STATUSES}
    assert codes <= set(MESSAGES)
    assert issubclass(TransitionRefused, NotAllowed)
