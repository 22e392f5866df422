"""More than one machine: two app servers and two job runners on one database and one bucket.

Two gunicorn processes (2 workers each, as two machines behind a load balancer would run) serve
the portal from the same PostgreSQL database, with uploads in the same S3 bucket (moto's
server); two job runners (tests/scale_processes.py) run `outbox send`, `tick` and
`reconcile-payments` at the same time, several rounds each, as cron would on two machines.
What one server stored, the other serves; no message goes out twice (a real SMTP server counts
them), no payment posts twice, nothing the tick does is done twice.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal import clock as portal_clock
from portal.audit import AuditEntry
from portal.complaints.models import Complaint
from portal.complaints.rules import escalated
from portal.extensions import db
from portal.loans.models import JournalEntry, LoanDueDate
from portal.outbox.models import OutboxMessage
from portal.payments.models import Payment
from portal.uploads import UploadedFile
from tests.conftest import TEST_BUCKET
from tests.helpers import TEST_PASSWORD, TODAY, csrf_token_in
from tests.outbox.conftest import Sink
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.test_localstripe import confirm_at_stripe, start

pytestmark = [pytest.mark.postgres, pytest.mark.scale]

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 2048
PAYERS = 4
ROUNDS = 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app server stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            # (the port takes connections before the workers have loaded the portal)
            if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    pytest.fail(f"the app server at {url} did not start")


def _log_in(server: str, phone: str) -> requests.Session:
    browser = requests.Session()
    token = csrf_token_in(browser.get(f"{server}/login", timeout=30).text)
    answer = browser.post(
        f"{server}/login",
        data={"csrf_token": token, "identifier": phone, "password": TEST_PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    return browser


def _complain_with_a_photo(browser: requests.Session, server: str, name: str) -> None:
    token = csrf_token_in(browser.get(f"{server}/complaints/new", timeout=30).text)
    answer = browser.post(
        f"{server}/complaints/new",
        data={
            "csrf_token": token,
            "category": "inconvenient_contact",
            "description": "They called me at night.",
            "desired_outcome": "Stop it.",
        },
        files=[("attachments", (name, PNG, "image/png"))],
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text


@pytest.fixture
def smtp_server():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


def test_two_app_servers_and_two_job_runners_share_one_database_and_one_bucket(
    app, clock, make_borrower, moto_server, localstripe, smtp_server, tmp_path
):
    sink, smtp_port = smtp_server
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_portal",
        STRIPE_API_BASE=localstripe,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_PAYMENT_METHODS="card",
        PAYMENT_GATEWAY=None,
    )
    # Borrowers who paid at Stripe while the webhooks were lost, each with an installment due
    # in 3 days (the tick writes a reminder); one of them also complains through the servers.
    payers, payments = [], []
    for _ in range(PAYERS):
        record = make_borrower(language="en")
        with app.app_context():
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=TODAY + timedelta(days=3),
                    principal_minor=300_000,
                    interest_minor=0,
                )
            )
            db.session.commit()
        payment_id = start(app, record, amount=100_000)
        confirm_at_stripe(app, payment_id, amount=100_000)
        payers.append(record)
        payments.append(payment_id)

    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "development",  # plain-HTTP cookies; production sets them Secure
        "PORTAL_SCALE_CLOCK": str(portal_clock.now().timestamp()),
        "SECRET_KEY": app.config["SECRET_KEY"],  # one key: a session works on every server
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "STORAGE_URL": f"s3://{TEST_BUCKET}",
        "STORAGE_ENDPOINT_URL": moto_server,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_USE_TLS": "false",
        "STRIPE_SECRET_KEY": "sk_test_portal",
        "STRIPE_API_BASE": localstripe,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_PAYMENT_METHODS": "card",
        "PUBLIC_BASE_URL": "http://portal.test",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "UPLOAD_FOLDER": str(tmp_path / "never-used"),
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    servers, processes, runners = [], [], []
    try:
        for _ in range(2):
            port = _free_port()
            command = [gunicorn, "-c", "python:tests.scale_processes", "--workers", "2"]
            # (--preload: the portal is imported once per server, not once per worker)
            command += ["--preload", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            servers.append(f"http://127.0.0.1:{port}")
        for url, process in zip(servers, processes, strict=True):
            _wait_until_serving(url, process)

        # A photo uploaded through one server downloads through the other, both ways.
        first, second = servers
        on_first = _log_in(first, payers[0].phone)
        _complain_with_a_photo(on_first, first, "through-first.png")
        on_second = _log_in(second, payers[0].phone)
        _complain_with_a_photo(on_second, second, "through-second.png")
        with app.app_context():
            files = db.session.execute(
                sa.select(
                    UploadedFile.id, UploadedFile.original_name, UploadedFile.stored_name
                ).order_by(UploadedFile.id)
            ).all()
            # Both complaints are past their acknowledgement deadline: the tick escalates each.
            complaints = db.session.scalars(sa.select(Complaint).order_by(Complaint.id)).all()
            priorities = [c.priority for c in complaints]
            for complaint in complaints:
                complaint.acknowledge_due_at = portal_clock.now() - timedelta(hours=1)
            db.session.commit()
        assert [f.original_name for f in files] == ["through-first.png", "through-second.png"]
        assert on_second.get(f"{second}/files/{files[0].id}", timeout=30).content == PNG
        assert on_first.get(f"{first}/files/{files[1].id}", timeout=30).content == PNG
        # The same session works on either server; another borrower's file is not found.
        stranger = _log_in(second, payers[1].phone)
        assert stranger.get(f"{second}/files/{files[0].id}", timeout=30).status_code == 404
        listed = boto3.client("s3", endpoint_url=moto_server).list_objects_v2(Bucket=TEST_BUCKET)
        assert {f.stored_name for f in files} <= {o["Key"] for o in listed.get("Contents", [])}

        # Two job runners at once, several rounds each, on the test's clock as it is now.
        environment["PORTAL_SCALE_CLOCK"] = str(portal_clock.now().timestamp())
        runners += [
            subprocess.Popen(
                [sys.executable, "-m", "tests.scale_processes", str(ROUNDS)],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        # (generous: on a loaded machine each runner's start alone takes seconds)
        outputs = [runner.communicate(timeout=300)[0].decode() for runner in runners]
        for runner, output in zip(runners, outputs, strict=True):
            assert runner.returncode == 0, output
    finally:
        for process in processes + runners:
            process.terminate()
        for process in processes + runners:
            process.wait(timeout=30)
            (process.stderr or process.stdout).close()

    with app.app_context():
        messages = db.session.scalars(sa.select(OutboxMessage)).all()
        audit = Counter(
            (entry.action, entry.subject_id) for entry in db.session.scalars(sa.select(AuditEntry))
        )
        # Every message sent, each exactly once: what the SMTP server got is what was written.
        assert {m.status for m in messages} == {"sent"}
        received = Counter(
            (re.search(r"^To: (.+)$", mail, re.M).group(1).strip(), _subject(mail))
            for mail in sink.received
        )
        assert received == Counter((m.recipient, m.subject) for m in messages)
        reminders = [m for m in messages if m.purpose == "installment_due"]
        assert len(reminders) == PAYERS
        # Every payment posted once.
        for payment_id in payments:
            payment = db.session.get(Payment, payment_id)
            assert payment.status == "succeeded"
            postings = db.session.scalars(
                sa.select(JournalEntry).where(JournalEntry.reference == payment.payment_intent_id)
            ).all()
            assert len(postings) == 1 and payment.journal_entry_id == postings[0].id
            assert audit[("payment.posted", payment_id)] == 1
        # Each complaint escalated once by time.
        after = db.session.scalars(sa.select(Complaint).order_by(Complaint.id)).all()
        for complaint, before in zip(after, priorities, strict=True):
            assert complaint.priority == escalated(before)
            assert audit[("complaint.acknowledgement_late", complaint.id)] == 1
    assert all("round 2 reconcile-payments" in output for output in outputs), outputs


def _subject(mail: str) -> str:
    from email import message_from_string
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message_from_string(mail)["Subject"])))
