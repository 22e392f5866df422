"""The life of a correction request, as a table, and its deadline.

A borrower asks to correct one item of their personal data (name, phone, e-mail or address),
with evidence. Support accepts it (the data changes) or refuses it with a reason, by the end of
calendar day ANSWER_DAYS in the business time zone, as complaint answers are due. The `tick`
flags a request still open after its deadline, once. Plain values only; no Flask, no database.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from portal.errors import NotAllowed

OPEN = "open"
ACCEPTED = "accepted"
REFUSED = "refused"
STATUSES = (OPEN, ACCEPTED, REFUSED)

ACCEPT = "accept"
REFUSE = "refuse"
ANSWER_LATE = "answer_late"


class Actor(StrEnum):
    STAFF = "staff"
    TIME = "time"  # the `tick` command


ACTIONS: dict[Actor, tuple[str, ...]] = {
    Actor.STAFF: (ACCEPT, REFUSE),
    Actor.TIME: (ANSWER_LATE,),
}

# (status, action) -> the status after it. A pair that is not here is not allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, ACCEPT): ACCEPTED,
    (OPEN, REFUSE): REFUSED,
    (OPEN, ANSWER_LATE): OPEN,
    # accepted, refused: final. A borrower who still disagrees asks again or complains.
}

# What can be corrected, and the borrower's column that holds it.
NAME, PHONE, EMAIL, ADDRESS = "name", "phone", "email", "address"
FIELDS = (NAME, PHONE, EMAIL, ADDRESS)
COLUMNS = {NAME: "full_name", PHONE: "phone", EMAIL: "email", ADDRESS: "address"}
# The items whose correction needs a document that shows the right value.
EVIDENCE_NEEDED = (NAME, ADDRESS)

# The lender answers within this many calendar days.
ANSWER_DAYS = 15


class ActionRefused(NotAllowed):
    """The action is not possible on a request in this status (or not for this actor)."""


def allowed_actions(status: str, actor: Actor | str) -> frozenset[str]:
    """What `actor` may still do to a request in `status`."""
    return frozenset(a for a in ACTIONS[Actor(actor)] if (status, a) in TRANSITIONS)


def next_status(status: str, action: str, actor: Actor | str) -> str:
    """The status after `actor` takes `action`; ActionRefused if it may not."""
    if action not in allowed_actions(status, actor):
        raise ActionRefused("already_answered", status=status, action=action)
    return TRANSITIONS[(status, action)]


def statuses_allowing(action: str) -> tuple[str, ...]:
    """The statuses in which `action` is possible (for selecting rows the time job acts on)."""
    return tuple(status for status in STATUSES if (status, action) in TRANSITIONS)


def answer_due(opened_at: datetime, zone: ZoneInfo) -> datetime:
    """The end of calendar day ANSWER_DAYS after the day it was opened, in `zone`."""
    opened_on = opened_at.astimezone(zone).date()
    return datetime.combine(opened_on + timedelta(days=ANSWER_DAYS), time(23, 59, 59), zone)


def is_late(status: str, due_at: datetime, now: datetime) -> bool:
    """Whether an open request has passed its deadline."""
    return status == OPEN and now > due_at
