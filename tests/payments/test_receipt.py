"""The receipt a borrower keeps: the lender and how to reach it, the method, and where the
loan stands after the payment."""

import pytest

from portal.payments.gateway import PaymentState, method_of
from tests.helpers import log_in, submit_form
from tests.payments.conftest import event, signed
from tests.payments.test_pay import pay, payments

EN = {"Accept-Language": "en"}


def paid_in_development(app, client, owing, **pay_args):
    record = owing()
    log_in(client, record.phone)
    response = pay(client, record.loan_id, **pay_args)
    submit_form(client, response.location, {"outcome": "succeed"})
    return record, payments(app)[0]


def test_receipt_names_the_lender_method_and_standing_after(app, client, owing):
    record, payment = paid_in_development(app, client, owing)
    receipt = client.get(f"/payments/{payment.id}/receipt", headers=EN).text
    assert "Example Consumer Finance Co., Ltd." in receipt
    assert "400-800-1234" in receipt and "Every day, 09:00–21:00" in receipt
    assert "Paid by" in receipt and "Development payment (test only, no money moved)" in receipt
    assert "Still owed after this payment" in receipt and "¥4,000.00" in receipt
    assert "Loan status after this payment" in receipt and "Up to date: nothing overdue" in receipt
    assert "Payment status" in receipt and "Paid" in receipt
    assert f'href="/loans/{record.loan_id}"' in receipt and 'href="/payments"' in receipt


def test_receipt_after_paying_everything_says_fully_repaid(app, client, owing):
    _record, payment = paid_in_development(app, client, owing, choice="full_balance")
    receipt = client.get(f"/payments/{payment.id}/receipt", headers=EN).text
    assert "Fully repaid" in receipt and "¥0.00" in receipt


def test_receipt_after_a_partial_payment_says_what_is_still_overdue(app, client, owing):
    _record, payment = paid_in_development(app, client, owing, choice="other_amount", other="350")
    receipt = client.get(f"/payments/{payment.id}/receipt", headers=EN).text
    assert "Overdue: ¥1,000.00" in receipt


def test_receipt_in_chinese_names_the_lender_and_method(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    pay(client, record.loan_id)
    (payment,) = payments(app)
    fake_gateway.state = PaymentState("pi_test_9", "succeeded", 135_000, False, "alipay")
    client.get(f"/payments/{payment.id}")
    assert payments(app)[0].method == "alipay"
    submit_form(client, "/payments", to="/language", data={"language": "zh_Hans"})
    receipt = client.get(f"/payments/{payment.id}/receipt").text
    assert "示例消费金融有限公司" in receipt and "支付宝" in receipt
    assert "每天 09:00–21:00" in receipt and "还款后贷款状态" in receipt


def test_a_webhook_that_names_the_method_is_kept(app, client, owing, fake_gateway):
    record = owing()
    log_in(client, record.phone)
    pay(client, record.loan_id)
    (payment,) = payments(app)
    intent = {
        "id": "pi_test_1",
        "object": "payment_intent",
        "amount": 135_000,
        "amount_received": 135_000,
        "status": "succeeded",
        "payment_method": {"id": "pm_1", "type": "wechat_pay"},
        "metadata": {"payment_id": str(payment.id)},
    }
    body, headers = signed(event("evt_1", "payment_intent.succeeded", intent))
    assert client.post("/stripe/webhook", data=body, headers=headers).json["status"] == "posted"
    assert payments(app)[0].method == "wechat_pay"
    receipt = client.get(f"/payments/{payment.id}/receipt", headers=EN).text
    assert "WeChat Pay" in receipt


def test_a_receipt_whose_method_stripe_did_not_name_says_online_payment(
    app, client, owing, fake_gateway
):
    record = owing()
    log_in(client, record.phone)
    pay(client, record.loan_id)
    (payment,) = payments(app)
    fake_gateway.state = PaymentState("pi_test_9", "succeeded", 135_000, False)
    client.get(f"/payments/{payment.id}")
    receipt = client.get(f"/payments/{payment.id}/receipt", headers=EN).text
    assert payments(app)[0].method is None and "Online payment" in receipt


@pytest.mark.parametrize(
    "obj, method",
    [
        ({"payment_method": {"id": "pm_1", "type": "alipay"}}, "alipay"),
        ({"payment_method": "pm_1", "payment_method_types": ["card"]}, "card"),
        ({"payment_method": "pm_1", "payment_method_types": ["card", "alipay"]}, None),
        ({"latest_charge": {"payment_method_details": {"type": "wechat_pay"}}}, "wechat_pay"),
        ({"object": "charge", "payment_method_details": {"type": "card"}}, "card"),
        ({"latest_charge": "ch_1"}, None),
        ({}, None),
    ],
)
def test_the_method_is_read_from_what_stripe_says(obj, method):
    assert method_of(obj) == method
