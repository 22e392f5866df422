"""Flask extensions, created unbound and initialised in create_app()."""

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
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name == "sqlite":
        # IMMEDIATE: take SQLite's write lock when the transaction begins, not at its first
        # write. In a deferred transaction, two workers that have both read and then both
        # write (the last-seen time of a login session, on most requests) each wait for the
        # other, and SQLite answers one "database is locked" at once; begun IMMEDIATE, the
        # second waits its turn (busy_timeout). SQLite runs one writer at a time anyway; a
        # deployment with real concurrency runs on PostgreSQL.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
