"""A borrower promises to pay from a loan: the hold, the limits, and time keeping or breaking
the promise (the tick)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import Loan, LoanDueDate
from portal.loans.service import post_entry
from portal.promises.models import Promise
from tests.helpers import TODAY, log_in, shanghai


@pytest.fixture
def overdue(app, make_borrower, client):
    """An English-reading borrower, logged in, with 300.00 overdue for 3 days (early warning;
    phone contact starts tomorrow)."""
    record = make_borrower(language="en", principal=1_000_000)
    with app.app_context():
        for days, principal in ((-3, 30_000), (60, 970_000)):
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=TODAY + timedelta(days=days),
                    principal_minor=principal,
                    interest_minor=0,
                )
            )
        db.session.commit()
    assert log_in(client, record.phone).status_code == 302
    return record


def promise(client, loan_id, amount="300.00", days=5):
    return client.post(
        f"/loans/{loan_id}/promise",
        data={"amount": amount, "due_on": (TODAY + timedelta(days=days)).isoformat()},
    )


def test_the_form_names_the_smallest_amount_and_the_last_day(client, overdue):
    page = client.get(f"/loans/{overdue.loan_id}/promise").text
    assert "At least ¥300.00, at most ¥10,000.00." in page
    assert "27 November 2026" in page


def test_a_promise_holds_escalation_until_its_date(app, client, overdue):
    before = client.get("/loans").text
    assert "If nothing changes, the next stage" in before

    response = promise(client, overdue.loan_id)

    assert response.status_code == 302
    page = client.get("/loans").text
    assert "You promised to pay ¥300.00 by 25 November 2026." in page
    assert "If nothing changes, the next stage" not in page
    assert "This is the last stage." not in page
    with app.app_context():
        made = db.session.scalar(sa.select(Promise))
        assert (made.status, made.amount_minor, made.due_on) == (
            "standing",
            30_000,
            TODAY + timedelta(days=5),
        )
        assert (
            db.session.scalar(
                sa.select(AuditEntry.action).where(AuditEntry.subject_type == "promise")
            )
            == "promise.made"
        )


@pytest.mark.parametrize(
    ("amount", "days", "message"),
    [
        ("299.99", 5, "Promise at least ¥300.00."),
        ("10000.01", 5, "You can promise at most what you owe: ¥10,000.00."),
        ("300.00", 8, "Choose a day within 7 days from today."),
        ("300.00", -1, "Choose today or a later day."),
        ("abc", 5, "Enter an amount like 500.00."),
    ],
)
def test_refused_promises_say_why_and_write_nothing(app, client, overdue, amount, days, message):
    response = promise(client, overdue.loan_id, amount, days)
    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Promise.id))) == 0


def test_another_borrowers_loan_is_not_found(client, overdue, make_borrower):
    other = make_borrower()
    assert client.get(f"/loans/{other.loan_id}/promise").status_code == 404
    assert promise(client, other.loan_id).status_code == 404


def test_a_broken_promise_resumes_escalation_from_where_it_stood(
    app, client, runner, clock, overdue
):
    promise(client, overdue.loan_id, days=5)
    clock.move_to(shanghai(TODAY + timedelta(days=5), 23, 0))
    assert "promises_broken 0" in runner.invoke(args=["portal", "tick"]).output

    clock.move_to(shanghai(TODAY + timedelta(days=6), 9, 0))
    result = runner.invoke(args=["portal", "tick"])

    assert "promises_broken 1" in result.output
    with app.app_context():
        broken = db.session.scalar(sa.select(Promise))
        assert (broken.status, broken.standing_loan_id, broken.held_days) == ("broken", None, 6)
        assert db.session.get(Loan, overdue.loan_id).held_days == 6
    log_in(client, overdue.phone)  # the session has timed out meanwhile
    page = client.get("/loans").text
    assert "You promised to pay" not in page
    # Three days past due when the promise was made: phone contact starts the day after.
    assert "If nothing changes, the next stage, Phone contact, starts on 27 November 2026." in page
    assert "promises_broken 0" in runner.invoke(args=["portal", "tick"]).output


def test_paying_the_promised_amount_keeps_it(app, client, runner, clock, overdue):
    promise(client, overdue.loan_id, days=5)
    clock.shift(timedelta(days=2))
    with app.app_context():
        post_entry(
            overdue.loan_id,
            "payment",
            Components(principal=-30_000),
            posted_at=clock.now(),
            reference="P1",
        )
        db.session.commit()

    assert "promises_kept 1" in runner.invoke(args=["portal", "tick"]).output

    with app.app_context():
        kept = db.session.scalar(sa.select(Promise))
        assert (kept.status, kept.held_days) == ("kept", 0)
        assert db.session.get(Loan, overdue.loan_id).held_days == 0
    log_in(client, overdue.phone)
    assert "Your payments are up to date." in client.get("/loans").text


def test_at_most_two_promises_in_thirty_days(app, client, runner, clock, overdue):
    for days in (1, 3):
        log_in(client, overdue.phone)
        assert promise(client, overdue.loan_id, days=days).status_code == 302
        clock.shift(timedelta(days=2))
        assert "promises_broken 1" in runner.invoke(args=["portal", "tick"]).output
    log_in(client, overdue.phone)
    response = client.get(f"/loans/{overdue.loan_id}/promise")
    assert "A loan can take at most 2 promises in 30 days." in response.text
    assert promise(client, overdue.loan_id, days=5).status_code == 200


def test_one_standing_promise_per_loan(client, overdue):
    assert promise(client, overdue.loan_id).status_code == 302
    response = promise(client, overdue.loan_id)
    assert "You have already promised to pay on this loan." in response.text
