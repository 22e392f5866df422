"""One transaction per request, and savepoints that live inside it (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort

from portal.audit import AuditEntry
from portal.extensions import db, writes


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_a_released_savepoint_is_rolled_back_with_its_transaction(app):
    with app.app_context():
        with db.session.begin_nested():
            db.session.add(AuditEntry(action="test.inside_savepoint"))
        # The savepoint is released; the outer transaction is still open and decides.
        db.session.rollback()
        assert _audit_count() == 0


def test_a_rolled_back_savepoint_keeps_what_came_before_it(app):
    with app.app_context():
        db.session.add(AuditEntry(action="test.before"))
        db.session.flush()
        try:
            with db.session.begin_nested():
                db.session.add(AuditEntry(action="test.inside"))
                db.session.flush()
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        db.session.commit()
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
        assert actions == ["test.before"]


def _edge_app(app):
    """Routes that write an audit entry and then answer with different outcomes."""
    if "edge_test" in app.blueprints:
        return app
    bp = Blueprint("edge_test", __name__)

    def write(action):
        db.session.add(AuditEntry(action=action))
        db.session.flush()

    @bp.get("/_edge/ok")
    @writes
    def ok():
        write("edge.ok")
        return "ok"

    @bp.get("/_edge/not-found")
    @writes
    def not_found():
        write("edge.not_found")
        abort(404)

    @bp.get("/_edge/crash")
    @writes
    def crash():
        write("edge.crash")
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    return app


def test_the_request_edge_commits_a_success_and_rolls_back_errors(migrated_app, app):
    # Registering a blueprint after the first request is refused, so use a fresh app on the
    # same database.
    from portal import create_app

    fresh = _edge_app(create_app(dict(migrated_app.config)))
    fresh.config["PROPAGATE_EXCEPTIONS"] = False
    client = fresh.test_client()
    assert client.get("/_edge/ok").status_code == 200
    assert client.get("/_edge/not-found").status_code == 404
    assert client.get("/_edge/crash").status_code == 500
    with fresh.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
        db.session.remove()
        db.engine.dispose()
    assert actions == ["edge.ok"]
