"""The staff borrower page (loans, requests, payments, complaints), the administrator's numbers
to watch, and the borrower footer kept off staff pages."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from portal.loans.models import LoanDueDate
from portal.plans.models import HardshipRequest
from tests.complaints.test_queue import add_complaints
from tests.helpers import NOW, TODAY, log_in
from tests.loans.test_pages import count_queries, page_statements
from tests.test_roles import _with_request_and_file

EN = {"Accept-Language": "en"}
FOOTER = "Collectors may contact you only between 08:00 and 22:00."


def _overdue(app, record, days=20):
    with app.app_context():
        db.session.add(
            LoanDueDate(
                loan_id=record.loan_id,
                due_on=TODAY - timedelta(days=days),
                principal_minor=100_000,
                interest_minor=0,
            )
        )
        db.session.commit()


@pytest.mark.parametrize("role", ["support", "approver"])
def test_the_borrower_page_lists_loans_requests_payments_and_complaints(
    app, client, make_borrower, make_staff, tmp_path, role
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    target = make_borrower()
    _overdue(app, target)
    _with_request_and_file(app, target)
    staff = make_staff(role)
    log_in(client, staff.email)
    page = client.get(f"/staff/borrowers/{target.borrower_id}", headers=EN).text
    for anchor in ("#loans", "#requests", "#payments", "#complaints"):
        assert f'href="{anchor}"' in page
    assert "Loans (1)" in page and "Requests (1)" in page
    assert "Payments (1)" in page and "Complaints (1)" in page
    assert "Days past due" in page and "<dd>20</dd>" in page
    assert "Installment plan" in page and "¥10.00" in page and "Paid" in page
    # Each role is linked to its own page of the record, and only to that.
    review = f'href="/staff/requests/{target.request_id}"'
    complaint = f'href="/staff/complaints/{target.complaint_id}"'
    assert (review in page) == (role == "approver")
    assert (complaint in page) == (role == "support")
    assert target.phone not in page and target.email not in page
    with app.app_context():
        viewed = db.session.scalars(
            sa.select(AuditEntry.borrower_id).where(AuditEntry.action == "staff.borrower_viewed")
        ).all()
    assert viewed == [target.borrower_id]


def test_the_borrower_page_statements_do_not_grow(app, client, make_borrower, make_staff, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    target = make_borrower()
    log_in(client, make_staff("support").email)
    url = f"/staff/borrowers/{target.borrower_id}"
    client.get(url)
    with count_queries(app) as few:
        assert client.get(url).status_code == 200
    _overdue(app, target)
    _with_request_and_file(app, target)
    add_complaints(app, target.borrower_id, 30)
    with count_queries(app) as many:
        assert client.get(url).status_code == 200
    few, many = page_statements(few), page_statements(many)
    assert len(few) == len(many) <= 12, many


def _watched_world(app, make_borrower, tmp_path, late_requests=1):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    first, second = make_borrower(), make_borrower()
    _with_request_and_file(app, first)  # an open complaint, a waiting request, a dispute
    _with_request_and_file(app, second)
    add_complaints(app, first.borrower_id, 2, tag="L", response_due_at=NOW - timedelta(hours=1))
    add_complaints(app, first.borrower_id, 1, tag="C", status="closed")
    with app.app_context():
        late = db.session.scalars(sa.select(HardshipRequest.id).limit(late_requests)).all()
        db.session.execute(
            sa.update(HardshipRequest)
            .where(HardshipRequest.id.in_(late))
            .values(decision_due_at=NOW - timedelta(hours=2))
        )
        db.session.commit()


def test_the_admin_home_shows_the_numbers_to_watch(app, client, login_as, make_borrower, tmp_path):
    _watched_world(app, make_borrower, tmp_path)
    login_as("admin")
    page = client.get("/staff/admin", headers=EN).text
    watch = page[page.index("Numbers to watch") : page.index("</dl>")]

    def number(label):
        return int(watch.split(f"<dt>{label}</dt><dd>")[1].split("<")[0])

    assert number("Open complaints") == 4  # two filed with a request each, two late
    assert number("Complaints past a deadline") == 2
    assert number("Requests waiting for a decision") == 2
    assert number("Requests past the decision deadline") == 1
    assert number("Open disputes") == 2
    assert number("Disputes past the answer deadline") == 0
    assert number("Past a deadline") == 3


def test_the_admin_home_statements_do_not_grow(app, client, login_as, make_borrower, tmp_path):
    login_as("admin")
    client.get("/staff/admin")
    with count_queries(app) as few:
        assert client.get("/staff/admin").status_code == 200
    _watched_world(app, make_borrower, tmp_path, late_requests=2)
    with count_queries(app) as many:
        assert client.get("/staff/admin").status_code == 200
    few, many = page_statements(few), page_statements(many)
    assert len(few) == len(many) <= 7, many


@pytest.mark.parametrize("role", ["support", "approver", "admin"])
def test_staff_pages_carry_no_borrower_footer(client, login_as, role):
    login_as(role)
    home = client.get("/staff/", headers=EN)
    page = client.get(home.location, headers=EN)
    assert page.status_code == 200 and FOOTER not in page.text
    assert 'class="site-footer"' not in page.text


def test_borrower_and_public_pages_keep_the_footer(client, login_as):
    assert FOOTER in client.get("/login", headers=EN).text
    login_as("borrower")
    assert 'class="site-footer"' in client.get("/loans").text
