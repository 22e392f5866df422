"""Demo data for development: staff of every role and borrowers in every collection stage.

The borrowers, loans, journals and contact logs go through the import, exactly as the lending
system's data does. Everything is dated relative to the moment the demo is first loaded, in days
of the business time zone, and nothing in it lies in the future. Running it twice changes nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from portal import clock
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.auth.service import create_staff_user
from portal.extensions import db
from portal.imports.service import import_file
from portal.loans.models import Borrower
from portal.reference import ensure_reference_data
from portal.security import Role

DEMO_PASSWORD = "borrow-portal-demo"  # noqa: S105 - printed demo login, development only
STAFF = (
    ("support@demo.example", "Demo Support", Role.SUPPORT),
    ("approver@demo.example", "Demo Approver", Role.APPROVER),
    ("admin@demo.example", "Demo Admin", Role.ADMIN),
)
INSTALLMENTS = 12
INSTALLMENT_DAYS = 30
LATE_FEE = 5_000  # 50 yuan per missed installment


@dataclass(frozen=True)
class DemoBorrower:
    ref: str
    name: str
    last4: str
    phone: str
    email: str
    loan_number: str
    principal: int  # fen
    days_past_due: int  # 0 = current
    paid: int  # installments already repaid
    stage: str
    activated: bool = True


BORROWERS = (
    DemoBorrower(
        "C-DEMO-1",
        "王小明",
        "123X",
        "13800000001",
        "wang@demo.example",
        "DEMO-1001",
        1_200_000,
        0,
        5,
        "current",
    ),
    DemoBorrower(
        "C-DEMO-2",
        "李娜",
        "2468",
        "13800000002",
        "li.na@demo.example",
        "DEMO-1002",
        600_000,
        2,
        3,
        "early warning",
    ),
    DemoBorrower(
        "C-DEMO-3",
        "张伟",
        "3579",
        "13800000003",
        "zhang.wei@demo.example",
        "DEMO-1003",
        2_400_000,
        16,
        4,
        "phone contact, with contacts that break rules",
    ),
    DemoBorrower(
        "C-DEMO-4",
        "刘洋",
        "4680",
        "13800000004",
        "liu.yang@demo.example",
        "DEMO-1004",
        1_800_000,
        52,
        2,
        "third-party agency",
    ),
    DemoBorrower(
        "C-DEMO-5",
        "陈静",
        "5791",
        "13800000005",
        "chen.jing@demo.example",
        "DEMO-1005",
        3_600_000,
        98,
        1,
        "lawyer's letter",
    ),
    DemoBorrower(
        "C-DEMO-6",
        "杨磊",
        "6802",
        "13800000006",
        "yang.lei@demo.example",
        "DEMO-1006",
        5_000_000,
        140,
        0,
        "litigation",
    ),
    DemoBorrower(
        "C-DEMO-7",
        "赵敏",
        "5678",
        "13800000007",
        "zhao.min@demo.example",
        "DEMO-2001",
        900_000,
        0,
        2,
        "current, not yet activated",
        activated=False,
    ),
)


@dataclass(frozen=True)
class DemoTime:
    """The moment the demo is made, and the time zone whose days and hours it speaks in."""

    now: datetime
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return clock.today_in(self.zone, self.now)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)


def _contacts(b: DemoBorrower, oldest_unpaid: date, when: DemoTime) -> list[dict]:
    """A plausible contact history for the days since the oldest unpaid due date, up to now."""
    rows = []

    def add(day_offset, hour, minute, channel, agent, outcome, party="borrower", note=None):
        moment = when.at(oldest_unpaid + timedelta(days=day_offset), hour, minute)
        if moment > when.now:  # not yet happened: a contact later today, or on a later day
            return
        rows.append(
            {
                "record": "contact",
                "loan_number": b.loan_number,
                "reference": f"{b.loan_number}-K{len(rows) + 1:03d}",
                "contacted_at": moment.isoformat(),
                "channel": channel,
                "party": party,
                "agent": agent,
                "outcome": outcome,
                **({"note": note} if note else {}),
            }
        )

    if b.days_past_due == 0:
        for month in range(b.paid):
            due = oldest_unpaid - timedelta(days=INSTALLMENT_DAYS * (b.paid - month))
            add((due - oldest_unpaid).days, 9, 0, "sms", "SYSTEM", "delivered")
        return rows
    add(0, 9, 0, "sms", "SYSTEM", "delivered")
    for offset in (1, 2, 3):
        add(offset, 10, 0, "sms", "SYSTEM", "delivered")
        add(offset, 10, 5, "email", "SYSTEM", "delivered")
    for offset in range(4, 31, 3):
        add(offset, 10, 30, "call", "A017", "unanswered")
        add(offset, 15, 10, "call", "A017", "answered" if offset % 2 else "promise_to_pay")
    if b.days_past_due >= 14 and b.days_past_due <= 30:
        # A day that breaks the rules: a late-night call, a fourth answered call, and the
        # emergency contact rung although the borrower had just answered.
        day = b.days_past_due - 2
        add(day, 9, 15, "call", "A023", "answered")
        add(day, 11, 40, "call", "A023", "answered")
        add(day, 16, 20, "call", "A023", "answered", note="borrower asked for more time")
        add(day, 17, 5, "call", "A023", "answered")
        add(day, 18, 30, "call", "A023", "answered", party="emergency_contact")
        add(day, 23, 15, "call", "A023", "unanswered")
    for offset in range(31, 91, 10):
        add(offset, 14, 0, "call", "恒信催收服务有限公司", "unanswered")
    add(40, 10, 0, "letter", "恒信催收服务有限公司", "delivered")
    add(60, 15, 30, "visit", "恒信催收服务有限公司", "answered")
    add(91, 10, 0, "letter", "明德律师事务所", "delivered", note="lawyer's demand letter")
    add(121, 10, 0, "legal", "明德律师事务所", "delivered", note="notice of intended lawsuit")
    return rows


def _records(b: DemoBorrower, when: DemoTime) -> list[dict]:
    today = when.today
    oldest_unpaid = today - timedelta(days=b.days_past_due)
    if b.days_past_due == 0:
        oldest_unpaid = today + timedelta(days=12)  # the next installment, still ahead
    first_due = oldest_unpaid - timedelta(days=INSTALLMENT_DAYS * b.paid)
    opened = first_due - timedelta(days=INSTALLMENT_DAYS)
    interest_each = b.principal * 6 // 100 // INSTALLMENTS
    principal_each = b.principal // INSTALLMENTS
    records = [
        {
            "record": "borrower",
            "customer_ref": b.ref,
            "full_name": b.name,
            "id_last4": b.last4,
            "phone": b.phone,
            "email": b.email,
            "preferred_language": "zh_Hans",
            "time_zone": when.zone.key,
        },
        {
            "record": "loan",
            "loan_number": b.loan_number,
            "customer_ref": b.ref,
            "product": "personal",
            "currency": "CNY",
            "opened_on": opened.isoformat(),
        },
        {
            "record": "journal",
            "loan_number": b.loan_number,
            "reference": "DISBURSAL",
            "kind": "charge",
            "posted_at": when.at(opened, 10).isoformat(),
            "principal": b.principal,
            # The lender's own words, in its language: pages show them as they are.
            "description": "放款",
        },
        {
            "record": "journal",
            "loan_number": b.loan_number,
            "reference": "INTEREST",
            "kind": "charge",
            "posted_at": when.at(opened, 10, 1).isoformat(),
            "interest": interest_each * INSTALLMENTS,
            "description": "合同利息",
        },
    ]
    for number in range(INSTALLMENTS):
        due = first_due + timedelta(days=INSTALLMENT_DAYS * number)
        principal = principal_each + (
            b.principal - principal_each * INSTALLMENTS if number == INSTALLMENTS - 1 else 0
        )
        records.append(
            {
                "record": "due_date",
                "loan_number": b.loan_number,
                "due_on": due.isoformat(),
                "principal": principal,
                "interest": interest_each,
            }
        )
        if number < b.paid:
            records.append(
                {
                    "record": "journal",
                    "loan_number": b.loan_number,
                    "reference": f"PAY-{number + 1}",
                    "kind": "payment",
                    "posted_at": when.at(due, 20, 12).isoformat(),
                    "principal": -principal,
                    "interest": -interest_each,
                    "description": "还款",
                }
            )
        elif due < today:
            records.append(
                {
                    "record": "journal",
                    "loan_number": b.loan_number,
                    "reference": f"LATE-FEE-{number + 1}",
                    "kind": "charge",
                    "posted_at": when.at(due + timedelta(days=1), 1).isoformat(),
                    "fee": LATE_FEE,
                    "description": "逾期费",
                }
            )
    return records + _contacts(b, oldest_unpaid, when)


def _demo_request(today: date) -> None:
    """李娜 has asked for a 6-month plan, so the approvers' queue has something to decide."""
    from portal.loans.models import Loan
    from portal.plans.service import submit_request
    from portal.plans.terms import INSTALLMENT_PLAN, Terms

    borrower = db.session.scalar(sa.select(Borrower).where(Borrower.customer_ref == "C-DEMO-2"))
    loan = db.session.scalar(sa.select(Loan).where(Loan.borrower_id == borrower.id))
    submit_request(
        borrower,
        loan.id,
        Terms(INSTALLMENT_PLAN, months=6, first_due_on=today + timedelta(days=14)),
        reason_code="income_drop",
        reason_text="我的工资被推迟发放了两个月。",
    )


def _demo_complaint() -> None:
    """张伟 has complained about the late-night call, so support has something to work on."""
    from portal.complaints.service import file_complaint
    from portal.loans.service import marked_contacts

    borrower = db.session.scalar(sa.select(Borrower).where(Borrower.customer_ref == "C-DEMO-3"))
    user = db.session.scalar(sa.select(User).where(User.borrower_id == borrower.id))
    night_call = next((c for c, marks in marked_contacts(borrower) if "quiet_hours" in marks), None)
    file_complaint(
        borrower,
        user.id,
        category="inconvenient_contact",
        description="晚上十一点多催收员打电话给我，我已经睡了。当天他们已经打了好几次。",
        desired_outcome="不要在晚上打电话，并向我道歉。",
        contact_id=night_call.id if night_call else None,
        files=[],
    )


def demo_records(when: DemoTime) -> list[dict]:
    """Every demo row, in import order."""
    rows = []
    for borrower in BORROWERS:
        rows.extend(_records(borrower, when))
    return rows


def load_demo() -> list[str]:
    """Create the demo data if missing and return one line per demo login."""
    when = DemoTime(clock.now(), clock.business_zone())
    ensure_reference_data()
    lines = []
    for email, name, role in STAFF:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            create_staff_user(email, name, role, DEMO_PASSWORD)
        lines.append(f"{role:<9} {email:<26} password {DEMO_PASSWORD}")

    # Already loaded? The demo is made relative to the day it was first loaded.
    loaded = db.session.scalar(
        sa.select(Borrower.id).where(Borrower.customer_ref == BORROWERS[-1].ref)
    )
    if loaded is None:
        handle, path = tempfile.mkstemp(suffix=".jsonl")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                for row in demo_records(when):
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            report = import_file(path)
        finally:
            os.unlink(path)
        if report.errors:
            raise RuntimeError(f"demo data did not import cleanly: {report.errors[:3]}")
        for b in BORROWERS:
            if not b.activated:
                continue
            user = db.session.scalar(
                sa.select(User).join(Borrower).where(Borrower.customer_ref == b.ref)
            )
            user.password_hash = hash_password(DEMO_PASSWORD)
            user.activated_at = user.password_changed_at = when.now
        db.session.flush()
        _demo_request(when.today)
        _demo_complaint()

    for b in BORROWERS:
        if b.activated:
            lines.append(f"borrower  {b.phone} ({b.name}, {b.stage}) password {DEMO_PASSWORD}")
        else:
            lines.append(
                f"borrower  not yet activated ({b.name}): activate with loan number "
                f"{b.loan_number} and ID last 4 {b.last4}; the code appears on "
                "/dev/outbox"
            )
    return lines
