"""Choosing an amount and starting a payment; the development path; receipts; access."""

import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.loans.models import Loan
from portal.payments.gateway import PaymentState
from portal.payments.models import Payment
from tests.helpers import csrf_token_in, log_in, submit_form

EN = {"Accept-Language": "en"}


def token_of(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def pay(client, loan_id, choice="overdue", other="", token=None):
    page = client.get(f"/loans/{loan_id}/pay", headers=EN).text
    return client.post(
        f"/loans/{loan_id}/pay",
        headers=EN,
        data={
            "choice": choice,
            "other_amount": other,
            "token": token or token_of(page),
            "csrf_token": csrf_token_in(page),
        },
    )


def payments(app):
    with app.app_context():
        return db.session.scalars(sa.select(Payment).order_by(Payment.id)).all()


def test_overdue_amount_goes_to_stripe_checkout(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}/pay", headers=EN).text
    assert "The overdue amount: ¥1,350.00" in page
    response = pay(client, record.loan_id)
    assert response.status_code == 302
    assert response.location == "https://checkout.stripe.test/cs_test_1"
    (sent,) = fake_gateway.checkouts
    (payment,) = payments(app)
    assert sent["amount"] == 135_000 == payment.amount_minor and sent["currency"] == "CNY"
    assert sent["idempotency_key"] == payment.idempotency_key and sent["language"] == "en"
    assert payment.status == "processing" and payment.checkout_session_id == "cs_test_1"
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        assert loan.principal_minor == 500_000  # nothing changes before Stripe confirms


@pytest.mark.parametrize(
    "other, message",
    [
        ("0", "The smallest payment is ¥10.00"),
        ("-5", "cannot be negative"),
        ("5350.01", "at most what you owe: ¥5,350.00"),
        ("lots", "Enter an amount like 500.00"),
        ("1.234", "at most 2 decimals"),
        ("", "Enter the amount you want to pay"),
        ("9" * 25, "Enter an amount like 500.00"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_reaches_stripe(
    app, client, owing, fake_gateway, other, message
):
    record = owing()
    log_in(client, record.phone)
    response = pay(client, record.loan_id, choice="other_amount", other=other)
    assert response.status_code == 200 and message in response.text
    if other and len(other) <= 20:
        assert f'value="{other}"' in response.text
    assert fake_gateway.checkouts == [] and payments(app) == []


def test_other_amount_within_limits(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    assert pay(client, record.loan_id, choice="other_amount", other="¥2,000.50").status_code == 302
    assert payments(app)[0].amount_minor == 200_050


def test_tampered_choices_and_loans_are_refused(app, client, owing, fake_gateway, make_borrower):
    record = owing()
    other = owing()
    log_in(client, record.phone)
    tampered = pay(client, record.loan_id, choice="everything")
    assert tampered.status_code == 200 and "Choose an amount." in tampered.text
    assert client.get(f"/loans/{other.loan_id}/pay").status_code == 404
    assert (
        submit_form(
            client, f"/loans/{other.loan_id}/pay", {"choice": "overdue", "token": "x" * 32}
        ).status_code
        == 404
    )
    assert fake_gateway.checkouts == [] and payments(app) == []


def test_the_same_form_sent_twice_starts_one_payment(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}/pay", headers=EN).text
    token = token_of(page)
    first = pay(client, record.loan_id, token=token)
    second = pay(client, record.loan_id, token=token)
    assert first.location == second.location
    assert len(payments(app)) == 1 and len(fake_gateway.checkouts) == 1


def test_a_slow_stripe_shows_pending_not_an_error(app, client, owing, fake_gateway):
    fake_gateway.unavailable = True
    record = owing()
    log_in(client, record.phone)
    response = pay(client, record.loan_id)
    assert response.status_code == 302 and "/payments/" in response.location
    page = client.get(response.location, headers=EN)
    assert page.status_code == 200 and "being processed" in page.text
    assert 'role="status"' in page.text and "Check the payment again" in page.text
    assert 'http-equiv="refresh"' not in page.text  # no timed reload (WCAG 2.2.1)


def test_status_page_asks_stripe_and_posts_a_success_once(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    status_url = f"/payments/{(pay(client, record.loan_id), payments(app)[0])[1].id}"
    fake_gateway.state = PaymentState("pi_test_9", "succeeded", 135_000, False)
    page = client.get(status_url, headers=EN).text
    assert "Payment received. Thank you." in page
    client.get(status_url)
    with app.app_context():
        loan = db.session.get(Loan, record.loan_id)
        # 1,350.00 pays the 50.00 fees, the 300.00 interest, then 1,000.00 principal.
        assert (loan.fee_minor, loan.interest_minor, loan.principal_minor) == (0, 0, 400_000)


def test_development_path_posts_through_the_same_code(app, client, owing):
    record = owing()
    log_in(client, record.phone)
    response = pay(client, record.loan_id)
    assert "/development" in response.location
    page = client.get(response.location, headers=EN).text
    assert "Development only" in page
    submit_form(client, response.location, {"outcome": "succeed"})
    (payment,) = payments(app)
    assert payment.status == "succeeded" and payment.provider == "development"
    receipt = client.get(f"/payments/{payment.id}/receipt", headers=EN).text
    assert payment.receipt_number in receipt and "¥1,350.00" in receipt
    assert "Paid" in client.get("/payments", headers=EN).text
    dashboard = client.get("/loans", headers=EN).text
    assert "¥4,000.00" in dashboard  # what is left


def test_development_path_can_decline(app, client, owing):
    record = owing()
    log_in(client, record.phone)
    response = pay(client, record.loan_id)
    submit_form(client, response.location, {"outcome": "fail"})
    assert payments(app)[0].status == "failed"
    assert client.get(f"/payments/{payments(app)[0].id}/receipt").status_code == 404


def test_development_path_is_never_in_production(app, client, owing):
    record = owing()
    log_in(client, record.phone)
    app.config["PRODUCTION"] = True
    response = pay(client, record.loan_id)
    assert response.status_code == 404 and payments(app) == []


def test_another_borrowers_payments_are_not_found(app, client, owing):
    record = owing()
    log_in(client, record.phone)
    response = pay(client, record.loan_id)
    submit_form(client, response.location, {"outcome": "succeed"})
    (payment,) = payments(app)
    other = app.test_client()
    log_in(other, owing().phone)
    for url in (
        f"/payments/{payment.id}",
        f"/payments/{payment.id}/receipt",
        f"/payments/{payment.id}/development",
    ):
        assert other.get(url).status_code == 404
    assert record.loan_number not in other.get("/payments").text
