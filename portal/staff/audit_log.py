"""The audit log as administrators read it: filtered, in pages, and exported as CSV.

Filters: the person who acted (their e-mail), the borrower whose data was touched (customer
reference), the action, and a range of business-zone dates. Exporting is itself audited.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from portal import audit, clock
from portal.audit import AuditEntry
from portal.auth.models import User
from portal.extensions import db
from portal.loans.models import Borrower
from portal.pagination import Page, paginate

EXPORT_LIMIT = 50_000
# A cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    person: str = ""
    borrower: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        """The filter as query-string arguments (for page links and the export link)."""
        values = asdict(self)
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def _typed(args, name: str, length: int) -> str:
    # No database stores a NUL character (PostgreSQL refuses it in a query too), and no account,
    # reference or action holds one: it is dropped before the text reaches a query.
    return args.get(name, "").replace("\x00", "").strip()[:length]


def parse_filter(args) -> AuditFilter:
    """The filters of the audit log page, from its query string."""
    return AuditFilter(
        person=_typed(args, "person", 254).lower(),
        borrower=_typed(args, "borrower", 64),
        action=_typed(args, "action", 64),
        date_from=_day(args.get("date_from", "")),
        date_to=_day(args.get("date_to", "")),
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.business_zone())


def _conditions(f: AuditFilter) -> list:
    conditions = []
    if f.person:
        conditions.append(User.email == f.person)
    if f.borrower:
        conditions.append(Borrower.customer_ref == f.borrower)
    if f.action:
        conditions.append(AuditEntry.action == f.action)
    if f.date_from:
        conditions.append(AuditEntry.at >= _start_of(f.date_from))
    if f.date_to:
        conditions.append(AuditEntry.at < _start_of(f.date_to + timedelta(days=1)))
    return conditions


def _select(f: AuditFilter, *columns):
    return (
        sa.select(*columns)
        .select_from(AuditEntry)
        .outerjoin(User, AuditEntry.actor_user_id == User.id)
        .outerjoin(Borrower, AuditEntry.borrower_id == Borrower.id)
        .where(*_conditions(f))
    )


def entries(f: AuditFilter, page: int) -> Page:
    """One page of the filtered entries, newest first: (entry, actor e-mail, customer ref)."""
    rows = _select(f, AuditEntry, User.email, Borrower.customer_ref).order_by(
        AuditEntry.at.desc(), AuditEntry.id.desc()
    )
    return paginate(rows, _select(f, sa.func.count()), page)


def actions() -> list[str]:
    """Every action recorded so far, for the filter's choices."""
    return list(db.session.scalars(sa.select(AuditEntry.action).distinct().order_by("action")))


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_csv(f: AuditFilter) -> str:
    """The filtered entries as CSV (oldest first), and an audit entry saying who exported."""
    rows = db.session.execute(
        _select(f, AuditEntry, User.email, Borrower.customer_ref)
        .order_by(AuditEntry.at, AuditEntry.id)
        .limit(EXPORT_LIMIT)
    ).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["at_utc", "person", "action", "subject_type", "subject_id", "borrower", "ip", "details"]
    )
    for entry, email, customer_ref in rows:
        writer.writerow(
            [
                _cell(entry.at.isoformat()),
                _cell(email),
                _cell(entry.action),
                _cell(entry.subject_type),
                _cell(entry.subject_id),
                _cell(customer_ref),
                _cell(entry.ip_address),
                _cell(entry.details and _compact(entry.details)),
            ]
        )
    audit.record("audit.exported", details={"filter": f.as_args(), "rows": len(rows)})
    return buffer.getvalue()


def _compact(details: dict) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
