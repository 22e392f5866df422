"""Loading rows: scoped to the current borrower, and locked for an update.

One way to scope a query to a borrower (anything not theirs is simply not found) and one way to
lock a row. Ids outside the database's integer range are not found either, rather than errors.
"""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from flask import abort
from werkzeug.routing import IntegerConverter

from portal.extensions import db

Row = TypeVar("Row")

# The largest id any table can hold on every database we run on (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1


def valid_id(value) -> bool:
    """True for an int that can be a row id on every database."""
    return type(value) is int and 0 < value <= MAX_ID


def parse_id(text) -> int | None:
    """A row id sent as text (a link's query string, a form's hidden field or choice), or None.

    Only ASCII digits: str.isdigit() also takes "²", which int() refuses, and int() takes
    " 12", "1_2" and "１２".
    """
    if isinstance(text, str) and 0 < len(text) <= 10 and text.isascii() and text.isdigit():
        value = int(text)
        return value if valid_id(value) else None
    return None


class RowIdConverter(IntegerConverter):
    """`<int:...>` in the portal's addresses, which are all row ids: 1 to MAX_ID, in ASCII
    digits. Anything else matches no route, so it is not found (404) before any query."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def owned(model: type[Row], row_id, borrower_id: int, *, lock: bool = False) -> Row | None:
    """The row of `model` with this id if it belongs to the borrower, else None."""
    if not valid_id(row_id) or borrower_id is None:
        return None
    query = sa.select(model).where(model.id == row_id, model.borrower_id == borrower_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def own(model: type[Row], row_id, *, lock: bool = False) -> Row:
    """The current borrower's row of `model` with this id, or 404 for anything else."""
    from flask_login import current_user

    row = owned(model, row_id, getattr(current_user, "borrower_id", None), lock=lock)
    if row is None:
        abort(404)
    return row


def locked(model: type[Row], row_id) -> Row | None:
    """The row of `model` with this id, locked for update until the transaction ends.

    The lock serialises concurrent changes to one row across workers on PostgreSQL (SQLite
    serialises writers anyway); the row is read afresh so a stale copy never decides.
    """
    if not valid_id(row_id):
        return None
    return db.session.scalar(
        sa.select(model)
        .where(model.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
