"""The life of a promise to pay, as a table: which action takes a promise from which status to
which.

A promise stands from the moment it is made. Paying the promised amount keeps it; the date
passing with less paid breaks it. Both are final. Plain values only; no Flask, no database.
"""

from __future__ import annotations

from portal.errors import NotAllowed

STANDING = "standing"
KEPT = "kept"
BROKEN = "broken"
STATUSES = (STANDING, KEPT, BROKEN)

KEEP = "keep"
BREAK = "break"

TRANSITIONS: dict[tuple[str, str], str] = {
    (STANDING, KEEP): KEPT,
    (STANDING, BREAK): BROKEN,
}


class TransitionRefused(NotAllowed):
    """The action is not possible on a promise in this status."""

    def __init__(self, *, status: str, action: str):
        super().__init__("promise_closed", status=status, action=action)


def allowed_actions(status: str) -> frozenset[str]:
    """What may still happen to a promise in `status`."""
    return frozenset(action for (source, action) in TRANSITIONS if source == status)


def transition(status: str, action: str) -> str:
    """The status `action` takes a promise in `status` to; TransitionRefused if it may not."""
    if (status, action) not in TRANSITIONS:
        raise TransitionRefused(status=status, action=action)
    return TRANSITIONS[(status, action)]
