"""Benchmark: import 100,000 contact-log rows into a fresh SQLite database and print the rate.

    .venv/bin/python benchmarks/import_contacts.py [--rows 100000] [--loans 1000] [--csv]

Prints figures; it is not a test and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta


def write_file(path: str, rows: int, loans: int, as_csv: bool) -> None:
    start = datetime(2026, 1, 1, 1, tzinfo=UTC)
    records = []
    for n in range(loans):
        records.append(
            {
                "record": "borrower",
                "customer_ref": f"B{n}",
                "full_name": "测试",
                "id_last4": "1234",
                "phone": f"1390{n:07d}",
            }
        )
        records.append(
            {
                "record": "loan",
                "loan_number": f"L{n}",
                "customer_ref": f"B{n}",
                "product": "personal",
                "currency": "CNY",
                "opened_on": "2026-01-01",
            }
        )
    for n in range(rows):
        records.append(
            {
                "record": "contact",
                "loan_number": f"L{n % loans}",
                "reference": f"K{n}",
                "contacted_at": (start + timedelta(minutes=n)).isoformat(),
                "channel": "call",
                "party": "borrower",
                "agent": "A017",
                "outcome": "answered" if n % 3 else "unanswered",
            }
        )
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if as_csv:
            columns = sorted({key for record in records for key in record})
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(records)
        else:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--loans", type=int, default=1_000)
    parser.add_argument("--csv", action="store_true", help="CSV instead of JSON Lines")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("PORTAL_ENV", "development")
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.imports.service import ImportReport, import_batches

    def import_file(path):
        # As the `import` command does it: commit after every batch.
        report = ImportReport()
        for _batch in import_batches(path, report):
            db.session.commit()
        return report

    path = os.path.join(workdir, "contacts.csv" if args.csv else "contacts.jsonl")
    write_file(path, args.rows, args.loans, args.csv)
    app = create_app({"SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        report = import_file(path)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_file(path)
        second = time.perf_counter() - started
    created = report.counts[("contact", "created")]
    print(
        f"format: {'CSV' if args.csv else 'JSON Lines'}; {args.loans} borrowers and loans, "
        f"{args.rows} contact rows; {os.cpu_count()} CPUs"
    )
    print(
        f"first import:  {first:6.1f} s, {created} contacts created, "
        f"{args.rows / first:,.0f} contact rows/s, {len(report.errors)} rejected"
    )
    print(
        f"second import: {second:6.1f} s, "
        f"{again.counts[('contact', 'unchanged')]} contacts unchanged, "
        f"{args.rows / second:,.0f} contact rows/s"
    )


if __name__ == "__main__":
    main()
