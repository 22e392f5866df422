"""The dashboard, loan page, rights page and data download, as the borrower sees them."""

import json
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import ContactLogEntry, LoanDueDate
from portal.loans.service import post_entry
from portal.outbox import service as outbox
from tests.helpers import NOW, TODAY, log_in

EN = {"Accept-Language": "en"}


def add_schedule(app, loan_id, *items):
    with app.app_context():
        for due_on, principal, interest in items:
            db.session.add(
                LoanDueDate(
                    loan_id=loan_id,
                    due_on=due_on,
                    principal_minor=principal,
                    interest_minor=interest,
                )
            )
        db.session.commit()


_refs = {"n": 0}


def add_contact(
    app, loan_id, when, channel="call", party="borrower", outcome="answered", agent="A001"
):
    _refs["n"] += 1
    with app.app_context():
        db.session.add(
            ContactLogEntry(
                loan_id=loan_id,
                reference=f"K{_refs['n']}",
                contacted_at=when,
                channel=channel,
                party=party,
                agent=agent,
                outcome=outcome,
            )
        )
        db.session.commit()


@contextmanager
def count_queries(app):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def overdue_borrower(app, make_borrower):
    """A borrower whose 5,000.00 loan has one installment 10 days overdue."""
    record = make_borrower(language="en")
    first = TODAY - timedelta(days=10)
    add_schedule(
        app, record.loan_id, (first, 250_000, 10_000), (first + timedelta(days=30), 250_000, 10_000)
    )
    with app.app_context():
        post_entry(
            record.loan_id,
            "charge",
            Components(interest=20_000),
            posted_at=datetime(2026, 1, 15, 1, tzinfo=UTC),
            reference="INT",
        )
        db.session.commit()
    return record


def test_dashboard_shows_what_is_owed_and_where_the_account_stands(client, overdue_borrower):
    log_in(client, overdue_borrower.phone)
    page = client.get("/loans", headers=EN).text
    assert "¥2,600.00" in page  # overdue: 2,500.00 principal + 100.00 interest
    assert "¥5,200.00" in page  # total outstanding
    assert "10 days past due" in page
    assert "Phone contact" in page and 'aria-current="step"' in page
    next_stage = TODAY + timedelta(days=21)
    assert "the next stage, Third-party agency, starts on" in page
    assert str(next_stage.year) in page
    assert "Paying the overdue amount of ¥2,600.00 stops escalation" in page


def test_up_to_date_loan_says_so_and_shows_the_next_installment(app, client, make_borrower):
    record = make_borrower(language="en")
    add_schedule(app, record.loan_id, (TODAY + timedelta(days=5), 500_000, 0))
    log_in(client, record.phone)
    page = client.get("/loans", headers=EN).text
    assert "Your payments are up to date." in page
    assert "Next installment: ¥5,000.00" in page
    assert "Collection stage" not in page


def test_rule_breaking_contacts_are_marked_in_plain_words(app, client, overdue_borrower):
    late = datetime.combine(TODAY - timedelta(days=2), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=15, minutes=10
    )  # 23:10 in Shanghai
    add_contact(app, overdue_borrower.loan_id, late)
    add_contact(
        app, overdue_borrower.loan_id, late - timedelta(hours=9), channel="sms", outcome="delivered"
    )
    log_in(client, overdue_borrower.phone)
    page = client.get("/loans", headers=EN).text
    assert "1 contact on this loan broke the contact rules." in page
    assert "Contact between 22:00 and 08:00 is not allowed." in page
    detail = client.get(f"/loans/{overdue_borrower.loan_id}", headers=EN).text
    assert "23:10" in detail and " PM" not in detail  # 15:10 UTC, on the borrower's 24-hour clock
    assert detail.count("This contact broke the contact rules") == 1


def test_dashboard_lists_only_the_latest_three_contacts(app, client, overdue_borrower):
    start = NOW - timedelta(days=9)
    for n in range(5):
        agency = f"Agency {'ABCDE'[n]}"  # a name: pages show it as it is
        add_contact(app, overdue_borrower.loan_id, start + timedelta(days=n), agent=agency)
    log_in(client, overdue_borrower.phone)
    page = client.get("/loans", headers=EN).text
    assert "Agency E" in page and "Agency C" in page and "Agency B" not in page
    assert "Agency A" in client.get(f"/loans/{overdue_borrower.loan_id}", headers=EN).text


def test_loan_page_has_journal_with_running_balance_chart_and_schedule(client, overdue_borrower):
    log_in(client, overdue_borrower.phone)
    page = client.get(f"/loans/{overdue_borrower.loan_id}", headers=EN).text
    assert "Balance ¥5,000.00" in page and "Balance ¥5,200.00" in page
    assert "<svg" in page and 'role="img"' in page
    assert "Repayment schedule" in page
    assert page.index("Balance ¥5,200.00") < page.index("Balance ¥5,000.00")  # newest first


def test_another_borrowers_loan_is_not_found(app, client, make_borrower, overdue_borrower):
    other = make_borrower()
    log_in(client, other.phone)
    assert client.get(f"/loans/{overdue_borrower.loan_id}").status_code == 404
    assert client.get("/loans/999999").status_code == 404
    assert overdue_borrower.loan_number not in client.get("/loans").text


def test_data_download_holds_only_my_data_and_is_audited(
    app, client, make_borrower, overdue_borrower
):
    other = make_borrower()
    with app.app_context():
        outbox.enqueue(
            "sms",
            overdue_borrower.phone,
            "Code",
            "Your code is 123456",
            purpose="activation_code",
            user_id=overdue_borrower.user_id,
        )
        db.session.commit()
    log_in(client, overdue_borrower.phone)
    response = client.get("/rights/my-data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.text)
    assert data["borrower"]["mobile_number"] == overdue_borrower.phone
    assert [loan["loan_number"] for loan in data["loans"]] == [overdue_borrower.loan_number]
    assert len(data["loans"][0]["journal"]) == 2 and len(data["loans"][0]["due_dates"]) == 2
    assert other.phone not in response.text and other.loan_number not in response.text
    assert "123456" not in response.text
    assert "argon2" not in response.text and "password_hash" not in response.text
    with app.app_context():
        audited = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "borrower.data_exported")
        )
        assert audited.borrower_id == overdue_borrower.borrower_id


def test_rights_page_states_the_rules_from_data(client, overdue_borrower):
    log_in(client, overdue_borrower.phone)
    page = client.get("/rights", headers=EN).text
    assert "Only between 08:00 and 22:00 your local time." in page
    assert "At most 3 answered calls and 6 call attempts" in page
    assert "12378" in page
    assert "/rights/my-data.json" in page


def test_staff_cannot_open_borrower_pages(client, login_as, overdue_borrower):
    login_as("support")
    assert client.get("/loans").status_code == 404
    assert client.get(f"/loans/{overdue_borrower.loan_id}").status_code == 404
    assert client.get("/rights/my-data.json").status_code == 404


def _grow(app, record, loans=4, contacts=60, entries=40):
    """Give a borrower more loans, contacts and journal entries."""
    from portal.loans.models import Loan

    with app.app_context():
        loan_ids = [record.loan_id]
        for n in range(loans):
            loan = Loan(
                borrower_id=record.borrower_id,
                loan_number=f"{record.loan_number}-{n}",
                product="personal",
                currency="CNY",
                opened_on=date(2026, 1, 1),
            )
            db.session.add(loan)
            db.session.flush()
            loan_ids.append(loan.id)
            db.session.add(
                LoanDueDate(
                    loan_id=loan.id,
                    due_on=TODAY - timedelta(days=40),
                    principal_minor=100,
                    interest_minor=0,
                )
            )
        for n in range(entries):
            post_entry(
                record.loan_id,
                "charge",
                Components(fee=10),
                posted_at=datetime(2026, 2, 1, tzinfo=UTC) + timedelta(hours=n),
            )
        for n in range(contacts):
            db.session.add(
                ContactLogEntry(
                    loan_id=loan_ids[n % len(loan_ids)],
                    reference=f"G{record.loan_id}-{n}",
                    contacted_at=NOW - timedelta(hours=n * 7),
                    channel="call",
                    party="borrower",
                    agent="A9",
                    outcome="answered",
                )
            )
        db.session.commit()


def _with_a_plan_and_a_request(app, record):
    """An accepted plan with 24 installments on the first loan, a request open on another."""
    from portal.auth.models import User
    from portal.loans.models import Loan
    from portal.plans.models import HardshipRequest, PaymentPlan, PlanInstallment

    with app.app_context():
        user = db.session.get(User, record.user_id)
        loans = db.session.scalars(
            sa.select(Loan).where(Loan.borrower_id == record.borrower_id).order_by(Loan.id)
        ).all()
        requests = []
        for loan, status in ((loans[0], "accepted"), (loans[1], "submitted")):
            request = HardshipRequest(
                borrower_id=record.borrower_id,
                loan_id=loan.id,
                open_loan_id=None if status == "accepted" else loan.id,
                kind="installment_plan",
                status=status,
                months=24,
                reason_code="income_drop",
                balance_minor=loan.balance.total,
                overdue_minor=0,
                currency="CNY",
                decision_due_at=NOW + timedelta(days=5),
            )
            db.session.add(request)
            requests.append(request)
        db.session.flush()
        plan = PaymentPlan(
            loan_id=loans[0].id,
            request_id=requests[0].id,
            active_loan_id=loans[0].id,
            kind="installment_plan",
            principal_minor=500_000,
            interest_minor=0,
            fee_minor=0,
            stop_interest=True,
            grace_days=5,
            days_past_due_at_start=10,
            accepted_at=NOW - timedelta(days=1),
            accepted_by_id=user.id,
        )
        db.session.add(plan)
        db.session.flush()
        for number in range(1, 25):
            db.session.add(
                PlanInstallment(
                    plan_id=plan.id,
                    number=number,
                    due_on=TODAY + timedelta(days=30 * number),
                    amount_minor=20_000,
                )
            )
        db.session.commit()


def page_statements(statements: list[str]) -> list[str]:
    """The SQL a page runs, without the transaction's own BEGIN and savepoints."""
    return [s for s in statements if s.split()[0].upper() not in {"BEGIN", "SAVEPOINT", "RELEASE"}]


@pytest.mark.parametrize("path", ["/loans", "/loans/{loan_id}"])
def test_at_most_eight_statements_per_page_whatever_the_history(
    app, client, overdue_borrower, path
):
    url = path.format(loan_id=overdue_borrower.loan_id)
    log_in(client, overdue_borrower.phone)
    client.get(url)  # warm up: the session's last-seen time is written at most once a minute
    with count_queries(app) as small:
        assert client.get(url).status_code == 200
    _grow(app, overdue_borrower)
    _with_a_plan_and_a_request(app, overdue_borrower)
    with count_queries(app) as large:
        page = client.get(url, headers=EN)
        assert page.status_code == 200
    assert "Your plan is active" in page.text  # the growth is on the page
    small, large = page_statements(small), page_statements(large)
    # The login session (with its user and borrower), the accounts, their schedules, the
    # ladders, the contacts, the contact rules, the preferences; and the loan page's journal.
    assert len(large) <= (7 if path == "/loans" else 8), large
    assert len(small) <= len(large)
