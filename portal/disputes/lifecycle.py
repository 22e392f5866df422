"""The life of a dispute, as a table, and its deadline.

A dispute is open from the moment the borrower files it: escalation on the loan is held. Staff
answer it with the lender's evidence within ANSWER_DAYS; the answer is final here (a borrower
who still disagrees complains). Plain values only; no Flask, no database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.errors import NotAllowed

OPEN = "open"
ANSWERED = "answered"
STATUSES = (OPEN, ANSWERED)

ANSWER = "answer"

TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, ANSWER): ANSWERED,
}

# What the borrower says is wrong.
NOT_MY_LOAN = "not_my_loan"
WRONG_AMOUNT = "wrong_amount"
ALREADY_PAID = "already_paid"
KINDS = (NOT_MY_LOAN, WRONG_AMOUNT, ALREADY_PAID)

# The lender answers a dispute within this many days.
ANSWER_DAYS = 15


class TransitionRefused(NotAllowed):
    """The action is not possible on a dispute in this status."""

    def __init__(self, *, status: str, action: str):
        super().__init__("already_answered", status=status, action=action)


def allowed_actions(status: str) -> frozenset[str]:
    """What staff may still do to a dispute in `status`."""
    return frozenset(action for (source, action) in TRANSITIONS if source == status)


def transition(status: str, action: str) -> str:
    """The status `action` takes a dispute in `status` to; TransitionRefused if it may not."""
    if (status, action) not in TRANSITIONS:
        raise TransitionRefused(status=status, action=action)
    return TRANSITIONS[(status, action)]


def answer_due(opened_at: datetime) -> datetime:
    """When the lender's answer is due."""
    return opened_at + timedelta(days=ANSWER_DAYS)


def is_late(status: str, due_at: datetime, now: datetime) -> bool:
    """Whether an open dispute has passed its answer deadline."""
    return status == OPEN and now > due_at
