"""The complaint lifecycle as a table: which action, by whom, takes a complaint from which status
to which. Plain values only; the service and the pages ask this module, never status strings.

- Staff work on an open complaint (new, acknowledged, investigating, awaiting_borrower,
  reopened): claim, assign, note, acknowledge or reply (a new complaint is then acknowledged),
  set it investigating or waiting for the borrower, or resolve it. A step that would change
  nothing (acknowledging twice, setting the status it has) is not offered.
- The borrower replies while it is open; a complaint waiting for them goes back to investigating.
- A resolved complaint is accepted (closed), disputed within its window (reopened, open again),
  or closed by time when the window has passed; staff may still add internal notes to it.
- Closed is final.
"""

from __future__ import annotations

from enum import StrEnum

from portal.errors import NotAllowed

STATUSES = (
    "new",
    "acknowledged",
    "investigating",
    "awaiting_borrower",
    "resolved",
    "closed",
    "reopened",
)
OPEN_STATUSES = ("new", "acknowledged", "investigating", "awaiting_borrower", "reopened")


class Actor(StrEnum):
    STAFF = "staff"
    BORROWER = "borrower"
    TIME = "time"  # the `tick` command: deadlines and the dispute window


ACTIONS: dict[Actor, tuple[str, ...]] = {
    Actor.STAFF: (
        "claim",
        "assign",
        "acknowledge",
        "investigating",
        "awaiting_borrower",
        "reply",
        "note",
        "resolve",
    ),
    Actor.BORROWER: ("borrower_reply", "accept", "dispute"),
    Actor.TIME: ("acknowledgement_late", "response_late", "dispute_window_passed"),
}

# Staff actions that count as acknowledging the complaint (they set `acknowledged_at`).
ACKNOWLEDGING = frozenset({"acknowledge", "investigating", "awaiting_borrower", "reply", "resolve"})


# (status, action) -> the status after it. A pair that is not here is not allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    # new
    ("new", "claim"): "new",
    ("new", "assign"): "new",
    ("new", "acknowledge"): "acknowledged",
    ("new", "investigating"): "investigating",
    ("new", "awaiting_borrower"): "awaiting_borrower",
    ("new", "reply"): "acknowledged",
    ("new", "note"): "new",
    ("new", "resolve"): "resolved",
    ("new", "borrower_reply"): "new",
    ("new", "acknowledgement_late"): "new",
    ("new", "response_late"): "new",
    # acknowledged
    ("acknowledged", "claim"): "acknowledged",
    ("acknowledged", "assign"): "acknowledged",
    ("acknowledged", "investigating"): "investigating",
    ("acknowledged", "awaiting_borrower"): "awaiting_borrower",
    ("acknowledged", "reply"): "acknowledged",
    ("acknowledged", "note"): "acknowledged",
    ("acknowledged", "resolve"): "resolved",
    ("acknowledged", "borrower_reply"): "acknowledged",
    ("acknowledged", "response_late"): "acknowledged",
    # investigating
    ("investigating", "claim"): "investigating",
    ("investigating", "assign"): "investigating",
    ("investigating", "awaiting_borrower"): "awaiting_borrower",
    ("investigating", "reply"): "investigating",
    ("investigating", "note"): "investigating",
    ("investigating", "resolve"): "resolved",
    ("investigating", "borrower_reply"): "investigating",
    ("investigating", "response_late"): "investigating",
    # awaiting_borrower
    ("awaiting_borrower", "claim"): "awaiting_borrower",
    ("awaiting_borrower", "assign"): "awaiting_borrower",
    ("awaiting_borrower", "investigating"): "investigating",
    ("awaiting_borrower", "reply"): "awaiting_borrower",
    ("awaiting_borrower", "note"): "awaiting_borrower",
    ("awaiting_borrower", "resolve"): "resolved",
    ("awaiting_borrower", "borrower_reply"): "investigating",
    ("awaiting_borrower", "response_late"): "awaiting_borrower",
    # resolved
    ("resolved", "note"): "resolved",
    ("resolved", "accept"): "closed",
    ("resolved", "dispute"): "reopened",
    ("resolved", "dispute_window_passed"): "closed",
    # reopened
    ("reopened", "claim"): "reopened",
    ("reopened", "assign"): "reopened",
    ("reopened", "investigating"): "investigating",
    ("reopened", "awaiting_borrower"): "awaiting_borrower",
    ("reopened", "reply"): "reopened",
    ("reopened", "note"): "reopened",
    ("reopened", "resolve"): "resolved",
    ("reopened", "borrower_reply"): "reopened",
    ("reopened", "response_late"): "reopened",
    # closed: final, nothing more happens to a closed complaint.
}

# Why an action is refused in a status that does not allow it (a message code in labels).
REFUSALS = {
    **dict.fromkeys(ACTIONS[Actor.STAFF], "closed"),
    "borrower_reply": "not_open",
    "accept": "not_resolved",
    "dispute": "not_resolved",
    "acknowledgement_late": "not_open",
    "response_late": "not_open",
    "dispute_window_passed": "not_resolved",
}


class ActionRefused(NotAllowed):
    """The action is not possible in the complaint's status (or not for this actor)."""


def allowed_actions(
    status: str, actor: Actor | str, *, dispute_window_open: bool = False
) -> frozenset[str]:
    """The actions `actor` may take on a complaint in `status` now.

    A resolution can be disputed only while its dispute window is open.
    """
    return frozenset(
        action
        for action in ACTIONS[Actor(actor)]
        if (status, action) in TRANSITIONS and (action != "dispute" or dispute_window_open)
    )


def next_status(
    status: str, action: str, actor: Actor | str, *, dispute_window_open: bool = False
) -> str:
    """The status after `actor` takes `action`; ActionRefused (with the reason) if not allowed."""
    if action not in ACTIONS[Actor(actor)]:
        raise ActionRefused("unknown_action")
    if action not in allowed_actions(status, actor, dispute_window_open=dispute_window_open):
        if action == "dispute" and (status, action) in TRANSITIONS:
            raise ActionRefused("dispute_window_closed")
        if Actor(actor) == Actor.STAFF and status in OPEN_STATUSES:
            raise ActionRefused("no_change")
        raise ActionRefused(REFUSALS[action])
    return TRANSITIONS[(status, action)]


def statuses_allowing(action: str) -> tuple[str, ...]:
    """The statuses in which `action` is possible (for selecting rows the time job acts on)."""
    return tuple(status for status in STATUSES if (status, action) in TRANSITIONS)
