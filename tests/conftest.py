"""Fixtures: one migrated database per test run, emptied after every test; a frozen clock.

TEST_DATABASE_URL selects PostgreSQL; without it a SQLite file is used. With
PORTAL_TEST_STRICT=1 (CI) a skipped test counts as a failure, so a missing browser or
database cannot pass unnoticed.

Every test runs on a clock that starts at tests.helpers.FROZEN_AT (the `clock` fixture, with
time-machine), never on the machine's clock, so the suite gives the same result at any hour
and in any time zone.
"""

from __future__ import annotations

import gc
import os
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.helpers import (
    BUSINESS_TIME_ZONE,
    FROZEN_AT,
    STAFF_TOTP_SECRET,
    TEST_PASSWORD,
    FrozenClock,
    log_in,
)

STRICT = os.environ.get("PORTAL_TEST_STRICT") == "1"

# The tests run the development configuration; without PORTAL_ENV the portal is production.
os.environ["PORTAL_ENV"] = "development"


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests are not skipped on SQLite but left out: the PostgreSQL run of the
    # same suite (in CI always) runs them, and strict mode fails any skip.
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("postgres") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (PORTAL_TEST_STRICT=1): {report.longrepr}"


@pytest.fixture(autouse=True)
def clock():
    """The clock of every test: FROZEN_AT, running on; `clock.move_to(...)` moves it.

    time-machine patches the clock for the whole process, so the live server's threads share
    it; other processes (localstripe, Chromium, PostgreSQL) keep the real one.
    """
    with time_machine.travel(FROZEN_AT.timestamp(), tick=True) as traveller:
        yield FrozenClock(traveller)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal.sqlite3")


TEST_CONFIG = {
    "TESTING": True,
    # CSRF protection is on, as in production: tests post forms with the token of a page
    # (tests.helpers.submit_form), as a browser does.
    "WTF_CSRF_ENABLED": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 1024,
    "SERVER_NAME": "portal.test",
    "MAIL_SERVER": "",
    "SMS_GATEWAY_URL": "",
    "DEV_OUTBOX_PAGE": True,
    # Not from the environment: the tests' dates are Shanghai dates (tests.helpers.TODAY).
    "BUSINESS_TIME_ZONE": BUSINESS_TIME_ZONE,
    "BABEL_DEFAULT_TIMEZONE": BUSINESS_TIME_ZONE,
}


class BrowserClient(FlaskClient):
    """The test client, posting forms as a browser does: with the CSRF token it read from a page
    of the same session, unless the test put one (or none: `csrf_token=""`) in the form itself.
    Raw bodies (a Stripe webhook) are sent as they are. Tests that open the form's own page
    first use `tests.helpers.submit_form`."""

    def post(self, *args, **kwargs):
        data = kwargs.get("data")
        if data is None and "json" not in kwargs:
            data = {}
        if isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self._token_from_a_page()}
        return super().post(*args, **kwargs)

    def _token_from_a_page(self) -> str:
        # Every page carries the token (the language switcher is a form); the "not found" page
        # has no side effects, as the form's own page might (a staff read is audited).
        from tests.helpers import csrf_token_in

        return csrf_token_in(self.get("/-/a-page-with-the-token").text)


@pytest.fixture(scope="session")
def migrated_app(database_url):
    """The application with its database brought to the newest migration, once per run."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = BrowserClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
    yield app
    # Close every pooled connection, so none is left for the garbage collector to find open.
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_database():
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(migrated_app):
    """The application, with an empty database holding only the reference data."""
    from portal.reference import ensure_reference_data

    config_before = dict(migrated_app.config)
    with migrated_app.app_context():
        ensure_reference_data()
        db.session.commit()
    # No app context stays pushed during the test: each request gets its own, as in production
    # (Flask-Login keeps the current user on `g`, which lives as long as the app context).
    yield migrated_app
    migrated_app.config.clear()
    migrated_app.config.update(config_before)
    with migrated_app.app_context():
        _empty_database()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def large_bodies():
    """For a test that posts large bodies, marked to ignore PytestUnraisableExceptionWarning.

    Werkzeug's test client spools a large body to a temporary file that it never closes; collect
    those when the test ends, so that their warning is not blamed on a later test.
    """
    yield
    gc.collect()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories --------------------------------------------------------------------------------


@dataclass
class BorrowerRecord:
    borrower_id: int
    user_id: int
    loan_id: int
    phone: str
    email: str
    loan_number: str
    id_last4: str
    password: str


_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


@pytest.fixture
def make_borrower(app):
    """Create a borrower with one loan; activated with TEST_PASSWORD unless told otherwise."""
    from portal import clock
    from portal.auth.models import User
    from portal.auth.passwords import hash_password
    from portal.loans.journal import Components
    from portal.loans.models import Borrower, Loan
    from portal.loans.service import post_entry
    from portal.security import Role

    def make(
        *, activated=True, language="zh_Hans", email=True, principal=500_000, name="张三"
    ) -> BorrowerRecord:
        with app.app_context():
            return _make(activated, language, email, principal, name)

    def _make(activated, language, email, principal, name):
        n = _next()
        phone = f"139{n:08d}"
        mail = f"borrower{n}@example.com" if email else None
        borrower = Borrower(
            customer_ref=f"C{n:06d}",
            full_name=name,
            id_last4=f"{n % 10000:03d}X"[-4:],
            phone=phone,
            email=mail,
            preferred_language=language,
        )
        db.session.add(borrower)
        db.session.flush()
        user = User(
            role=Role.BORROWER,
            borrower_id=borrower.id,
            password_hash=hash_password(TEST_PASSWORD) if activated else None,
            activated_at=clock.now() if activated else None,
        )
        db.session.add(user)
        loan = Loan(
            borrower_id=borrower.id,
            loan_number=f"LN{n:08d}",
            product="personal",
            currency="CNY",
            opened_on=date(2026, 1, 15),
        )
        db.session.add(loan)
        db.session.flush()
        if principal:
            post_entry(
                loan.id,
                "charge",
                Components(principal=principal),
                posted_at=datetime(2026, 1, 15, tzinfo=UTC),
                reference=f"D{n}",
            )
        db.session.commit()
        return BorrowerRecord(
            borrower.id,
            user.id,
            loan.id,
            phone,
            mail,
            loan.loan_number,
            borrower.id_last4,
            TEST_PASSWORD,
        )

    return make


@dataclass
class StaffRecord:
    user_id: int
    email: str
    role: str


@pytest.fixture
def make_staff(app):
    """Create an active staff account with a role; its password is TEST_PASSWORD.

    Its second factor is enrolled with STAFF_TOTP_SECRET unless `enrolled=False`.
    """
    from portal import clock
    from portal.auth.service import create_staff_user

    def make(role: str, email: str | None = None, *, enrolled: bool = True) -> StaffRecord:
        with app.app_context():
            user = create_staff_user(
                email or f"{role}{_next()}@staff.example", role.title(), role, TEST_PASSWORD
            )
            if enrolled:
                user.totp_secret = STAFF_TOTP_SECRET
                user.totp_enrolled_at = clock.now()
            db.session.commit()
            return StaffRecord(user.id, user.email, role)

    return make


@pytest.fixture
def login_as(client, make_borrower, make_staff):
    """Log the test client in as a new user of the given role; returns that user's record."""

    def login(role: str):
        if role == "borrower":
            record = make_borrower()
            response = log_in(client, record.phone)
        else:
            record = make_staff(role)
            response = log_in(client, record.email)
        assert response.status_code == 302, response.text
        return record

    return login


@pytest.fixture
def live_server(app):
    """Serve the test application on a free local port for the length of one test."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def localstripe():
    """A localstripe server (a stateful fake Stripe) on a free port, for the whole run."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    command = shutil.which("localstripe") or str(Path(sys.executable).parent / "localstripe")
    if not Path(command).exists():
        pytest.skip("localstripe is not installed (pip install localstripe)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        # --from-scratch: localstripe would otherwise load the state another run left in its
        # one shared file, /tmp/localstripe.pickle, and fails to start when that is half-written.
        [command, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60  # generous: a busy CI machine starts it slowly
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("localstripe did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


# --- file storage -----------------------------------------------------------------------------

TEST_BUCKET = "portal-test-uploads"


@pytest.fixture(scope="session")
def moto_server():
    """An S3 stand-in (moto's server mode) on a free local port, with one empty bucket.

    The portal reaches it over HTTP through boto3, as it would reach real object storage;
    boto3 reads the (fake) credentials from the environment, as in production.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.session.Session().client("s3", endpoint_url=endpoint).create_bucket(
            Bucket=TEST_BUCKET
        )
        yield endpoint
        server.stop()


@dataclass
class UploadStore:
    """The store a test's uploads go to, and what is in it."""

    kind: str
    folder: object  # pathlib.Path of the disk store
    client: object = None  # boto3 S3 client of the object store

    def names(self) -> list[str]:
        if self.kind == "disk":
            return sorted(p.name for p in self.folder.iterdir()) if self.folder.exists() else []
        listed = self.client.list_objects_v2(Bucket=TEST_BUCKET).get("Contents", [])
        return sorted(item["Key"] for item in listed)

    def empty(self) -> None:
        if self.kind == "s3":
            for name in self.names():
                self.client.delete_object(Bucket=TEST_BUCKET, Key=name)


@pytest.fixture(params=["disk", "s3"])
def upload_store(request, app, tmp_path):
    """Uploads of this test go to a fresh folder, then (second run) to an S3 bucket."""
    folder = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(folder)
    if request.param == "disk":
        yield UploadStore("disk", folder)
        return
    import boto3

    endpoint = request.getfixturevalue("moto_server")
    app.config.update(STORAGE_URL=f"s3://{TEST_BUCKET}", STORAGE_ENDPOINT_URL=endpoint)
    store = UploadStore("s3", folder, boto3.session.Session().client("s3", endpoint_url=endpoint))
    store.empty()
    yield store
    store.empty()
