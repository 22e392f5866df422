"""The support queue: filters, sorting, pages, and a query count that does not grow."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.extensions import db
from portal.i18n import format_datetime
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
            "acknowledge_due_at": values.get("acknowledge_due_at", now + timedelta(days=1)),
            "acknowledged_at": values.get("acknowledged_at"),
            "response_due_at": values.get("response_due_at", now + timedelta(days=15 + n % 5)),
            "created_at": values.get("created_at", now - timedelta(minutes=n)),
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


def test_queue_query_count_does_not_grow(app, client, make_borrower, make_staff, support):
    borrower = make_borrower()
    add_complaints(app, borrower.borrower_id, 5)
    client.get("/staff/complaints/")
    with count_queries(app) as few:
        assert client.get("/staff/complaints/").status_code == 200
    add_complaints(app, borrower.borrower_id, 200, tag="B", assigned_to_id=support.user_id)
    other = make_staff("support")
    add_complaints(app, borrower.borrower_id, 200, tag="O", assigned_to_id=other.user_id)
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


def test_queue_shows_deadlines_assignee_and_age(app, client, make_borrower, support):
    borrower = make_borrower()
    add_complaints(
        app,
        borrower.borrower_id,
        1,
        tag="A",
        assigned_to_id=support.user_id,
        created_at=NOW - timedelta(days=3, hours=2),
        acknowledge_due_at=NOW - timedelta(days=2),
        acknowledged_at=NOW - timedelta(days=2, hours=1),
    )
    add_complaints(
        app,
        borrower.borrower_id,
        1,
        tag="N",
        created_at=NOW - timedelta(hours=5),
        acknowledge_due_at=NOW + timedelta(hours=19),
    )
    page = client.get("/staff/complaints/?sort=oldest", headers={"Accept-Language": "en"}).text
    rows = page.split("<tbody>")[1].split("</tr>")
    claimed, fresh = rows[0], rows[1]
    assert "000000A" in claimed and "3 days" in claimed and "Acknowledged" in claimed
    assert "<td>Support</td>" in claimed  # the display name of the `support` fixture
    assert "000000N" in fresh and "5 hours" in fresh and "Not assigned" in fresh
    with app.test_request_context(headers={"Accept-Language": "en"}):
        acknowledge_by = format_datetime(NOW + timedelta(hours=19), "short")
        answer_by = format_datetime(NOW + timedelta(days=15), "short")
    assert acknowledge_by in fresh and answer_by in fresh
    chinese = client.get("/staff/complaints/?sort=oldest", headers={"Accept-Language": "zh-CN"})
    assert "3天" in chinese.text and "5小时" in chinese.text
