"""Demo accounts for development: staff of every role and two borrowers.

Running it twice changes nothing: every record is looked up by its reference first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from portal.auth.models import Role, User
from portal.auth.passwords import hash_password
from portal.auth.service import create_staff_user
from portal.columns import utcnow
from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import Borrower, ContactLogEntry, Loan, LoanDueDate
from portal.loans.service import ensure_default_ladder, post_entry

DEMO_PASSWORD = "borrow-portal-demo"  # noqa: S105 - printed demo login, development only
STAFF = (
    ("support@demo.example", "Demo Support", Role.SUPPORT),
    ("approver@demo.example", "Demo Approver", Role.APPROVER),
    ("admin@demo.example", "Demo Admin", Role.ADMIN),
)


def _borrower(ref, name, last4, phone, email, loan_number, *, activated, today):
    borrower = db.session.scalar(sa.select(Borrower).where(Borrower.customer_ref == ref))
    if borrower is not None:
        return borrower
    borrower = Borrower(customer_ref=ref, full_name=name, id_last4=last4, phone=phone, email=email)
    db.session.add(borrower)
    db.session.flush()
    now = utcnow()
    db.session.add(
        User(
            role=Role.BORROWER,
            borrower_id=borrower.id,
            password_hash=hash_password(DEMO_PASSWORD) if activated else None,
            activated_at=now if activated else None,
            password_changed_at=now if activated else None,
        )
    )
    opened = today - timedelta(days=200)
    loan = Loan(
        borrower_id=borrower.id,
        loan_number=loan_number,
        product="personal",
        currency="CNY",
        opened_on=opened,
    )
    db.session.add(loan)
    db.session.flush()
    for month in range(1, 7):
        db.session.add(
            LoanDueDate(
                loan_id=loan.id,
                due_on=opened + timedelta(days=30 * month),
                principal_minor=1_000_000,
                interest_minor=60_000,
            )
        )
    opened_at = datetime(opened.year, opened.month, opened.day, 2, tzinfo=UTC)
    post_entry(
        loan.id,
        "charge",
        Components(principal=6_000_000),
        posted_at=opened_at,
        reference=f"{loan_number}-disbursal",
        description="Loan disbursed",
    )
    post_entry(
        loan.id,
        "charge",
        Components(interest=360_000),
        posted_at=opened_at,
        reference=f"{loan_number}-interest",
        description="Contract interest",
    )
    post_entry(
        loan.id,
        "payment",
        Components(principal=-2_000_000, interest=-120_000),
        posted_at=opened_at + timedelta(days=61),
        reference=f"{loan_number}-pay-1",
        description="Repayment",
    )
    post_entry(
        loan.id,
        "charge",
        Components(fee=5_000),
        posted_at=opened_at + timedelta(days=95),
        reference=f"{loan_number}-late-fee",
        description="Late fee",
    )
    db.session.add(
        ContactLogEntry(
            loan_id=loan.id,
            reference=f"{loan_number}-c1",
            contacted_at=opened_at + timedelta(days=96),
            channel="sms",
            party="borrower",
            agent="SYSTEM",
            outcome="delivered",
        )
    )
    return borrower


def load_demo(today: date | None = None) -> list[str]:
    """Create the demo data if missing and return one line per demo login."""
    today = today or date.today()
    ensure_default_ladder()
    lines = []
    for email, name, role in STAFF:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            create_staff_user(email, name, role, DEMO_PASSWORD)
        lines.append(f"{role:<9} {email:<26} password {DEMO_PASSWORD}")
    _borrower(
        "C-DEMO-1",
        "王小明",
        "123X",
        "13800000001",
        "wang@demo.example",
        "DEMO-1001",
        activated=True,
        today=today,
    )
    lines.append(f"borrower  13800000001 (or wang@demo.example) password {DEMO_PASSWORD}")
    _borrower(
        "C-DEMO-2",
        "李华",
        "5678",
        "13800000002",
        "li@demo.example",
        "DEMO-2001",
        activated=False,
        today=today,
    )
    lines.append(
        "borrower  not yet activated: loan number DEMO-2001, ID last 4 5678 "
        "(the code appears on /dev/outbox)"
    )
    db.session.flush()
    return lines
