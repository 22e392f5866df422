"""The administrators' audit log (filters, pages, CSV export) and the last imports on their home."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import audit
from portal.audit import AuditEntry
from portal.extensions import db
from portal.imports.models import ImportRun
from tests.imports.test_import import GOOD_ROWS, write_csv


@pytest.fixture
def admin(client, login_as):
    client.post("/language", data={"language": "en"})
    return login_as("admin")


def test_staff_reads_of_a_borrower_show_in_the_log_filtered_by_borrower(
    app, client, admin, make_borrower, make_staff
):
    target, other = make_borrower(), make_borrower()
    support = make_staff("support")
    reader = app.test_client()
    from tests.helpers import log_in

    log_in(reader, support.email)
    assert reader.get(f"/staff/borrowers/{target.borrower_id}").status_code == 200
    assert reader.get(f"/staff/borrowers/{other.borrower_id}").status_code == 200
    with app.app_context():
        from portal.loans.models import Borrower

        ref = db.session.get(Borrower, target.borrower_id).customer_ref
    page = client.get("/staff/admin/audit", query_string={"borrower": ref})
    assert page.status_code == 200
    assert "Entries: 1" in page.text
    assert "staff.borrower_viewed" in page.text and support.email in page.text
    by_person = client.get(
        "/staff/admin/audit",
        query_string={"person": support.email, "action": "staff.borrower_viewed"},
    )
    assert "Entries: 2" in by_person.text


def test_dates_filter_in_the_business_zone_and_the_log_is_paged(app, client, login_as, clock):
    with app.app_context():
        for n in range(30):
            audit.record("test.event", details={"n": n})
        db.session.commit()
    # 01:00 on the 21st in Shanghai, still the 20th in UTC: the filter's days are Shanghai's.
    clock.shift(timedelta(hours=15))
    with app.app_context():
        audit.record("test.event", details={"n": "later"})
        db.session.commit()
    client.post("/language", data={"language": "en"})
    login_as("admin")
    page = client.get("/staff/admin/audit", query_string={"action": "test.event"})
    assert "Entries: 31" in page.text and "Page 1 of 2" in page.text
    second = client.get("/staff/admin/audit", query_string={"action": "test.event", "page": 2})
    assert "Page 2 of 2" in second.text
    only_first_day = client.get(
        "/staff/admin/audit",
        query_string={"action": "test.event", "date_from": "2026-11-20", "date_to": "2026-11-20"},
    )
    assert "Entries: 30" in only_first_day.text
    later = client.get(
        "/staff/admin/audit", query_string={"action": "test.event", "date_from": "2026-11-21"}
    )
    assert "Entries: 1" in later.text


def test_the_export_holds_the_filtered_rows_and_is_audited(app, client, admin):
    with app.app_context():
        audit.record("test.event", details={"note": "=HYPERLINK(1)"})
        audit.record("other.event")
        db.session.commit()
    response = client.get("/staff/admin/audit.csv", query_string={"action": "test.event"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["at_utc", "person", "action"]
    assert [row[2] for row in rows[1:]] == ["test.event"]
    assert rows[1][7].startswith("{")  # the details; a cell starting with = is never a formula
    with app.app_context():
        exported = sa.select(AuditEntry).where(AuditEntry.action == "audit.exported")
        export = db.session.scalar(exported)
        assert export.actor_user_id == admin.user_id
        assert export.details == {"filter": {"action": "test.event"}, "rows": 1}


def test_a_formula_in_a_cell_is_defused():
    from portal.staff.audit_log import _cell

    assert _cell("=cmd()") == "'=cmd()" and _cell("ok") == "ok" and _cell(None) == ""


@pytest.mark.parametrize("role", ["support", "approver"])
def test_only_administrators_read_the_log(client, login_as, role):
    login_as(role)
    assert client.get("/staff/admin/audit").status_code == 404
    assert client.get("/staff/admin/audit.csv").status_code == 404


def test_every_import_run_is_recorded_and_shown_on_the_admin_home(
    app, runner, client, admin, tmp_path
):
    bad = dict(GOOD_ROWS[5], reference="K3", channel="fax")
    path = write_csv(tmp_path, GOOD_ROWS + [bad], name="nightly.csv")
    assert runner.invoke(args=["portal", "import", path]).exit_code == 1
    assert runner.invoke(args=["portal", "import", path]).exit_code == 1
    with app.app_context():
        runs = db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id)).all()
        first, second = runs
        assert (first.rows_read, first.rows_written, first.rows_rejected) == (
            len(GOOD_ROWS) + 1,
            len(GOOD_ROWS),
            1,
        )
        assert (second.rows_written, second.rows_rejected) == (0, 1)
        assert first.finished_at is not None and first.outcome == "finished"
    page = client.get("/staff/admin")
    assert "nightly.csv" in page.text and "Last imports" in page.text


def test_an_unreadable_file_shows_as_stopped(app, runner, client, admin, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("who,what\nx,y\n")
    assert runner.invoke(args=["portal", "import", str(path)]).exit_code != 0
    with app.app_context():
        run = db.session.scalar(sa.select(ImportRun))
        assert run.outcome == "failed" and run.finished_at is None
    assert "Stopped: the file could not be read" in client.get("/staff/admin").text
