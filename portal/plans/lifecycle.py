"""The life of a hardship request, as a table: which action takes a request from which status
to which.

Plain values only; no Flask, no database. Services ask `transition` before they change a request
and pages ask `allowed_actions` which buttons to show, so the rules are written once, here.
"""

from __future__ import annotations

from portal.errors import NotAllowed

SUBMITTED = "submitted"
SECOND_APPROVAL = "second_approval"
OFFERED = "offered"
ACCEPTED = "accepted"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
DECLINED = "declined"
LAPSED = "lapsed"

# Waiting for an approver; open (waiting for an approver or for the borrower); closed for good.
WAITING = (SUBMITTED, SECOND_APPROVAL)
OPEN = (*WAITING, OFFERED)
CLOSED = (ACCEPTED, REJECTED, WITHDRAWN, DECLINED, LAPSED)
STATUSES = OPEN + CLOSED

# Who acts on a request.
BORROWER = "borrower"
APPROVER = "approver"
TIME = "time"

WITHDRAW = "withdraw"
ADD_DOCUMENTS = "add_documents"
ACCEPT = "accept"
DECLINE = "decline"
APPROVE = "approve"
SECOND_APPROVE = "second_approve"
COUNTER = "counter"
REJECT = "reject"
LAPSE = "lapse"

ACTORS = {
    WITHDRAW: BORROWER,
    ADD_DOCUMENTS: BORROWER,
    ACCEPT: BORROWER,
    DECLINE: BORROWER,
    APPROVE: APPROVER,
    SECOND_APPROVE: APPROVER,
    COUNTER: APPROVER,
    REJECT: APPROVER,
    LAPSE: TIME,
}
# The approvers' actions, as recorded in a request's decisions.
DECISIONS = (APPROVE, SECOND_APPROVE, REJECT, COUNTER)

TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, APPROVE): OFFERED,
    (SUBMITTED, COUNTER): OFFERED,
    (SUBMITTED, REJECT): REJECTED,
    (SUBMITTED, WITHDRAW): WITHDRAWN,
    (SUBMITTED, ADD_DOCUMENTS): SUBMITTED,
    (SECOND_APPROVAL, SECOND_APPROVE): OFFERED,
    (SECOND_APPROVAL, REJECT): REJECTED,
    (SECOND_APPROVAL, WITHDRAW): WITHDRAWN,
    (SECOND_APPROVAL, ADD_DOCUMENTS): SECOND_APPROVAL,
    (OFFERED, ACCEPT): ACCEPTED,
    (OFFERED, DECLINE): DECLINED,
    (OFFERED, WITHDRAW): WITHDRAWN,
    (OFFERED, ADD_DOCUMENTS): OFFERED,
    (OFFERED, LAPSE): LAPSED,
}

# A request above the second-approval limit waits for a second, different approver before the
# borrower sees the terms (as asked, or a counter-offer).
WITH_SECOND_APPROVAL: dict[tuple[str, str], str] = {
    (SUBMITTED, APPROVE): SECOND_APPROVAL,
    (SUBMITTED, COUNTER): SECOND_APPROVAL,
}


class TransitionRefused(NotAllowed):
    """The action is not possible on a request in this status (or not for this actor)."""

    def __init__(self, code: str, *, status: str, action: str):
        super().__init__(code, status=status, action=action)


def allowed_actions(status: str, *, actor: str, first_approver: bool = False) -> frozenset[str]:
    """What `actor` may do to a request in `status`.

    `first_approver`: the approver gave the request its first approval, so cannot give the second.
    """
    return frozenset(
        action
        for (source, action) in TRANSITIONS
        if source == status
        and ACTORS[action] == actor
        and not (action == SECOND_APPROVE and first_approver)
    )


def approver_action(status: str, button: str) -> str:
    """The decision an approver's button records: "approve" on a request that waits for its
    second approval is the second approval."""
    return SECOND_APPROVE if (status, button) == (SECOND_APPROVAL, APPROVE) else button


def transition(
    status: str,
    action: str,
    *,
    actor: str,
    needs_second_approval: bool = False,
    first_approver: bool = False,
) -> str:
    """The status `action` takes a request in `status` to; TransitionRefused if it may not."""
    if ACTORS.get(action) != actor:
        raise TransitionRefused("unknown_action", status=status, action=action)
    if (status, action) not in TRANSITIONS:
        raise TransitionRefused(_refusal(status, action), status=status, action=action)
    if action == SECOND_APPROVE and first_approver:
        raise TransitionRefused("same_approver", status=status, action=action)
    if needs_second_approval and (status, action) in WITH_SECOND_APPROVAL:
        return WITH_SECOND_APPROVAL[(status, action)]
    return TRANSITIONS[(status, action)]


def _refusal(status: str, action: str) -> str:
    """Why a known action is not possible in `status`, as a message code."""
    if ACTORS[action] == APPROVER:
        if status not in WAITING:
            return "already_decided"
        return "counter_on_second_approval" if action == COUNTER else "unknown_action"
    if action in (WITHDRAW, ADD_DOCUMENTS):
        return "not_open"
    return "not_offered"
