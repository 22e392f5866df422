"""One page of a long list: the rows and where the page stands, in two queries."""

from __future__ import annotations

from dataclasses import dataclass

from portal.extensions import db

PAGE_SIZE = 25


@dataclass
class Page:
    rows: list  # tuples of the selected entities
    total: int
    page: int
    pages: int


def paginate(rows_query, count_query, page: int, size: int = PAGE_SIZE) -> Page:
    """Run `count_query`, clamp `page` into range, and fetch that page of `rows_query`."""
    total = db.session.scalar(count_query)
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = db.session.execute(rows_query.limit(size).offset((page - 1) * size)).all()
    return Page([tuple(row) for row in rows], total, page, pages)
