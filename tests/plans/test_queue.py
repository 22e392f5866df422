"""The approvers' queue: the decision deadline, the loan's days past due and the amounts on
every row, in a number of statements that does not grow with the page."""

from datetime import timedelta

import sqlalchemy as sa

from portal.extensions import db
from portal.i18n import format_datetime
from portal.plans.models import HardshipRequest
from tests.helpers import NOW, log_in
from tests.loans.test_pages import count_queries, page_statements
from tests.plans.test_requests import EN, _submitted


def test_each_row_shows_deadline_days_past_due_and_amounts(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    _submitted(app, record)
    late = overdue_loan(principal=500_000, interest=0)
    _submitted(app, late)
    with app.app_context():
        db.session.execute(
            sa.update(HardshipRequest)
            .where(HardshipRequest.loan_id == late.loan_id)
            .values(decision_due_at=NOW - timedelta(days=1), decision_overdue_at=NOW)
        )
        due = db.session.scalar(
            sa.select(HardshipRequest.decision_due_at).where(
                HardshipRequest.loan_id == record.loan_id
            )
        )
        db.session.commit()
    log_in(client, make_staff("approver").email)
    page = client.get("/staff/requests/?sort=largest", headers=EN).text
    assert "Days past due" in page and "Decide by" in page
    rows = page.split("<tbody>")[1].split("</tr>")
    first, second = rows[0], rows[1]
    assert record.loan_number in first
    # 20 days past due; 3,000.00 overdue of 12,000.00.
    assert '<td class="num">20</td>' in first
    assert "¥3,000.00" in first and "¥12,000.00" in first
    with app.test_request_context(headers=EN):
        assert format_datetime(due, "short") in first
    assert late.loan_number in second and "Past the decision deadline" in second
    assert "Past the decision deadline" not in first


def test_queue_statements_do_not_grow_with_the_page(app, client, overdue_loan, make_staff):
    _submitted(app, overdue_loan())
    log_in(client, make_staff("approver").email)
    client.get("/staff/requests/")
    with count_queries(app) as few:
        assert client.get("/staff/requests/").status_code == 200
    for _ in range(12):
        _submitted(app, overdue_loan())
    with count_queries(app) as many:
        page = client.get("/staff/requests/", headers=EN)
        assert page.status_code == 200 and "13 requests" in page.text
    few, many = page_statements(few), page_statements(many)
    assert len(few) == len(many) <= 8, many
