"""The notices time produces (the tick): due reminders, offers about to lapse, plans at risk.

Each is judged by the one account model (account.service.accounts) on the borrower's own today,
and each event has its key in the outbox, so running this again writes nothing new.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from portal import clock, notices
from portal.account.service import accounts
from portal.extensions import db
from portal.loans.models import Borrower, Loan
from portal.loans.standing import PAID
from portal.plans import lifecycle
from portal.plans.models import HardshipRequest

# An installment of the schedule in force is announced this many days before it falls due, and
# on the day itself.
REMIND_DAYS_BEFORE = (3, 0)
# An offer not yet accepted is recalled this long before it lapses.
OFFER_LAPSE_WARNING = timedelta(days=2)


def produce(now: datetime | None = None) -> dict[str, int]:
    """Write the notices due now that were not written yet. Flushes; the tick commits."""
    now = now or clock.now()
    counts = {"offers_lapsing": 0, "due_reminders": 0, "plans_at_risk": 0}
    lapsing = db.session.scalars(
        sa.select(HardshipRequest)
        .where(
            HardshipRequest.status == lifecycle.OFFERED,
            HardshipRequest.offer_expires_at > now,
            HardshipRequest.offer_expires_at <= now + OFFER_LAPSE_WARNING,
        )
        .order_by(HardshipRequest.id)
    ).all()
    for request in lapsing:
        counts["offers_lapsing"] += notices.offer_lapsing(request) is not None
    owing = (
        sa.select(Borrower)
        .where(sa.exists().where(Loan.borrower_id == Borrower.id, Loan.status == "active"))
        .order_by(Borrower.id)
    )
    for borrower in db.session.scalars(owing):
        for found in accounts(borrower, now=now):
            _account_notices(borrower, found, counts)
    db.session.flush()
    return counts


def _account_notices(borrower, found, counts: dict[str, int]) -> None:
    standing = found.standing
    plan_id = found.plan.id if standing.plan_in_force else None
    for installment in standing.schedule_in_force:
        if installment.state == PAID:
            continue
        days_before = (installment.due_on - standing.today).days
        if days_before in REMIND_DAYS_BEFORE:
            written = notices.installment_due(
                borrower, found.loan, installment, days_before=days_before, plan_id=plan_id
            )
            counts["due_reminders"] += written is not None
    progress = standing.plan_progress
    if progress is not None and progress.at_risk:
        written = notices.plan_at_risk(found.plan, progress.next_installment, progress.breaks_on)
        counts["plans_at_risk"] += written is not None
