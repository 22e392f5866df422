"""Applying an import file: every row lands whole or not at all; re-importing changes nothing.

Rows are matched on the lender's references (customer, loan number, due date, journal and
contact references). The file is applied in batches of COMMIT_EVERY rows, set-based: one look-up
per record type for the whole batch, the rows checked in file order in memory (journal postings
applied per loan in file order to the loan's balance), then bulk inserts and updates inside one
savepoint. A row the rules refuse is left out of the writes and reported. If the database
refuses the batch's writes (a unique phone, say), the savepoint is rolled back and the batch is
applied again one row at a time, each in its own savepoint, so the report names each bad line.
Nothing here commits: `import_batches` hands control back after every batch, and the `import`
command commits there; `import_file` applies a whole file in the caller's transaction.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.auth.models import User
from portal.extensions import db
from portal.imports.models import ImportRun
from portal.imports.reader import read_lines
from portal.imports.rows import (
    BorrowerRow,
    ContactRow,
    DueDateRow,
    JournalRow,
    LoanRow,
    RowError,
    parse_row,
)
from portal.loans.journal import Components, JournalError, apply_entry
from portal.loans.models import Borrower, ContactLogEntry, JournalEntry, Loan, LoanDueDate
from portal.loans.service import post_entry
from portal.security import Role

# Rows in one batch: one savepoint, and a point where the caller may commit after it.
COMMIT_EVERY = 5000
# Keys in one IN (...) look-up (SQLite; PostgreSQL takes them as one array).
LOOKUP_CHUNK = 500


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)  # (record, outcome) -> rows
    errors: list[tuple[int, str]] = field(default_factory=list)

    def count(self, record: str, outcome: str) -> None:
        self.counts[(record, outcome)] += 1

    def reject(self, line: int, reason: str) -> None:
        self.errors.append((line, reason))

    def summary_lines(self) -> list[str]:
        records = sorted({record for record, _ in self.counts})
        lines = []
        for record in records:
            parts = [
                f"{outcome} {self.counts[(record, outcome)]}"
                for outcome in ("created", "updated", "unchanged")
                if self.counts[(record, outcome)]
            ]
            lines.append(f"{record}: {', '.join(parts)}")
        lines.append(f"rejected rows: {len(self.errors)}")
        return lines


class _Importer:
    def __init__(self, report: ImportReport):
        self.report = report

    def apply_batch(self, batch: list[tuple[int, object]]) -> None:
        """Apply a batch set-based in one savepoint; row by row if the database refuses it."""
        outcome = _BatchOutcome()
        try:
            with db.session.begin_nested():
                _SetBatch(batch, outcome).apply()
        except IntegrityError:
            self.apply_rows(batch)
            return
        for key, rows in outcome.counts.items():
            self.report.counts[key] += rows
        self.report.errors.extend(outcome.errors)

    # --- the fallback: one row at a time, each in its own savepoint ------------------------

    def apply_rows(self, batch: list[tuple[int, object]]) -> None:
        self.seen_contacts: dict[str, dict] = {}
        for line, row in batch:
            self.apply(line, row)

    def apply(self, line: int, row) -> None:
        handler = {
            BorrowerRow: self.borrower,
            LoanRow: self.loan,
            DueDateRow: self.due_date,
            JournalRow: self.journal,
            ContactRow: self.contact,
        }[type(row)]
        try:
            with db.session.begin_nested():
                outcome = handler(row)
        except (RowError, JournalError) as error:
            self.report.reject(line, str(error))
        except IntegrityError as error:
            self.report.reject(line, f"conflicts with data already held ({_constraint(error)})")
        else:
            self.report.count(_record_name(row), outcome)

    def loan_id(self, loan_number: str) -> int | None:
        return db.session.scalar(sa.select(Loan.id).where(Loan.loan_number == loan_number))

    def borrower(self, row: BorrowerRow) -> str:
        borrower = db.session.scalar(
            sa.select(Borrower).where(Borrower.customer_ref == row.customer_ref)
        )
        values = {
            "full_name": row.full_name,
            "id_last4": row.id_last4,
            "phone": row.phone,
            "email": row.email,
            "preferred_language": row.preferred_language,
            "time_zone": row.time_zone,
        }
        if borrower is None:
            borrower = Borrower(customer_ref=row.customer_ref, **values)
            db.session.add(borrower)
            db.session.flush()
            db.session.add(User(role=Role.BORROWER, borrower_id=borrower.id))
            db.session.flush()
            return "created"
        if borrower.language_chosen_at is not None:
            # The person chose their language in the portal: the lender's record does not undo it.
            del values["preferred_language"]
        changed = {k: v for k, v in values.items() if getattr(borrower, k) != v}
        if not changed:
            return "unchanged"
        for key, value in changed.items():
            setattr(borrower, key, value)
        db.session.flush()
        return "updated"

    def loan(self, row: LoanRow) -> str:
        borrower_id = db.session.scalar(
            sa.select(Borrower.id).where(Borrower.customer_ref == row.customer_ref)
        )
        if borrower_id is None:
            raise RowError(f"customer_ref {row.customer_ref!r} is not a known borrower")
        loan = db.session.scalar(sa.select(Loan).where(Loan.loan_number == row.loan_number))
        if loan is None:
            loan = Loan(
                borrower_id=borrower_id,
                loan_number=row.loan_number,
                product=row.product,
                currency=row.currency,
                status=row.status,
                opened_on=row.opened_on,
            )
            db.session.add(loan)
            db.session.flush()
            return "created"
        if loan.borrower_id != borrower_id:
            raise RowError(f"loan {row.loan_number} belongs to another customer")
        if loan.currency != row.currency or loan.opened_on != row.opened_on:
            raise RowError(f"the currency and opening date of loan {row.loan_number} cannot change")
        if (loan.product, loan.status) == (row.product, row.status):
            return "unchanged"
        loan.product, loan.status = row.product, row.status
        db.session.flush()
        return "updated"

    def _known_loan(self, loan_number: str) -> int:
        loan_id = self.loan_id(loan_number)
        if loan_id is None:
            raise RowError(f"loan_number {loan_number!r} is not a known loan")
        return loan_id

    def due_date(self, row: DueDateRow) -> str:
        loan_id = self._known_loan(row.loan_number)
        existing = db.session.scalar(
            sa.select(LoanDueDate).where(
                LoanDueDate.loan_id == loan_id, LoanDueDate.due_on == row.due_on
            )
        )
        if existing is None:
            db.session.add(
                LoanDueDate(
                    loan_id=loan_id,
                    due_on=row.due_on,
                    principal_minor=row.principal,
                    interest_minor=row.interest,
                )
            )
            db.session.flush()
            return "created"
        if (existing.principal_minor, existing.interest_minor) == (row.principal, row.interest):
            return "unchanged"
        existing.principal_minor, existing.interest_minor = row.principal, row.interest
        db.session.flush()
        return "updated"

    def journal(self, row: JournalRow) -> str:
        loan_id = self._known_loan(row.loan_number)
        existing = db.session.scalar(
            sa.select(JournalEntry).where(
                JournalEntry.loan_id == loan_id, JournalEntry.reference == row.reference
            )
        )
        if existing is not None:
            same = (
                existing.kind == row.kind
                and existing.principal_minor == row.change.principal
                and existing.interest_minor == row.change.interest
                and existing.fee_minor == row.change.fee
                and existing.posted_at == row.posted_at
            )
            if same:
                return "unchanged"
            raise RowError(
                f"journal entry {row.reference} already exists with other values; journal "
                "entries never change (send an adjustment)"
            )
        post_entry(
            loan_id,
            row.kind,
            row.change,
            posted_at=row.posted_at,
            reference=row.reference,
            description=row.description,
        )
        return "created"

    def contact(self, row: ContactRow) -> str:
        loan_id = self._known_loan(row.loan_number)
        values = _contact_values(loan_id, row)
        if row.reference in self.seen_contacts:
            if self.seen_contacts[row.reference] != values:
                raise RowError(f"contact {row.reference} appears twice with different values")
            return "unchanged"
        self.seen_contacts[row.reference] = values
        current = db.session.scalar(
            sa.select(ContactLogEntry).where(ContactLogEntry.reference == row.reference)
        )
        if current is None:
            db.session.execute(sa.insert(ContactLogEntry), [values])
            return "created"
        if current.loan_id != loan_id:
            raise RowError(f"contact {row.reference} belongs to another loan")
        if all(getattr(current, key) == value for key, value in values.items()):
            return "unchanged"
        for key, value in values.items():
            setattr(current, key, value)
        db.session.flush()
        return "updated"


@dataclass
class _BatchOutcome:
    """What a set-based batch did, reported only once its savepoint holds."""

    counts: Counter = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)


BORROWER_FIELDS = ("full_name", "id_last4", "phone", "email", "preferred_language", "time_zone")


class _SetBatch:
    """One batch, set-based: look everything up at once, check in memory, write in bulk."""

    def __init__(self, batch: list[tuple[int, object]], outcome: _BatchOutcome):
        self.batch = batch
        self.outcome = outcome
        # Current state by key, as the database holds it plus the rows accepted so far.
        self.borrowers: dict[str, dict] = {}
        self.loans: dict[str, dict] = {}
        self.due_dates: dict[tuple[str, object], dict] = {}
        self.journal: dict[tuple[str, str], dict] = {}
        self.contacts: dict[str, dict] = {}
        self.seen_contacts: dict[str, dict] = {}
        # Writes, in file order within each table.
        self.new: dict[str, dict[object, dict]] = {
            name: {} for name in ("borrower", "loan", "due_date", "contact")
        }
        self.new_journal: list[dict] = []
        self.changed: dict[str, dict[int, dict]] = {
            name: {} for name in ("borrower", "loan", "due_date", "contact")
        }

    # --- look-ups -------------------------------------------------------------------------

    def load(self) -> None:
        customer_refs, loan_numbers, contact_refs, journal_refs = set(), set(), set(), set()
        for _line, row in self.batch:
            if isinstance(row, BorrowerRow | LoanRow):
                customer_refs.add(row.customer_ref)
            if not isinstance(row, BorrowerRow):
                loan_numbers.add(row.loan_number)
            if isinstance(row, ContactRow):
                contact_refs.add(row.reference)
            elif isinstance(row, JournalRow):
                journal_refs.add(row.reference)
        b = Borrower.__table__.c
        for found in _chunked(
            customer_refs,
            lambda keys: sa.select(
                b.id, b.customer_ref, b.language_chosen_at, *(b[f] for f in BORROWER_FIELDS)
            ).where(_among(b.customer_ref, keys)),
        ):
            self.borrowers[found.customer_ref] = dict(found._mapping)
        loan_columns = (
            Loan.id,
            Loan.loan_number,
            Loan.borrower_id,
            Borrower.customer_ref,
            Loan.product,
            Loan.status,
            Loan.currency,
            Loan.opened_on,
            Loan.principal_minor,
            Loan.interest_minor,
            Loan.fee_minor,
        )
        loan_ids = {}
        for found in _chunked(
            loan_numbers,
            lambda keys: (
                sa.select(*loan_columns)
                .join(Borrower, Borrower.id == Loan.borrower_id)
                .where(_among(Loan.loan_number, keys))
                # Postings to one loan are serialised across workers (PostgreSQL).
                .with_for_update(of=Loan)
            ),
        ):
            loan = dict(found._mapping)
            loan["balance"] = Components(
                loan.pop("principal_minor"), loan.pop("interest_minor"), loan.pop("fee_minor")
            )
            self.loans[loan["loan_number"]] = loan
            loan_ids[loan["id"]] = loan["loan_number"]
        if any(isinstance(row, DueDateRow) for _line, row in self.batch):
            for found in _chunked(
                loan_ids,
                lambda keys: sa.select(
                    LoanDueDate.id,
                    LoanDueDate.loan_id,
                    LoanDueDate.due_on,
                    LoanDueDate.principal_minor,
                    LoanDueDate.interest_minor,
                ).where(_among(LoanDueDate.loan_id, keys)),
            ):
                key = (loan_ids[found.loan_id], found.due_on)
                self.due_dates[key] = dict(found._mapping)
        for found in _chunked(
            journal_refs,
            lambda keys: sa.select(
                JournalEntry.loan_id,
                JournalEntry.reference,
                JournalEntry.kind,
                JournalEntry.principal_minor,
                JournalEntry.interest_minor,
                JournalEntry.fee_minor,
                JournalEntry.posted_at,
            ).where(_among(JournalEntry.reference, keys)),
        ):
            if found.loan_id in loan_ids:
                self.journal[(loan_ids[found.loan_id], found.reference)] = dict(found._mapping)
        for found in _chunked(
            contact_refs,
            lambda keys: sa.select(ContactLogEntry.__table__).where(
                _among(ContactLogEntry.reference, keys)
            ),
        ):
            self.contacts[found.reference] = dict(found._mapping)

    # --- the rows, in file order ----------------------------------------------------------

    def apply(self) -> None:
        self.load()
        handlers = {
            BorrowerRow: self.borrower,
            LoanRow: self.loan,
            DueDateRow: self.due_date,
            JournalRow: self.journal_entry,
            ContactRow: self.contact,
        }
        for line, row in self.batch:
            try:
                outcome = handlers[type(row)](row)
            except (RowError, JournalError) as error:
                self.outcome.errors.append((line, str(error)))
            else:
                self.outcome.counts[(_record_name(row), outcome)] += 1
        self.write()

    def _update(self, table: str, current: dict, changes: dict) -> None:
        current.update(changes)
        if current.get("id") is None:  # created earlier in this batch: not written yet
            return
        self.changed[table].setdefault(current["id"], {"id": current["id"]}).update(changes)

    def borrower(self, row: BorrowerRow) -> str:
        values = {name: getattr(row, name) for name in BORROWER_FIELDS}
        current = self.borrowers.get(row.customer_ref)
        if current is None:
            current = {"id": None, "customer_ref": row.customer_ref, **values}
            self.borrowers[row.customer_ref] = current
            self.new["borrower"][row.customer_ref] = current
            return "created"
        if current.get("language_chosen_at") is not None:
            # The person chose their language in the portal: the lender's record does not undo it.
            del values["preferred_language"]
        changed = {k: v for k, v in values.items() if current[k] != v}
        if not changed:
            return "unchanged"
        self._update("borrower", current, changed)
        return "updated"

    def loan(self, row: LoanRow) -> str:
        if row.customer_ref not in self.borrowers:
            raise RowError(f"customer_ref {row.customer_ref!r} is not a known borrower")
        loan = self.loans.get(row.loan_number)
        if loan is None:
            loan = {
                "id": None,
                "loan_number": row.loan_number,
                "customer_ref": row.customer_ref,
                "product": row.product,
                "currency": row.currency,
                "status": row.status,
                "opened_on": row.opened_on,
                "balance": Components(),
            }
            self.loans[row.loan_number] = loan
            self.new["loan"][row.loan_number] = loan
            return "created"
        if loan["customer_ref"] != row.customer_ref:
            raise RowError(f"loan {row.loan_number} belongs to another customer")
        if loan["currency"] != row.currency or loan["opened_on"] != row.opened_on:
            raise RowError(f"the currency and opening date of loan {row.loan_number} cannot change")
        if (loan["product"], loan["status"]) == (row.product, row.status):
            return "unchanged"
        self._update("loan", loan, {"product": row.product, "status": row.status})
        return "updated"

    def _known_loan(self, loan_number: str) -> dict:
        loan = self.loans.get(loan_number)
        if loan is None:
            raise RowError(f"loan_number {loan_number!r} is not a known loan")
        return loan

    def due_date(self, row: DueDateRow) -> str:
        self._known_loan(row.loan_number)
        key = (row.loan_number, row.due_on)
        amounts = {"principal_minor": row.principal, "interest_minor": row.interest}
        current = self.due_dates.get(key)
        if current is None:
            current = {"id": None, "loan_number": row.loan_number, "due_on": row.due_on, **amounts}
            self.due_dates[key] = current
            self.new["due_date"][key] = current
            return "created"
        if all(current[k] == v for k, v in amounts.items()):
            return "unchanged"
        self._update("due_date", current, amounts)
        return "updated"

    def journal_entry(self, row: JournalRow) -> str:
        loan = self._known_loan(row.loan_number)
        key = (row.loan_number, row.reference)
        values = {
            "kind": row.kind,
            "principal_minor": row.change.principal,
            "interest_minor": row.change.interest,
            "fee_minor": row.change.fee,
            "posted_at": row.posted_at,
        }
        existing = self.journal.get(key)
        if existing is not None:
            if all(existing[k] == v for k, v in values.items()):
                return "unchanged"
            raise RowError(
                f"journal entry {row.reference} already exists with other values; journal "
                "entries never change (send an adjustment)"
            )
        loan["balance"] = apply_entry(loan["balance"], row.kind, row.change)
        loan["posted"] = True
        entry = {
            "loan_number": row.loan_number,
            "reference": row.reference,
            "description": row.description,
            **values,
        }
        self.journal[key] = entry
        self.new_journal.append(entry)
        return "created"

    def contact(self, row: ContactRow) -> str:
        self._known_loan(row.loan_number)
        values = _contact_values(None, row)
        del values["loan_id"]
        values["loan_number"] = row.loan_number
        if row.reference in self.seen_contacts:
            if self.seen_contacts[row.reference] != values:
                raise RowError(f"contact {row.reference} appears twice with different values")
            return "unchanged"
        self.seen_contacts[row.reference] = values
        current = self.contacts.get(row.reference)
        if current is None:
            current = {"id": None, **values}
            self.contacts[row.reference] = current
            self.new["contact"][row.reference] = current
            return "created"
        loan = self.loans[row.loan_number]
        if current.get("loan_id", loan["id"]) != loan["id"]:
            raise RowError(f"contact {row.reference} belongs to another loan")
        changes = {k: v for k, v in values.items() if k != "loan_number" and current.get(k) != v}
        if not changes:
            return "unchanged"
        self._update("contact", current, changes)
        return "updated"

    # --- the writes -----------------------------------------------------------------------

    def write(self) -> None:
        session = db.session
        new_borrowers = list(self.new["borrower"].values())
        if new_borrowers:
            created = session.execute(
                sa.insert(Borrower.__table__).returning(
                    Borrower.__table__.c.id, Borrower.__table__.c.customer_ref
                ),
                [
                    {"customer_ref": b["customer_ref"]} | _only(b, BORROWER_FIELDS)
                    for b in new_borrowers
                ],
            )
            for borrower_id, customer_ref in created:
                self.borrowers[customer_ref]["id"] = borrower_id
            _insert(
                User.__table__,
                [{"role": Role.BORROWER, "borrower_id": b["id"]} for b in new_borrowers],
            )
        new_loans = list(self.new["loan"].values())
        if new_loans:
            created = session.execute(
                sa.insert(Loan.__table__).returning(
                    Loan.__table__.c.id, Loan.__table__.c.loan_number
                ),
                [
                    {"borrower_id": self.borrowers[loan["customer_ref"]]["id"]}
                    | _only(loan, ("loan_number", "product", "currency", "status", "opened_on"))
                    for loan in new_loans
                ],
            )
            for loan_id, loan_number in created:
                self.loans[loan_number]["id"] = loan_id
        for loan in self.loans.values():
            if loan.pop("posted", False):
                balance = loan["balance"]
                self.changed["loan"].setdefault(loan["id"], {"id": loan["id"]}).update(
                    principal_minor=balance.principal,
                    interest_minor=balance.interest,
                    fee_minor=balance.fee,
                )

        def loan_id(row: dict) -> dict:
            return {"loan_id": self.loans[row["loan_number"]]["id"]}

        if self.new["due_date"]:
            _insert(
                LoanDueDate.__table__,
                [
                    loan_id(d) | _only(d, ("due_on", "principal_minor", "interest_minor"))
                    for d in self.new["due_date"].values()
                ],
            )
        if self.new_journal:
            columns = ("reference", "description", "kind", "principal_minor")
            columns += ("interest_minor", "fee_minor", "posted_at")
            _insert(
                JournalEntry.__table__, [loan_id(e) | _only(e, columns) for e in self.new_journal]
            )
        if self.new["contact"]:
            columns = ("reference", "contacted_at", "channel", "party", "agent", "outcome", "note")
            _insert(
                ContactLogEntry.__table__,
                [loan_id(c) | _only(c, columns) for c in self.new["contact"].values()],
            )
        for name, model in (
            ("borrower", Borrower),
            ("loan", Loan),
            ("due_date", LoanDueDate),
            ("contact", ContactLogEntry),
        ):
            for changes in _same_keys(self.changed[name].values()):
                session.execute(sa.update(model), changes)
        # Bulk updates by primary key leave loaded objects as they were: load them afresh.
        session.expire_all()


def _insert(table: sa.Table, rows: list[dict]) -> None:
    """Insert rows that all set the same columns; PostgreSQL takes them through COPY.

    COPY skips SQLAlchemy's column defaults and bind processing, so both are applied here:
    the defaults once for the batch, each column's bind processor (UTC times) per value.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    dialect = connection.dialect
    given = list(rows[0])
    defaults = {
        column.name: column.default.arg(None) if column.default.is_callable else column.default.arg
        for column in table.columns
        if column.name not in given and column.default is not None
    }
    names = given + list(defaults)
    processors = [table.columns[name].type.bind_processor(dialect) for name in names]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    driver = connection.connection.driver_connection
    copying = f"COPY {table.name} ({columns}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(copying) as copy:
        for row in rows:
            values = [row[name] for name in given] + list(defaults.values())
            pairs = zip(processors, values, strict=True)
            copy.write_row([value if p is None else p(value) for p, value in pairs])


def _only(values: dict, names: Iterable[str]) -> dict:
    return {name: values[name] for name in names}


def _same_keys(rows: Iterable[dict]) -> list[list[dict]]:
    """Group update rows by the columns they set (one executemany each)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def _chunked(keys: Iterable, statement: Callable[[list], sa.Select]) -> Iterator[sa.Row]:
    keys = list(keys)
    chunk = len(keys) or 1 if _on_postgresql() else LOOKUP_CHUNK
    for start in range(0, len(keys), chunk):
        yield from db.session.execute(statement(keys[start : start + chunk]))


def _among(column: sa.ColumnElement, keys: list) -> sa.ColumnElement[bool]:
    """`column IN keys`; on PostgreSQL one array parameter instead of a placeholder per key."""
    if _on_postgresql():
        return column == sa.any_(sa.bindparam(None, keys, type_=postgresql.ARRAY(column.type)))
    return column.in_(keys)


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _contact_values(loan_id: int | None, row: ContactRow) -> dict:
    return {
        "loan_id": loan_id,
        "reference": row.reference,
        "contacted_at": row.contacted_at,
        "channel": row.channel,
        "party": row.party,
        "agent": row.agent,
        "outcome": row.outcome,
        "note": row.note,
    }


def _record_name(row) -> str:
    return {
        BorrowerRow: "borrower",
        LoanRow: "loan",
        DueDateRow: "due_date",
        JournalRow: "journal",
        ContactRow: "contact",
    }[type(row)]


def _constraint(error: IntegrityError) -> str:
    message = str(error.orig).splitlines()[0] if error.orig else "constraint"
    return message[:200]


def import_batches(
    path: str, report: ImportReport, *, progress: Callable[[int], None] | None = None
) -> Iterator[None]:
    """Apply a CSV or JSON Lines file, filling `report`; yields whenever the caller may commit.

    It yields after every batch of COMMIT_EVERY rows and once at the end; every row applied
    before a yield is whole, so a commit there keeps exactly the rows counted so far. Raises
    reader.FileProblem for an unreadable file, before any row is applied.
    """
    importer = _Importer(report)
    batch: list[tuple[int, object]] = []
    for line in read_lines(path):
        if progress:
            progress(line.size)
        if line.problem:
            report.reject(line.number, line.problem)
            continue
        try:
            row = parse_row(line.data)
        except RowError as error:
            report.reject(line.number, str(error))
            continue
        batch.append((line.number, row))
        if len(batch) >= COMMIT_EVERY:
            importer.apply_batch(batch)
            batch = []
            yield
    if batch:
        importer.apply_batch(batch)
    yield


def import_file(path: str, *, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Apply a whole file in the caller's transaction (flushed, not committed); the report."""
    report = ImportReport()
    for _ in import_batches(path, report, progress=progress):
        pass
    return report


def start_import_run(path: str) -> int:
    """Record that an import of this file starts (the admin home lists the last runs)."""
    run = ImportRun(file_name=os.path.basename(path)[:255], started_at=clock.now())
    db.session.add(run)
    db.session.flush()
    return run.id


def finish_import_run(run_id: int, report: ImportReport, *, outcome: str = "finished") -> None:
    """Record how an import ended: rows read, written (created or updated) and rejected."""
    run = db.session.get(ImportRun, run_id)
    written = sum(n for (_, result), n in report.counts.items() if result in ("created", "updated"))
    run.rows_read = sum(report.counts.values()) + len(report.errors)
    run.rows_written = written
    run.rows_rejected = len(report.errors)
    run.outcome = outcome
    if outcome == "finished":
        run.finished_at = clock.now()
    db.session.flush()
