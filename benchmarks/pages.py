# ruff: noqa: S603  (runs gunicorn, bin/pg-cluster and itself)
"""Benchmark: the portal's busiest pages against a TechEmpower Fortunes app, side by side.

    .venv/bin/python benchmarks/pages.py [--database sqlite|postgresql|both] [--borrowers 200]
        [--rounds 3] [--seconds 5] [--connections 4] [--workers 2]

Builds its own data through the import (per borrower 2 loans with long histories: 12 due
dates, 35 journal entries and 35 contacts each; plan requests waiting for approvers and
complaints in the support queue), then serves the portal (`wsgi:app`) and the Fortunes app
(benchmarks/fortunes.py) with the same gunicorn settings on the same database: SQLite in a
temporary directory, and PostgreSQL in a throwaway cluster (bin/pg-cluster). A load generator
(threads, http.client, keep-alive where the server allows it) drives each page in turn for
--seconds with --connections connections, in interleaved rounds, and it prints requests/s,
p99 and the ratio to Fortunes for the borrower's dashboard, the loan page and both staff
queues, and, as a reference with no target, for the borrower's rights page (a logged-in page
with no account data: the most any logged-in page can reach). Logged-in pages use session
cookies minted in-process (a server-side login session row and a signed cookie, as the login
page makes them). Targets: dashboard >= 0.4x Fortunes
with p99 <= 30 ms, the others >= 0.5x. Answers other than 200 are counted in an errors column
and left out of the rates (on SQLite two workers may collide writing a login session's
last-seen time: "database is locked"). Only 127.0.0.1 is ever loaded. Prints figures; it is
not a test and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"dashboard": 0.4, "loan page": 0.5, "approver queue": 0.5, "support queue": 0.5}
P99_TARGET_MS = {"dashboard": 30}


# --- data -------------------------------------------------------------------------------------


def export_rows(borrowers: int, today: date):
    opened = today - timedelta(days=400)
    contact = 0
    for n in range(borrowers):
        yield {
            "record": "borrower",
            "customer_ref": f"C{n:06d}",
            "full_name": "王小明",
            "id_last4": f"{n % 10000:04d}",
            "phone": f"1390{n:07d}",
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
                "opened_on": opened.isoformat(),
            }
            for month in range(1, 13):
                yield {
                    "record": "due_date",
                    "loan_number": loan,
                    "due_on": (opened + timedelta(days=30 * month)).isoformat(),
                    "principal": 50_000,
                    "interest": 4_000,
                }
            posted = datetime.combine(opened, datetime.min.time(), UTC) + timedelta(hours=2)
            yield {
                "record": "journal",
                "loan_number": loan,
                "reference": f"J{loan}-0",
                "kind": "charge",
                "posted_at": posted.isoformat(),
                "principal": 600_000,
                "interest": 48_000,
            }
            for e in range(1, 35):
                yield {
                    "record": "journal",
                    "loan_number": loan,
                    "reference": f"J{loan}-{e}",
                    "kind": "payment" if e % 2 else "charge",
                    "posted_at": (posted + timedelta(days=10 * e)).isoformat(),
                    "interest": -1_000 if e % 2 else 1_000,
                    "fee": 0 if e % 2 else 500,
                }
            for c in range(35):
                contact += 1
                yield {
                    "record": "contact",
                    "loan_number": loan,
                    "reference": f"K{contact:08d}",
                    "contacted_at": (posted + timedelta(days=9 * c, hours=c % 10)).isoformat(),
                    "channel": ("call", "sms", "email", "visit")[c % 4],
                    "party": "borrower" if c % 7 else "emergency_contact",
                    "agent": f"A{c % 9:03d}",
                    "outcome": ("answered", "unanswered", "delivered", "promise_to_pay")[c % 4],
                    "note": "承诺下周还款" if c % 5 == 0 else "",
                }


def build(database_url: str, workdir: Path, borrowers: int) -> dict:
    """Fill a fresh database; return the paths to load and the cookies to load them with."""
    os.environ["DATABASE_URL"] = database_url
    import pyotp
    import sqlalchemy as sa
    from flask import session
    from flask_migrate import upgrade

    from portal import clock, create_app
    from portal.auth import service as auth_service
    from portal.auth.models import User
    from portal.complaints.models import Complaint
    from portal.extensions import db
    from portal.imports.service import ImportReport, import_batches
    from portal.loans.models import Borrower, Loan
    from portal.plans.models import HardshipRequest

    secret = os.environ["SECRET_KEY"]
    app = create_app({"SECRET_KEY": secret, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024})
    path = workdir / "export.jsonl"
    today = clock.today_in(clock.zone(clock.DEFAULT_BUSINESS_TIME_ZONE))
    with path.open("w", encoding="utf-8") as handle:
        for row in export_rows(borrowers, today):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    with app.app_context():
        upgrade()
        report = ImportReport()
        for _batch in import_batches(str(path), report):
            db.session.commit()
        assert not report.errors, report.errors[:3]
        support = auth_service.create_staff_user(
            "support@bench.example", "S", "support", "bench passphrase 4 staff"
        )
        approver = auth_service.create_staff_user(
            "approver@bench.example", "A", "approver", "bench passphrase 4 staff"
        )
        for member in (support, approver):  # staff reach their pages with a second factor only
            member.totp_secret = pyotp.random_base32()
            member.totp_enrolled_at = clock.now()
        db.session.flush()
        loans = db.session.execute(sa.select(Loan.id, Loan.borrower_id).order_by(Loan.id)).all()
        now = clock.now()
        db.session.execute(
            sa.insert(HardshipRequest),
            [
                {
                    "loan_id": loan_id,
                    "borrower_id": borrower_id,
                    "open_loan_id": loan_id,
                    "kind": "installment_plan",
                    "months": 6,
                    "reason_code": "job_loss",
                    "currency": "CNY",
                    "balance_minor": 652_000,
                    "overdue_minor": 200_000,
                    "decision_due_at": now + timedelta(days=n % 5 - 1),
                    "created_at": now - timedelta(hours=n),
                }
                for n, (loan_id, borrower_id) in enumerate(loans[::2][:300])
            ],
        )
        db.session.execute(
            sa.insert(Complaint),
            [
                {
                    "reference": f"TS{n:012d}",
                    "borrower_id": loans[n % len(loans)].borrower_id,
                    "category": "harassment",
                    "description": "凌晨打电话",
                    "queue": "general",
                    "priority": 1 + n % 4,
                    "status": "new",
                    "acknowledge_due_at": now + timedelta(days=1),
                    "response_due_at": now + timedelta(hours=n % 720 - 200),
                    "created_at": now - timedelta(minutes=n),
                    "updated_at": now,
                }
                for n in range(300)
            ],
        )
        borrower = db.session.scalar(sa.select(Borrower).order_by(Borrower.id))
        borrower_user = db.session.scalar(sa.select(User).where(User.borrower_id == borrower.id))
        first_loan = loans[0].id
        cookies = {}
        serializer = app.session_interface.get_signing_serializer(app)
        for name, user in (
            ("borrower", borrower_user),
            ("support", support),
            ("approver", approver),
        ):
            user.activated_at = now
            with app.test_request_context("/"):
                from flask_login import login_user

                auth_service.start_login_session(
                    user, remember=False, address="127.0.0.1", user_agent="bench"
                )
                login_user(user)
                cookies[name] = "session=" + serializer.dumps(dict(session))
        db.session.commit()
    return {
        "dashboard": ("/loans", cookies["borrower"]),
        "loan page": (f"/loans/{first_loan}", cookies["borrower"]),
        "approver queue": ("/staff/requests/", cookies["approver"]),
        "support queue": ("/staff/complaints/", cookies["support"]),
        # A reference, with no target: a borrower's page with no account data on it (the
        # layout, the login session, one small statement and some text), the most a logged-in
        # page can reach.
        "rights page": ("/rights", cookies["borrower"]),
    }


# --- servers and load -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app: str, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app} did not start")


def load(port: int, path: str, cookie: str | None, seconds: float, connections: int):
    """Requests made and their latencies (s), from `connections` threads for `seconds`."""
    latencies: list[float] = []
    failures = []
    deadline = time.perf_counter() + seconds
    headers = {"Accept-Language": "zh-CN,zh;q=0.9"}
    if cookie:
        headers["Cookie"] = cookie

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                failures.append(repr(error))
                conn.close()
                continue
            if response.status == 200:
                mine.append(time.perf_counter() - started)
            else:
                failures.append(f"{path}: {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        latencies.extend(mine)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures and not latencies:
        raise SystemExit(f"{path}: every request failed, e.g. {failures[0]}")
    return latencies, failures


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run(database: str, args, workdir: Path) -> None:
    pg_dir = None
    if database == "postgresql":
        pg_dir = Path(tempfile.mkdtemp(prefix="portal-bench-pg-"))
        pg_dir.chmod(0o755)
        url = subprocess.run(
            [str(ROOT / "bin" / "pg-cluster"), "start", str(pg_dir / "c")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    servers = []
    try:
        started = time.perf_counter()
        pages = build(url, workdir, args.borrowers)
        print(f"{database}: data built in {time.perf_counter() - started:.0f} s")
        env = dict(
            os.environ,
            DATABASE_URL=url,
            PORTAL_ENV="production",
            LENDER_NAME="基准测试消费金融",
            LENDER_PHONE="400-000-0000",
            PYTHONPATH=str(ROOT),
        )
        portal, portal_port = serve("wsgi:app", env, args.workers)
        servers.append(portal)
        # The Fortunes table is made and filled once, before its workers start (each would
        # otherwise try to create it at the same moment).
        subprocess.run(
            [sys.executable, "-c", "import benchmarks.fortunes"], cwd=ROOT, env=env, check=True
        )
        fortunes, fortunes_port = serve("benchmarks.fortunes:app", env, args.workers)
        servers.append(fortunes)
        targets = {"fortunes": (fortunes_port, "/fortunes", None)}
        targets.update({name: (portal_port, p, c) for name, (p, c) in pages.items()})
        for port, path, cookie in targets.values():  # warm up every worker
            load(port, path, cookie, 1.0, args.connections)
        results = {name: ([], 0.0) for name in targets}
        failed = dict.fromkeys(targets, 0)
        for _round in range(args.rounds):
            for name, (port, path, cookie) in targets.items():
                latencies, failures = load(port, path, cookie, args.seconds, args.connections)
                failed[name] += len(failures)
                seen, elapsed = results[name]
                results[name] = (seen + latencies, elapsed + args.seconds)
        base = len(results["fortunes"][0]) / results["fortunes"][1]
        print(
            f"{database}: gunicorn {args.workers} sync workers, {args.connections} connections, "
            f"{args.rounds} interleaved rounds of {args.seconds:g} s; {os.cpu_count()} CPUs"
        )
        print(f"  {'page':<16} {'req/s':>8} {'p99 ms':>8} {'x Fortunes':>11} {'errors':>6}  target")
        for name, (latencies, elapsed) in results.items():
            rate = len(latencies) / elapsed
            ratio = rate / base
            goal = ""
            if name in TARGETS:
                met = ratio >= TARGETS[name]
                text = f">= {TARGETS[name]}x"
                if name in P99_TARGET_MS:
                    met = met and p99(latencies) * 1000 <= P99_TARGET_MS[name]
                    text += f", p99 <= {P99_TARGET_MS[name]} ms"
                goal = f"{text}: {'met' if met else 'NOT met'}"
            elif name != "fortunes":
                goal = "(reference: no account data on it)"
            print(
                f"  {name:<16} {rate:8.0f} {p99(latencies) * 1000:8.1f} {ratio:10.2f}x "
                f"{failed[name]:6d}  {goal}"
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        if pg_dir:
            subprocess.run([str(ROOT / "bin" / "pg-cluster"), "stop", str(pg_dir / "c")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--borrowers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for database in databases:
        workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        # Each database in its own process: the app is built once per process.
        if len(databases) > 1:
            subprocess.run(
                [sys.executable, __file__, "--database", database]
                + [f"--{k}={v}" for k, v in vars(args).items() if k != "database"],
                check=True,
            )
        else:
            run(database, args, workdir)


if __name__ == "__main__":
    main()
