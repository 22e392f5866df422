"""Two gunicorn workers on one SQLite file: requests that read, then write, never collide.

In SQLite's default (deferred) transaction a request that has read holds a shared lock; when
two such requests then both write (a login session's last-seen time, marked on most
requests), one waits for the other to let go of its shared lock while the other waits for
the first's write lock, and SQLite answers one of them "database is locked" at once. A request
that is about to write begins again IMMEDIATE (portal/extensions.py, begin_writing): the second
waits its turn.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from flask import request_started

from portal import create_app
from portal.auth import service as accounts
from portal.auth.models import LoginSession
from portal.extensions import db
from tests.conftest import TEST_CONFIG
from tests.helpers import TEST_PASSWORD


def test_two_requests_marking_their_session_seen_at_once_both_succeed(tmp_path, clock):
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/workers.sqlite3"}
    )
    with app.app_context():
        db.create_all()
        tokens = []
        for n in range(2):
            user = accounts.create_staff_user(f"s{n}@staff.example", "S", "support", TEST_PASSWORD)
            tokens.append(
                accounts.start_login_session(user, remember=True, address=None, user_agent="")
            )
        db.session.commit()
    clock.shift(timedelta(minutes=5))  # both sessions are due a new last-seen time

    has_read = [threading.Event(), threading.Event()]
    errors = []

    def request(n: int) -> None:
        # One request of one worker: load the session (a read, then the last-seen change),
        # wait until the other request has read too (or a second, if it cannot), commit.
        try:
            if n == 1:
                has_read[0].wait(timeout=5)
            with app.test_request_context():
                request_started.send(app)  # as Flask does when it serves a request: a GET reads
                assert accounts.load_login_session(tokens[n]) is not None
                has_read[n].set()
                has_read[1 - n].wait(timeout=1)
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
            has_read[n].set()

    workers = [threading.Thread(target=request, args=(n,)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    with app.app_context():
        logins = db.session.scalars(sa.select(LoginSession)).all()
        assert len(logins) == 2
        assert all(s.last_seen_at - s.created_at >= timedelta(minutes=5) for s in logins)
        db.session.remove()
        db.engine.dispose()
