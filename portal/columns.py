"""Column types shared by every feature's models."""

from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware datetime stored in UTC on every database.

    SQLite has no time zone type, so values are normalised to UTC on the way in and marked as
    UTC on the way out; naive datetimes are refused because their meaning is a guess.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(column: str, values) -> str:
    """SQL for a CHECK constraint: the column holds one of these values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def render_column_type(type_, obj, autogen_context):
    """Alembic hook: write UTCDateTime into migrations as a plain aware DateTime."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
