"""Flask extensions, created unbound and initialised in create_app()."""

from collections import namedtuple

from flask import (
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    request_started,
)
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def read_columns(statement, values=None):
    """The rows of a statement over tables' columns (no mapped classes) as plain tuples.

    Such a statement runs as Core: none of the ORM's per-statement work, which is for loading
    objects and costs about as much as running a small query. What the session holds unsaved
    is flushed first, as the ORM's autoflush would before a query.
    """
    db.session.flush()
    return db.session.execute(statement, values).tuples()


def row_type(model):
    """A named tuple of the model's columns, to hold what `read_columns` reads of its table.

    Pages read long lists of such rows many times over; SQLAlchemy's rows find a column by
    name through a failed attribute look-up (about a microsecond each), a named tuple at once.
    """
    return namedtuple(f"{model.__name__}Row", [column.key for column in model.__table__.columns])


# How long a SQLite connection waits for another one's transaction to end before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if not _is_sqlite(dbapi_connection):
        return
    # pysqlite starts a transaction only before DML, not before a SAVEPOINT, so the outermost
    # savepoint would commit for real on RELEASE. SQLAlchemy's documented recipe: turn the
    # driver's own transaction handling off and emit BEGIN ourselves (below), so every
    # savepoint lives inside a transaction that commits or rolls back as a whole.
    dbapi_connection.isolation_level = None
    # SQLite checks foreign keys only when asked, per connection; PostgreSQL always does.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Write-ahead logging: readers neither wait for a writer nor hold up its commit.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


# Requests that only read: GET, HEAD and OPTIONS, unless their view is marked `writes`.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes(view):
    """Mark a view that writes though it answers GET (an audit of a staff read, a payment's
    status asked of Stripe): on SQLite its transaction takes the write lock from the start."""
    view.writes = True
    return view


@request_started.connect
def _mark_served(sender, **extra):
    g._portal_served = True


def _request_writes() -> bool:
    if not has_request_context() or not g.get("_portal_served"):
        return True  # commands, jobs, and work in a request context that serves no request
    if request.method not in SAFE_METHODS or g.get("_portal_writes"):
        return True
    return getattr(current_app.view_functions.get(request.endpoint), "writes", False)


def begin_writing() -> None:
    """About to write in a request that began only reading (the once-a-minute last-seen time of
    a login session): on SQLite, start again with the write lock. Call it before anything of the
    request is changed; what was loaded is reloaded on use."""
    g._portal_writes = True
    session = db.session()
    if session.in_transaction() and session.connection().info.get("sqlite_deferred"):
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_writing() after the request changed something")
        session.rollback()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    # A request that reads begins a deferred transaction, so readers run side by side; one that
    # writes begins IMMEDIATE, taking SQLite's write lock when it begins rather than at its
    # first write. (Two deferred transactions that have both read and then both write each wait
    # for the other, and SQLite answers one "database is locked" at once; begun IMMEDIATE, the
    # second waits its turn, busy_timeout.) SQLite runs one writer at a time anyway; a
    # deployment with real concurrency runs on PostgreSQL.
    deferred = not _request_writes()
    connection.info["sqlite_deferred"] = deferred
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_end(connection):
    connection.info.pop("sqlite_deferred", None)


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_no_write_when_deferred(connection, cursor, statement, parameters, context, many):
    # A write in a transaction begun for reading would fail under load with "database is
    # locked"; the tests find such a view (mark it `writes`, or call begin_writing()).
    if (
        connection.info.get("sqlite_deferred")
        and statement.lstrip()[:7].upper().startswith(_WRITES)
        and has_app_context()
        and current_app.testing
    ):
        raise RuntimeError(
            f"a write in a request begun for reading ({request.endpoint}): {statement[:60]}"
        )


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
