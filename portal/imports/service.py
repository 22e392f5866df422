"""Applying an import file: every row lands whole or not at all; re-importing changes nothing.

Rows are matched on the lender's references (customer, loan number, journal and contact
references). Contact rows, by far the most numerous, are written in batches; every other row
in its own savepoint, so a rejected row leaves nothing behind. Nothing here commits:
`import_batches` hands control back after every COMMIT_EVERY rows written, and the `import`
command commits there; `import_file` applies a whole file in the caller's transaction.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
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
from portal.loans.journal import JournalError
from portal.loans.models import Borrower, ContactLogEntry, JournalEntry, Loan, LoanDueDate
from portal.loans.service import post_entry
from portal.security import Role

CONTACT_BATCH = 2000
# Rows written between two points where the caller may commit.
COMMIT_EVERY = 500


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
        self.loan_ids: dict[str, int] = {}
        self.pending_contacts: list[tuple[int, ContactRow]] = []
        self.written = 0  # rows applied since the last point where the caller could commit

    # --- lookups --------------------------------------------------------------------------

    def loan_id(self, loan_number: str) -> int | None:
        if loan_number not in self.loan_ids:
            found = db.session.scalar(sa.select(Loan.id).where(Loan.loan_number == loan_number))
            if found is None:
                return None
            self.loan_ids[loan_number] = found
        return self.loan_ids[loan_number]

    def _loan_ids_for(self, numbers: set[str]) -> None:
        missing = [n for n in numbers if n not in self.loan_ids]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            for number, loan_id in db.session.execute(
                sa.select(Loan.loan_number, Loan.id).where(Loan.loan_number.in_(chunk))
            ):
                self.loan_ids[number] = loan_id

    # --- one row in a savepoint -----------------------------------------------------------

    def apply(self, line: int, row) -> None:
        handler = {
            BorrowerRow: self.borrower,
            LoanRow: self.loan,
            DueDateRow: self.due_date,
            JournalRow: self.journal,
        }[type(row)]
        self.written += 1
        try:
            with db.session.begin_nested():
                outcome = handler(row)
        except (RowError, JournalError) as error:
            self.report.reject(line, str(error))
        except IntegrityError as error:
            self.report.reject(line, f"conflicts with data already held ({_constraint(error)})")
        else:
            self.report.count(_record_name(row), outcome)

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
            self.loan_ids[row.loan_number] = loan.id
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

    # --- contacts in batches --------------------------------------------------------------

    def add_contact(self, line: int, row: ContactRow) -> None:
        self.pending_contacts.append((line, row))
        if len(self.pending_contacts) >= CONTACT_BATCH:
            self.flush_contacts()

    def flush_contacts(self) -> None:
        batch, self.pending_contacts = self.pending_contacts, []
        if not batch:
            return
        self.written += len(batch)
        self._loan_ids_for({row.loan_number for _line, row in batch})
        references = list({row.reference for _line, row in batch})
        existing = {}
        for start in range(0, len(references), 500):
            for entry in db.session.scalars(
                sa.select(ContactLogEntry).where(
                    ContactLogEntry.reference.in_(references[start : start + 500])
                )
            ):
                existing[entry.reference] = entry
        new_rows, seen = [], {}
        for line, row in batch:
            loan_id = self.loan_ids.get(row.loan_number)
            if loan_id is None:
                self.report.reject(line, f"loan_number {row.loan_number!r} is not a known loan")
                continue
            values = _contact_values(loan_id, row)
            if row.reference in seen:
                if seen[row.reference] == values:
                    self.report.count("contact", "unchanged")
                else:
                    self.report.reject(
                        line, f"contact {row.reference} appears twice with different values"
                    )
                continue
            seen[row.reference] = values
            current = existing.get(row.reference)
            if current is None:
                new_rows.append((line, values))
            elif current.loan_id != loan_id:
                self.report.reject(line, f"contact {row.reference} belongs to another loan")
            elif all(getattr(current, key) == value for key, value in values.items()):
                self.report.count("contact", "unchanged")
            else:
                for key, value in values.items():
                    setattr(current, key, value)
                self.report.count("contact", "updated")
        try:
            with db.session.begin_nested():
                if new_rows:
                    db.session.execute(sa.insert(ContactLogEntry), [v for _l, v in new_rows])
        except IntegrityError:
            # Something in the batch collided: fall back to one savepoint per row.
            for line, values in new_rows:
                try:
                    with db.session.begin_nested():
                        db.session.execute(sa.insert(ContactLogEntry), [values])
                except IntegrityError as error:
                    self.report.reject(
                        line, f"conflicts with data already held ({_constraint(error)})"
                    )
                else:
                    self.report.count("contact", "created")
        else:
            for _ in new_rows:
                self.report.count("contact", "created")


def _contact_values(loan_id: int, row: ContactRow) -> dict:
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

    It yields after every COMMIT_EVERY rows written and once at the end; every row applied
    before a yield is whole, so a commit there keeps exactly the rows counted so far. Raises
    reader.FileProblem for an unreadable file, before any row is applied.
    """
    importer = _Importer(report)
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
        if isinstance(row, ContactRow):
            importer.add_contact(line.number, row)
        else:
            importer.flush_contacts()  # keep file order: earlier contacts land first
            importer.apply(line.number, row)
        if importer.written >= COMMIT_EVERY:
            importer.written = 0
            yield
    importer.flush_contacts()
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
