"""Filters and links read from the query string, one way, before anything reaches a query.

A filter is a choice from a list (anything else is its default), a flag, a page number, a row id
or text typed into a search box. Text with a NUL character cannot be searched for on any
database the portal runs on; the search box says so instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask import request

from portal.forms import NUL, NUL_MESSAGE
from portal.rows import parse_id


def choice(name: str, allowed: Collection[str], default: str) -> str:
    """One of the allowed values, or the default."""
    value = request.args.get(name, default)
    return value if value in allowed else default


def flag(name: str) -> bool:
    """A ticked checkbox of a filter form."""
    return request.args.get(name) == "1"


def page_number(name: str) -> int:
    """A page of a long list: a whole number from 1 (a later page than the last shows the last)."""
    return parse_id(request.args.get(name)) or 1


def row_id(name: str) -> int | None:
    """The id of a row a link points at, or None for anything that cannot be one."""
    return parse_id(request.args.get(name))


@dataclass(frozen=True)
class SearchText:
    text: str  # what was typed, trimmed and cut to its length, without NUL characters
    error: str | None = None  # why it cannot be searched for as typed


def search_text(name: str, max_length: int) -> SearchText:
    """The text typed into a search box."""
    typed = request.args.get(name, "")
    text = typed.replace(NUL, "").strip()[:max_length]
    return SearchText(text, str(NUL_MESSAGE) if NUL in typed else None)
