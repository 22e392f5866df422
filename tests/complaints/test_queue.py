"""The support queue: filters, sorting, pages, and a query count that does not grow."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.extensions import db
from tests.helpers import NOW, log_in
from tests.loans.test_pages import count_queries


def add_complaints(app, borrower_id, count, **values):
    now = NOW
    rows = [
        {
            "reference": f"TSQ{borrower_id:04d}{n:06d}{values.get('tag', '')}",
            "borrower_id": borrower_id,
            "category": values.get("category", "other"),
            "description": "x",
            "desired_outcome": "",
            "queue": values.get("queue", "general"),
            "priority": values.get("priority", 3),
            "status": values.get("status", "new"),
            "assigned_to_id": values.get("assigned_to_id"),
            "acknowledge_due_at": now + timedelta(days=1),
            "response_due_at": values.get("response_due_at", now + timedelta(days=15 + n % 5)),
            "created_at": now - timedelta(minutes=n),
            "updated_at": now,
        }
        for n in range(count)
    ]
    with app.app_context():
        db.session.execute(sa.insert(Complaint), rows)
        db.session.commit()


@pytest.fixture
def support(app, make_staff, client):
    staff = make_staff("support")
    log_in(client, staff.email)
    return staff


def test_filters_sort_and_pages(app, client, make_borrower, support):
    borrower = make_borrower()
    add_complaints(app, borrower.borrower_id, 30)
    add_complaints(
        app, borrower.borrower_id, 2, queue="compliance", priority=1, tag="C", category="harassment"
    )
    add_complaints(app, borrower.borrower_id, 1, status="closed", tag="Z")
    add_complaints(app, borrower.borrower_id, 1, assigned_to_id=support.user_id, tag="M")
    add_complaints(app, borrower.borrower_id, 1, tag="L", response_due_at=NOW - timedelta(days=1))
    page = client.get("/staff/complaints/", headers={"Accept-Language": "en"}).text
    assert "34 complaints" in page and "Page 1 of 2" in page
    first_rows = page.split("<tbody>")[1]
    assert first_rows.index("000000C") < first_rows.index("000000<")  # urgent first
    assert (
        "2 complaints"
        in client.get("/staff/complaints/?queue=compliance", headers={"Accept-Language": "en"}).text
    )
    assert (
        "2 complaints"
        in client.get("/staff/complaints/?priority=1", headers={"Accept-Language": "en"}).text
    )
    assert (
        "1 complaint"
        in client.get("/staff/complaints/?status=closed", headers={"Accept-Language": "en"}).text
    )
    mine = client.get("/staff/complaints/?mine=1", headers={"Accept-Language": "en"}).text
    assert "1 complaint" in mine and "M</a>" in mine
    late = client.get("/staff/complaints/?overdue=1", headers={"Accept-Language": "en"}).text
    assert "1 complaint" in late and "L</a>" in late
    second = client.get("/staff/complaints/?page=2", headers={"Accept-Language": "en"}).text
    assert "Page 2 of 2" in second
    assert client.get("/staff/complaints/?page=x&priority=9&sort=odd").status_code == 200


def test_queue_query_count_does_not_grow(app, client, make_borrower, support):
    borrower = make_borrower()
    add_complaints(app, borrower.borrower_id, 5)
    client.get("/staff/complaints/")
    with count_queries(app) as few:
        assert client.get("/staff/complaints/").status_code == 200
    add_complaints(app, borrower.borrower_id, 400, tag="B")
    with count_queries(app) as many:
        assert client.get("/staff/complaints/?sort=due").status_code == 200
    assert len(few) == len(many) <= 6


@pytest.mark.parametrize(
    "query",
    [
        {"status": "ab\x00cd"},
        {"status": "no-such-status", "queue": "ab\x00cd", "sort": "\x00", "priority": "²"},
        {"page": "²"},
        {"page": "9" * 5000},
    ],
)
def test_unknown_filter_values_show_the_default_queue(app, client, make_borrower, support, query):
    add_complaints(app, make_borrower().borrower_id, 3)
    page = client.get("/staff/complaints/", query_string=query, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "3 complaints" in page.text
