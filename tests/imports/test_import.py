"""Importing from the lending system: idempotent, row by row, every problem reported."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.extensions import db
from portal.imports.reader import FileProblem
from portal.imports.service import import_file
from portal.loans.models import Borrower, ContactLogEntry, JournalEntry, Loan, LoanDueDate
from portal.loans.service import journal_balance

HEADER = (
    "record,customer_ref,full_name,id_last4,phone,email,loan_number,product,currency,opened_on,"
    "due_on,principal,interest,fee,reference,kind,posted_at,contacted_at,channel,party,agent,"
    "outcome,note,status,preferred_language,time_zone,description"
)
COLUMNS = HEADER.split(",")


def csv_row(**values) -> str:
    return ",".join(str(values.get(name, "")) for name in COLUMNS)


GOOD_ROWS = [
    {
        "record": "borrower",
        "customer_ref": "C1",
        "full_name": "张三",
        "id_last4": "123x",
        "phone": "+86 139 1234 5678",
        "email": "Zhang@Example.com",
    },
    {
        "record": "loan",
        "customer_ref": "C1",
        "loan_number": "l-1",
        "product": "personal",
        "currency": "cny",
        "opened_on": "2026-01-01",
    },
    {
        "record": "due_date",
        "loan_number": "L-1",
        "due_on": "2026-02-01",
        "principal": "100000",
        "interest": "5000",
    },
    {
        "record": "journal",
        "loan_number": "L-1",
        "reference": "J1",
        "kind": "charge",
        "posted_at": "2026-01-01T10:00:00+08:00",
        "principal": "100000",
        "interest": "5000",
    },
    {
        "record": "journal",
        "loan_number": "L-1",
        "reference": "J2",
        "kind": "payment",
        "posted_at": "2026-02-01T10:00:00+08:00",
        "principal": "-20000",
    },
    {
        "record": "contact",
        "loan_number": "L-1",
        "reference": "K1",
        "channel": "call",
        "contacted_at": "2026-02-05T10:00:00+08:00",
        "agent": "A001",
        "outcome": "answered",
    },
    {
        "record": "contact",
        "loan_number": "L-1",
        "reference": "K2",
        "channel": "sms",
        "contacted_at": "2026-02-06T10:00:00+08:00",
        "agent": "SYSTEM",
        "outcome": "delivered",
        "party": "borrower",
    },
]


def write_csv(tmp_path, rows, name="import.csv", extra_lines=()):
    path = tmp_path / name
    lines = [HEADER] + [csv_row(**row) for row in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def write_jsonl(tmp_path, rows, name="import.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return str(path)


def counts():
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Borrower, User, Loan, LoanDueDate, JournalEntry, ContactLogEntry)
    }


@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
def test_a_good_file_imports_everything_and_twice_changes_nothing(app, tmp_path, writer):
    path = writer(tmp_path, GOOD_ROWS)
    with app.app_context():
        report = import_file(path)
        assert report.errors == []
        assert counts() == {
            "Borrower": 1,
            "User": 1,
            "Loan": 1,
            "LoanDueDate": 1,
            "JournalEntry": 2,
            "ContactLogEntry": 2,
        }
        borrower = db.session.scalars(sa.select(Borrower)).one()
        assert (borrower.phone, borrower.email, borrower.id_last4) == (
            "13912345678",
            "zhang@example.com",
            "123X",
        )
        loan = db.session.scalars(sa.select(Loan)).one()
        assert (loan.loan_number, loan.currency) == ("L-1", "CNY")
        assert (
            journal_balance(loan.id).total
            == 85_000
            == (loan.principal_minor + loan.interest_minor + loan.fee_minor)
        )
        user = db.session.scalars(sa.select(User)).one()
        assert user.role == "borrower" and not user.is_active

        before = counts()
        again = import_file(path)
        assert again.errors == [] and counts() == before
        assert set(again.counts) == {
            (r, "unchanged") for r in ("borrower", "loan", "due_date", "journal", "contact")
        }


def test_bulk_written_rows_hold_what_the_orm_would_write(app, tmp_path):
    # PostgreSQL takes new rows through COPY, which skips SQLAlchemy's defaults and bind
    # processing: times must still land in UTC and defaults must still be filled.
    from tests.helpers import NOW

    path = write_jsonl(tmp_path, GOOD_ROWS)
    with app.app_context():
        assert import_file(path).errors == []
        db.session.expire_all()
        entry = db.session.scalars(sa.select(JournalEntry).order_by(JournalEntry.id)).first()
        assert entry.posted_at == datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
        assert abs(entry.created_at - NOW) < timedelta(minutes=1)
        contact = db.session.scalars(sa.select(ContactLogEntry).order_by("id")).first()
        assert contact.contacted_at == datetime(2026, 2, 5, 2, 0, tzinfo=UTC)
        assert contact.party == "borrower"
        assert abs(contact.created_at - NOW) < timedelta(minutes=1)
        user = db.session.scalars(sa.select(User)).one()
        assert abs(user.created_at - NOW) < timedelta(minutes=1)
        due = db.session.scalars(sa.select(LoanDueDate)).one()
        assert (due.principal_minor, due.interest_minor) == (100_000, 5_000)


def test_changed_details_are_updated(app, tmp_path):
    with app.app_context():
        import_file(write_csv(tmp_path, GOOD_ROWS))
        changed = [
            dict(GOOD_ROWS[0], full_name="张三丰"),
            dict(GOOD_ROWS[1], status="closed"),
            dict(GOOD_ROWS[5], outcome="promise_to_pay"),
        ]
        report = import_file(write_csv(tmp_path, changed, name="second.csv"))
        assert report.errors == []
        assert report.counts[("borrower", "updated")] == 1
        assert report.counts[("loan", "updated")] == 1
        assert report.counts[("contact", "updated")] == 1
        assert db.session.scalars(sa.select(Borrower.full_name)).one() == "张三丰"


@pytest.mark.parametrize(
    "row, reason",
    [
        (dict(GOOD_ROWS[3], principal="12.5"), "whole number of minor units"),
        (dict(GOOD_ROWS[3], principal="1e5"), "whole number of minor units"),
        (dict(GOOD_ROWS[3], principal="lots"), "whole number of minor units"),
        (dict(GOOD_ROWS[3], principal="99999999999999"), "implausibly large"),
        (dict(GOOD_ROWS[3], kind="payment"), "cannot move the balance that way"),
        (dict(GOOD_ROWS[3], kind="gift"), "kind must be one of"),
        (dict(GOOD_ROWS[3], principal="", interest=""), "must change the balance"),
        (dict(GOOD_ROWS[3], posted_at="2026-01-01 10:00"), "time zone offset"),
        (dict(GOOD_ROWS[3], posted_at="yesterday"), "date and time like"),
        (dict(GOOD_ROWS[2], due_on="2026-02-30"), "date like 2026-05-31"),
        (dict(GOOD_ROWS[2], interest="-1"), "cannot be negative"),
        (dict(GOOD_ROWS[5], channel="fax"), "channel must be one of"),
        (dict(GOOD_ROWS[5], outcome=""), "outcome is missing"),
        (
            dict(
                GOOD_ROWS[0],
                customer_ref="C2",
                phone="13900000002",
                email="c2@example.com",
                id_last4="12",
            ),
            "id_last4 must be",
        ),
        (
            dict(GOOD_ROWS[0], customer_ref="C2", phone="call me", email="c2@example.com"),
            "phone must be",
        ),
        (
            dict(GOOD_ROWS[0], customer_ref="C2", phone="13900000002", email="not-an-email"),
            "email is not a valid address",
        ),
        (
            dict(
                GOOD_ROWS[0],
                customer_ref="C2",
                phone="13900000002",
                email="c2@example.com",
                time_zone="Mars/Base",
            ),
            "not a known time zone",
        ),
        (
            dict(
                GOOD_ROWS[0],
                customer_ref="C2",
                phone="13900000002",
                email="c2@example.com",
                full_name="名" * 201,
            ),
            "longer than 200",
        ),
        (dict(GOOD_ROWS[1], loan_number="L-2", currency="XYZ"), "ISO 4217"),
        (dict(GOOD_ROWS[5], note="x" * 501), "longer than 500"),
        ({"record": "payment_plan"}, "record must be one of"),
    ],
)
def test_bad_rows_are_reported_with_line_and_reason(app, tmp_path, row, reason):
    path = write_csv(tmp_path, GOOD_ROWS[:2] + [row] + GOOD_ROWS[2:3])
    with app.app_context():
        report = import_file(path)
        assert [line for line, _ in report.errors] == [4]
        assert reason in report.errors[0][1]
        # The good rows around it are imported.
        assert counts()["Loan"] == 1 and counts()["LoanDueDate"] == 1


def test_unknown_references_are_reported(app, tmp_path):
    rows = [
        dict(GOOD_ROWS[1], customer_ref="NOBODY"),
        dict(GOOD_ROWS[2], loan_number="NO-LOAN"),
        dict(GOOD_ROWS[3], loan_number="NO-LOAN"),
        dict(GOOD_ROWS[5], loan_number="NO-LOAN"),
    ]
    with app.app_context():
        report = import_file(write_csv(tmp_path, rows))
        assert sorted(report.errors) == [
            (2, "customer_ref 'NOBODY' is not a known borrower"),
            (3, "loan_number 'NO-LOAN' is not a known loan"),
            (4, "loan_number 'NO-LOAN' is not a known loan"),
            (5, "loan_number 'NO-LOAN' is not a known loan"),
        ]
        assert counts() == dict.fromkeys(counts(), 0)


def test_malformed_lines_are_reported_and_skipped(app, tmp_path):
    path = write_csv(
        tmp_path,
        GOOD_ROWS,
        extra_lines=[
            "contact,only,three",
            'contact,"unclosed quote',
        ],
    )
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps(GOOD_ROWS[0]),
                "{not json",
                "[1, 2]",
                json.dumps(dict(GOOD_ROWS[1], opened_on=20260101)),
            ]
        )
        + "\n"
    )
    with app.app_context():
        report = import_file(path)
        assert [line for line, _ in sorted(report.errors)] == [9, 10]
        assert "values where the header has" in sorted(report.errors)[0][1]
        assert "not valid CSV" in sorted(report.errors)[1][1]
        assert counts()["ContactLogEntry"] == 2
        report = import_file(str(jsonl))
        reasons = dict(report.errors)
        assert "not valid JSON" in reasons[2]
        assert "must be a JSON object" in reasons[3]
        assert "opened_on must be text" in reasons[4]


def test_wrong_encoding_is_reported_per_line(app, tmp_path):
    path = tmp_path / "gbk.csv"
    good = [HEADER, csv_row(**GOOD_ROWS[0])]
    path.write_bytes(
        ("\n".join(good) + "\n").encode("utf-8")
        + csv_row(
            **dict(GOOD_ROWS[0], customer_ref="C9", phone="13900000009", full_name="李四")
        ).encode("gbk")
        + b"\n"
    )
    with app.app_context():
        report = import_file(str(path))
        assert report.errors == [(3, "the line is not valid UTF-8 text (save the file as UTF-8)")]
        assert counts()["Borrower"] == 1


def test_a_byte_order_mark_is_accepted(app, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + ("\n".join([HEADER, csv_row(**GOOD_ROWS[0])]) + "\n").encode("utf-8")
    )
    with app.app_context():
        assert import_file(str(path)).errors == []


@pytest.mark.parametrize(
    "header, problem",
    [
        ("customer_ref,full_name", "no 'record' column"),
        ("record,customer_ref,favourite_colour", "unknown columns"),
        ("record,record", "names a column twice"),
    ],
)
def test_a_bad_header_stops_the_import_before_anything_is_written(app, tmp_path, header, problem):
    path = tmp_path / "bad.csv"
    path.write_text(header + "\nborrower,C1\n", encoding="utf-8")
    with app.app_context(), pytest.raises(FileProblem, match=problem):
        import_file(str(path))


def test_an_oversized_line_is_rejected(app, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS[:1], extra_lines=["borrower," + "x" * 70_000])
    with app.app_context():
        report = import_file(path)
        assert report.errors[0][0] == 3 and "longer than" in report.errors[0][1]


def test_a_row_lands_whole_or_not_at_all(app, tmp_path):
    rows = GOOD_ROWS[:4] + [
        # A payment larger than the balance: refused, and the balance is untouched.
        dict(GOOD_ROWS[4], reference="J9", principal="-999999"),
        # A second borrower with the first one's phone: no borrower and no account created.
        dict(GOOD_ROWS[0], customer_ref="C2"),
    ]
    with app.app_context():
        report = import_file(write_csv(tmp_path, rows))
        assert [line for line, _ in report.errors] == [6, 7]
        assert "below zero" in report.errors[0][1]
        assert "conflicts with data already held" in report.errors[1][1]
        assert counts()["Borrower"] == 1 and counts()["User"] == 1
        loan = db.session.scalars(sa.select(Loan)).one()
        assert loan.principal_minor == 100_000 and journal_balance(loan.id).principal == 100_000


def test_journal_entries_never_change_on_reimport(app, tmp_path):
    with app.app_context():
        import_file(write_csv(tmp_path, GOOD_ROWS))
        report = import_file(
            write_csv(tmp_path, [dict(GOOD_ROWS[3], principal="100001")], name="changed.csv")
        )
        assert "never change" in report.errors[0][1]
        assert db.session.scalars(sa.select(Loan)).one().principal_minor == 80_000


def test_loans_cannot_move_to_another_customer(app, tmp_path):
    other = dict(GOOD_ROWS[0], customer_ref="C2", phone="13900000002", email="")
    with app.app_context():
        import_file(write_csv(tmp_path, GOOD_ROWS[:2] + [other]))
        report = import_file(
            write_csv(tmp_path, [dict(GOOD_ROWS[1], customer_ref="C2")], name="move.csv")
        )
        assert "belongs to another customer" in report.errors[0][1]


def test_the_same_contact_twice_in_one_file(app, tmp_path):
    rows = GOOD_ROWS + [GOOD_ROWS[5], dict(GOOD_ROWS[5], agent="B002")]
    with app.app_context():
        report = import_file(write_csv(tmp_path, rows))
        assert report.errors == [(10, "contact K1 appears twice with different values")]
        assert counts()["ContactLogEntry"] == 2


def test_cli_reports_and_exits_non_zero_on_rejected_rows(app, runner, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS + [dict(GOOD_ROWS[5], reference="K3", channel="fax")])
    report_path = tmp_path / "report.txt"
    result = runner.invoke(args=["portal", "import", path, "--report", str(report_path)])
    assert result.exit_code == 1
    assert "contact: created 2" in result.output and "rejected rows: 1" in result.output
    assert "line 9: channel must be one of" in report_path.read_text()
    assert runner.invoke(args=["portal", "import", path]).exit_code == 1


def test_cli_refuses_an_unreadable_file_and_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("who,what\nx,y\n")
    result = runner.invoke(args=["portal", "import", str(path)])
    assert result.exit_code != 0 and "nothing was imported" in result.output


@pytest.mark.parametrize("example", ["docs/import-example.csv", "docs/import-example.jsonl"])
def test_the_documented_examples_import_cleanly(app, example):
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / example
    with app.app_context():
        report = import_file(str(path))
        assert report.errors == []
        assert counts()["ContactLogEntry"] >= 2


def test_import_file_leaves_the_commit_to_the_caller(app, tmp_path):
    with app.app_context():
        assert import_file(write_csv(tmp_path, GOOD_ROWS)).errors == []
        db.session.rollback()
        assert set(counts().values()) == {0}


def test_the_command_commits_what_it_imported(app, runner, tmp_path):
    result = runner.invoke(args=["portal", "import", write_csv(tmp_path, GOOD_ROWS)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert counts()["JournalEntry"] == 2 and counts()["ContactLogEntry"] == 2


def test_a_crash_keeps_the_batches_committed_before_it(app, runner, tmp_path, monkeypatch):
    from portal.imports import service

    monkeypatch.setattr(service, "COMMIT_EVERY", 2)
    real_parse = service.parse_row

    def crash_at_second_journal_entry(data):
        if data.get("reference") == "J2":
            raise RuntimeError("the machine went down")
        return real_parse(data)

    monkeypatch.setattr(service, "parse_row", crash_at_second_journal_entry)
    result = runner.invoke(args=["portal", "import", write_csv(tmp_path, GOOD_ROWS)])
    assert result.exit_code != 0
    with app.app_context():
        # Borrower and loan made one batch, due date and J1 the next; nothing after the crash.
        found = counts()
        assert (found["Borrower"], found["Loan"], found["LoanDueDate"]) == (1, 1, 1)
        assert found["JournalEntry"] == 1 and found["ContactLogEntry"] == 0


def test_journal_entries_in_one_batch_post_in_file_order(app, tmp_path):
    # In one batch: a payment larger than the balance so far is refused on its own, and the
    # entries before and after it are posted in file order (the batch is not retried).
    rows = GOOD_ROWS[:4] + [
        dict(GOOD_ROWS[4], reference="J9", principal="-100001"),
        dict(GOOD_ROWS[4], reference="J10", principal="-100000"),
        dict(GOOD_ROWS[4], reference="J11", principal="-1"),
    ]
    with app.app_context():
        report = import_file(write_csv(tmp_path, rows))
        assert [line for line, _ in report.errors] == [6, 8]
        assert all("below zero" in reason for _, reason in report.errors)
        loan = db.session.scalars(sa.select(Loan)).one()
        assert (loan.principal_minor, loan.interest_minor) == (0, 5000)
        assert journal_balance(loan.id) == loan.balance
        references = db.session.scalars(
            sa.select(JournalEntry.reference).order_by(JournalEntry.id)
        ).all()
        assert references == ["J1", "J10"]


def test_a_refused_batch_is_retried_row_by_row_and_other_batches_stand(app, tmp_path, monkeypatch):
    from portal.imports import service

    monkeypatch.setattr(service, "COMMIT_EVERY", 3)
    rows = GOOD_ROWS + [
        # The third batch: a second borrower with the first one's phone makes the database
        # refuse the batch; its other rows are applied one at a time.
        dict(GOOD_ROWS[0], customer_ref="C2"),
        dict(GOOD_ROWS[5], reference="K3"),
        dict(GOOD_ROWS[0], customer_ref="C3", phone="13900000003", email=""),
    ]
    with app.app_context():
        report = import_file(write_csv(tmp_path, rows))
        assert [line for line, _ in report.errors] == [9]
        assert "conflicts with data already held" in report.errors[0][1]
        found = counts()
        assert (found["Borrower"], found["User"], found["ContactLogEntry"]) == (2, 2, 3)
