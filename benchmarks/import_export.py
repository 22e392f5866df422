"""Benchmark: import a realistic lending-system export (every record type) and print rows/s.

    .venv/bin/python benchmarks/import_export.py [--borrowers 1000] [--csv]
        [--database-url postgresql+psycopg://...]

The file: per borrower 2 loans, per loan a due date, 2 journal entries (the principal charged,
a part repaid) and 8 or 9 contacts; for 1,000 borrowers that is 1,000 borrowers, 2,000 loans,
2,000 due dates, 4,000 journal entries and 17,000 contacts (26,000 rows), in the order a
lender's export has them (each borrower's rows together). It imports the file into a fresh
database (SQLite in a temporary directory unless --database-url names an empty PostgreSQL
database), commits after every batch as the `import` command does, imports it again (nothing
changes) and prints rows/s for both and the peak memory. Prints figures; never fails on a slow
machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta


def records(borrowers: int):
    start = datetime(2026, 1, 1, 1, tzinfo=UTC)
    contact = 0
    for n in range(borrowers):
        yield {
            "record": "borrower",
            "customer_ref": f"C{n:06d}",
            "full_name": "王小明",
            "id_last4": f"{n % 10000:04d}",
            "phone": f"1390{n:07d}",
            "email": f"b{n}@example.com",
            "preferred_language": "zh_Hans",
        }
        for k in range(2):
            loan = f"L{n:06d}-{k}"
            yield {
                "record": "loan",
                "loan_number": loan,
                "customer_ref": f"C{n:06d}",
                "product": "personal",
                "currency": "CNY",
                "opened_on": "2026-01-05",
            }
            yield {
                "record": "due_date",
                "loan_number": loan,
                "due_on": "2026-06-05",
                "principal": 500_000,
                "interest": 40_000,
            }
            yield {
                "record": "journal",
                "loan_number": loan,
                "reference": f"J{n:06d}-{k}-1",
                "kind": "charge",
                "posted_at": "2026-01-05T09:00:00+08:00",
                "principal": 500_000,
                "interest": 40_000,
                "description": "disbursement",
            }
            yield {
                "record": "journal",
                "loan_number": loan,
                "reference": f"J{n:06d}-{k}-2",
                "kind": "payment",
                "posted_at": "2026-03-05T09:00:00+08:00",
                "principal": -100_000,
                "interest": -8_000,
            }
            for _ in range(8 + (n + k) % 2):
                contact += 1
                yield {
                    "record": "contact",
                    "loan_number": loan,
                    "reference": f"K{contact:08d}",
                    "contacted_at": (start + timedelta(minutes=7 * contact)).isoformat(),
                    "channel": "call" if contact % 3 else "sms",
                    "party": "borrower",
                    "agent": "A017",
                    "outcome": "answered" if contact % 3 else "delivered",
                    "note": "承诺下周还款" if contact % 5 == 0 else "",
                }


def write_file(path: str, borrowers: int, as_csv: bool) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if as_csv:
            from portal.imports.rows import COLUMNS

            writer = csv.DictWriter(handle, fieldnames=sorted(COLUMNS))
            writer.writeheader()
            for record in records(borrowers):
                writer.writerow(record)
                count += 1
        else:
            for record in records(borrowers):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=1_000)
    parser.add_argument("--csv", action="store_true", help="CSV instead of JSON Lines")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
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

    path = os.path.join(workdir, "export.csv" if args.csv else "export.jsonl")
    rows = write_file(path, args.borrowers, args.csv)
    app = create_app({"SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade()
        database = db.engine.dialect.name
        started = time.perf_counter()
        report = import_file(path)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_file(path)
        second = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    created = sum(n for (_record, outcome), n in report.counts.items() if outcome == "created")
    unchanged = sum(n for (_record, outcome), n in again.counts.items() if outcome == "unchanged")
    print(
        f"{database}, {'CSV' if args.csv else 'JSON Lines'}: {rows:,} rows "
        f"({args.borrowers:,} borrowers); {os.cpu_count()} CPUs"
    )
    print("  " + "; ".join(report.summary_lines()))
    print(
        f"first import:  {first:6.2f} s, {created:,} rows created, {rows / first:,.0f} rows/s, "
        f"{len(report.errors)} rejected"
    )
    print(
        f"re-import:     {second:6.2f} s, {unchanged:,} rows unchanged, "
        f"{rows / second:,.0f} rows/s, {len(again.errors)} rejected"
    )
    print(f"peak memory:   {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
