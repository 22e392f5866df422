"""Benchmark: the support queue with 100,000 complaints on SQLite; prints page times.

    .venv/bin/python benchmarks/complaint_queue.py [--complaints 100000]

Prints figures; it is not a test and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("PORTAL_ENV", "development")

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from portal import create_app
    from portal.auth.service import create_staff_user
    from portal.complaints.models import Complaint
    from portal.complaints.rules import CATEGORIES, QUEUES, STATUSES
    from portal.extensions import db
    from portal.loans.models import Borrower

    app = create_app(
        {
            "SECRET_KEY": "benchmark",
            "WTF_CSRF_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
        }
    )
    with app.app_context():
        upgrade()
        db.session.add(
            Borrower(customer_ref="B1", full_name="测试", id_last4="0000", phone="13900000000")
        )
        staff = create_staff_user("bench@staff.example", "Bench", "support", "bench passphrase")
        db.session.commit()
        now = datetime.now(UTC)
        started = time.perf_counter()
        for start in range(0, args.complaints, 10_000):
            db.session.execute(
                sa.insert(Complaint),
                [
                    {
                        "reference": f"TS{n:012d}",
                        "borrower_id": 1,
                        "category": CATEGORIES[n % len(CATEGORIES)],
                        "description": "x",
                        "desired_outcome": "",
                        "queue": QUEUES[n % 3],
                        "priority": 1 + n % 4,
                        "status": STATUSES[n % len(STATUSES)],
                        "assigned_to_id": staff.id if n % 10 == 0 else None,
                        "acknowledge_due_at": now + timedelta(days=1),
                        "response_due_at": now + timedelta(hours=n % 720 - 200),
                        "created_at": now - timedelta(minutes=n),
                        "updated_at": now,
                    }
                    for n in range(start, min(start + 10_000, args.complaints))
                ],
            )
        db.session.commit()
        print(f"{args.complaints} complaints written in {time.perf_counter() - started:.1f} s")

    client = app.test_client()
    client.post(
        "/login", data={"identifier": "bench@staff.example", "password": "bench passphrase"}
    )
    for label, url in [
        ("open, by priority and deadline", "/staff/complaints/"),
        ("page 200", "/staff/complaints/?page=200"),
        ("compliance queue", "/staff/complaints/?queue=compliance"),
        ("urgent only", "/staff/complaints/?priority=1"),
        ("past the deadline", "/staff/complaints/?overdue=1"),
        ("assigned to me", "/staff/complaints/?mine=1"),
        ("resolved, newest", "/staff/complaints/?status=resolved&sort=newest"),
    ]:
        client.get(url)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            runs.append(time.perf_counter() - started)
        print(f"{label:<32} median {sorted(runs)[2] * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
