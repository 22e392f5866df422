"""One page of a long list: the rows and where the page stands, in two queries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa

from portal.extensions import db

PAGE_SIZE = 25


@dataclass
class Page:
    rows: list  # tuples of the selected entities
    total: int
    page: int
    pages: int


def paginate(rows_query, count_query, page: int, size: int = PAGE_SIZE, values=None) -> Page:
    """Run `count_query`, clamp `page` into range, and fetch that page of `rows_query` (both
    with the bound `values`, if any)."""
    values = values or {}
    db.session.flush()  # a count over tables' columns runs as Core, without the ORM's autoflush
    total = db.session.scalar(count_query, values)
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    bounds = {"page_size": size, "page_offset": (page - 1) * size}
    rows = db.session.execute(_paged(rows_query), {**values, **bounds}).all()
    return Page([tuple(row) for row in rows], total, page, pages)


@lru_cache(maxsize=64)
def _paged(rows_query):
    # A queue's statements are built once per filter (plans, complaints), so their paged form
    # is too; the page is a bound value.
    return rows_query.limit(sa.bindparam("page_size")).offset(sa.bindparam("page_offset"))
