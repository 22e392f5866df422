"""One account truth across the pages: what the dashboard says is overdue, what the pay page
offers, what a payment does, what the receipt says, and what a plan replaces."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import Loan, LoanDueDate
from portal.loans.service import journal_balance, post_entry
from portal.payments.models import Payment
from tests.helpers import TODAY, log_in
from tests.payments.conftest import event, intent_succeeded, signed

EN = {"Accept-Language": "en"}


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of the page's forms, as a browser would send them."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return fields


def up_front_interest_loan(app, make_borrower, language="en"):
    """Four monthly installments of 1,000.00 + 75.00 interest; all 300.00 interest charged on
    day one; the first two installments are past due (50 and 20 days)."""
    record = make_borrower(language=language, principal=400_000)
    with app.app_context():
        post_entry(
            record.loan_id,
            "charge",
            Components(interest=30_000),
            posted_at=datetime(2026, 1, 15, tzinfo=UTC),
            reference="INTEREST",
            description="Interest for the whole term",
        )
        for days in (-50, -20, 10, 40):
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=TODAY + timedelta(days=days),
                    principal_minor=100_000,
                    interest_minor=7_500,
                )
            )
        db.session.commit()
    return record


def pay_by_development_path(client, loan_id, choice):
    page = client.get(f"/loans/{loan_id}/pay", headers=EN).text
    response = client.post(
        f"/loans/{loan_id}/pay", headers=EN, data={**hidden_fields(page), "choice": choice}
    )
    assert response.status_code == 302, response.text
    confirm = client.get(response.location, headers=EN).text
    done = client.post(response.location, data={**hidden_fields(confirm), "outcome": "succeed"})
    assert done.status_code == 302
    return page


def only_payment(app) -> Payment:
    with app.app_context():
        return db.session.scalars(sa.select(Payment)).one()


def test_paying_the_overdue_amount_shown_leaves_nothing_overdue(app, client, make_borrower):
    record = up_front_interest_loan(app, make_borrower)
    log_in(client, record.phone)
    dashboard = client.get("/loans", headers=EN).text
    # Two installments of 1,075.00 are overdue; the interest of the two not yet due is not.
    assert "¥2,150.00" in dashboard
    assert "50 days past due" in dashboard
    pay_page = pay_by_development_path(client, record.loan_id, "overdue")
    assert "The overdue amount: ¥2,150.00" in pay_page

    payment = only_payment(app)
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan.balance == Components(200_000, 15_000, 0)
        assert journal_balance(record.loan_id) == loan.balance
    receipt = client.get(f"/payments/{payment.id}/receipt", headers=EN).text
    assert "Nothing is overdue now; collection has stopped." in receipt
    assert "¥2,150.00" in receipt  # still owed after it: the two installments not yet due
    dashboard = client.get("/loans", headers=EN).text
    assert "Overdue" not in dashboard and "Collection stage" not in dashboard
    assert "Your payments are up to date." in dashboard
    assert f"Next installment: ¥1,075.00 on {(TODAY + timedelta(days=10)):%-d %B %Y}" in dashboard


def test_an_accepted_plan_is_the_one_schedule_everywhere(app, client, make_borrower):
    from tests.loans.test_pages import _with_a_plan_and_a_request

    record = up_front_interest_loan(app, make_borrower)
    with app.app_context():
        db.session.add(
            Loan(
                borrower_id=record.borrower_id,
                loan_number=record.loan_number + "-2",
                product="personal",
                currency="CNY",
                opened_on=TODAY,
            )
        )
        db.session.commit()
    _with_a_plan_and_a_request(app, record)  # 24 installments of 200.00 from 30 days on
    log_in(client, record.phone)
    dashboard = client.get("/loans", headers=EN).text
    first_card = dashboard.split('class="card loan-card"')[1]
    assert "Your plan is active" in first_card and "¥200.00" in first_card
    # The contract's overdue demand, stage and next due date are gone while the plan holds.
    assert "Overdue" not in first_card and "Collection stage" not in first_card
    assert "Next installment: ¥1,075.00" not in first_card
    assert "Collection is stopped while you keep to your plan." in first_card

    pay_page = client.get(f"/loans/{record.loan_id}/pay", headers=EN).text
    assert "The next installment: ¥200.00" in pay_page
    assert "The overdue amount" not in pay_page
    assert re.search(r'<input checked[^>]*value="installment"', pay_page)  # preselected

    loan_page = client.get(f"/loans/{record.loan_id}", headers=EN).text
    assert "Your plan&#39;s schedule" in loan_page or "Your plan's schedule" in loan_page
    assert loan_page.count("¥200.00") >= 24


def _refund(payment_id: int, refunded: int, event_id: str):
    return event(
        event_id,
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_test_1",
            "amount_refunded": refunded,
            "refunded": False,
            "metadata": {"payment_id": str(payment_id)},
        },
    )


def _post(client, payload):
    body, headers = signed(payload)
    response = client.post("/stripe/webhook", data=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_a_partial_refund_reverses_only_the_amount_refunded(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}/pay", headers=EN).text
    client.post(
        f"/loans/{record.loan_id}/pay",
        headers=EN,
        data={**hidden_fields(page), "choice": "other_amount", "other_amount": "100"},
    )
    payment = only_payment(app)
    _post(client, intent_succeeded("evt_s", payment.id, 10_000))
    with app.app_context():
        assert db.session.get(Loan, record.loan_id).balance.total == 535_000 - 10_000
    _post(client, _refund(payment.id, 1_000, "evt_r1"))  # ¥10 of the ¥100 refunded
    _post(client, _refund(payment.id, 1_000, "evt_r1b"))  # the same total again: nothing new
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan.balance.total == 535_000 - 9_000
        assert journal_balance(record.loan_id) == loan.balance
        assert db.session.get(Payment, payment.id).status == "succeeded"
    _post(client, _refund(payment.id, 10_000, "evt_r2"))  # the rest
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan.balance.total == 535_000
        assert db.session.get(Payment, payment.id).status == "refunded"


def test_a_partial_refund_before_the_success_nets_to_what_was_kept(
    app, client, owing, fake_gateway
):
    record = owing()
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}/pay", headers=EN).text
    client.post(
        f"/loans/{record.loan_id}/pay",
        headers=EN,
        data={**hidden_fields(page), "choice": "other_amount", "other_amount": "100"},
    )
    payment = only_payment(app)
    _post(client, _refund(payment.id, 4_000, "evt_r"))
    _post(client, intent_succeeded("evt_s", payment.id, 10_000))
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan.balance.total == 535_000 - 6_000
        assert journal_balance(record.loan_id) == loan.balance
