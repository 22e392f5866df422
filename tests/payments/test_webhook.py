"""The Stripe webhook: only genuine events, each applied once, in any order."""

import sqlalchemy as sa

from portal.extensions import db
from portal.loans.models import Loan
from portal.loans.service import journal_balance, loan_balance
from portal.payments.models import Payment
from tests.helpers import log_in
from tests.payments.conftest import event, intent_succeeded, signed
from tests.payments.test_pay import pay, payments


def started_payment(app, client, owing, **pay_args):
    record = owing()
    log_in(client, record.phone)
    pay(client, record.loan_id, **pay_args)
    return record, payments(app)[0]


def balance(app, loan_id):
    with app.app_context():
        loan = db.session.get(Loan, loan_id)
        assert loan_balance(loan) == journal_balance(loan_id)
        return loan_balance(loan).total, loan.credit_minor


def post(client, payload, **sign):
    body, headers = signed(payload, **sign)
    return client.post("/stripe/webhook", data=body, headers=headers)


def test_a_genuine_event_posts_the_payment(app, client, owing, fake_gateway):
    record, payment = started_payment(app, client, owing)
    response = post(client, intent_succeeded("evt_1", payment.id, 135_000))
    assert response.status_code == 200 and response.json == {"status": "posted"}
    assert balance(app, record.loan_id) == (400_000, 0)


def test_the_same_event_twice_posts_once(app, client, owing, fake_gateway):
    record, payment = started_payment(app, client, owing)
    for _ in range(3):
        assert post(client, intent_succeeded("evt_1", payment.id, 135_000)).status_code == 200
    # Another event for the same payment (Checkout's) does not post it again either.
    completed = event(
        "evt_2",
        "checkout.session.completed",
        {
            "id": "cs_test_1",
            "object": "checkout.session",
            "payment_status": "paid",
            "amount_total": 135_000,
            "payment_intent": "pi_test_1",
            "metadata": {"payment_id": str(payment.id)},
        },
    )
    assert post(client, completed).json == {"status": "already_posted"}
    assert balance(app, record.loan_id) == (400_000, 0)


def test_bad_signature_old_timestamp_and_malformed_body_are_refused(
    app, client, owing, fake_gateway
):
    record, payment = started_payment(app, client, owing)
    genuine = intent_succeeded("evt_1", payment.id, 135_000)
    assert post(client, genuine, secret="whsec_wrong").status_code == 400
    assert post(client, genuine, timestamp=1_000_000_000).status_code == 400
    assert post(client, b"{not json").status_code == 400
    assert client.post("/stripe/webhook", data=b"{}", headers={}).status_code == 400
    assert balance(app, record.loan_id) == (535_000, 0)


def test_unknown_event_types_are_acknowledged_and_ignored(app, client, owing, fake_gateway):
    record, payment = started_payment(app, client, owing)
    response = post(client, event("evt_x", "customer.created", {"id": "cus_1"}))
    assert response.status_code == 200 and response.json == {"status": "ignored"}
    unknown = post(client, intent_succeeded("evt_y", 999_999, 100))
    assert unknown.status_code == 200
    assert balance(app, record.loan_id) == (535_000, 0)


def test_refund_before_success_ends_in_the_right_balance(app, client, owing, fake_gateway):
    record, payment = started_payment(app, client, owing)
    refund = event(
        "evt_r",
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_test_1",
            "metadata": {"payment_id": str(payment.id)},
        },
    )
    assert post(client, refund).status_code == 200
    assert post(client, intent_succeeded("evt_s", payment.id, 135_000)).status_code == 200
    assert balance(app, record.loan_id) == (535_000, 0)
    assert payments(app)[0].status == "refunded"


def test_refund_after_success_reverses_the_posting(app, client, owing, fake_gateway):
    record, payment = started_payment(app, client, owing)
    post(client, intent_succeeded("evt_s", payment.id, 135_000))
    assert balance(app, record.loan_id) == (400_000, 0)
    post(
        client,
        event(
            "evt_r",
            "charge.refunded",
            {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": "pi_test_1",
                "metadata": {"payment_id": str(payment.id)},
            },
        ),
    )
    assert balance(app, record.loan_id) == (535_000, 0)


def test_failed_and_expired_payments_are_shown_as_such(app, client, owing, fake_gateway):
    record, payment = started_payment(app, client, owing)
    post(
        client,
        event(
            "evt_f",
            "payment_intent.payment_failed",
            {
                "id": "pi_test_1",
                "object": "payment_intent",
                "status": "requires_payment_method",
                "last_payment_error": {"message": "Your card was declined."},
                "metadata": {"payment_id": str(payment.id)},
            },
        ),
    )
    assert payments(app)[0].status == "failed"
    page = client.get(f"/payments/{payment.id}", headers={"Accept-Language": "en"}).text
    assert "did not go through" in page
    assert balance(app, record.loan_id) == (535_000, 0)


def test_paying_more_than_is_owed_keeps_a_flagged_credit(app, client, owing, fake_gateway):
    record, payment = started_payment(app, client, owing, choice="other_amount", other="5350")
    # By the time it succeeds, the loan owes less (a waiver came in from the lender).
    with app.app_context():
        from portal.loans.journal import Components
        from portal.loans.service import post_entry

        post_entry(record.loan_id, "waiver", Components(fee=-5_000))
        db.session.commit()
    post(client, intent_succeeded("evt_1", payment.id, 535_000))
    assert balance(app, record.loan_id) == (0, 5_000)
    with app.app_context():
        stored = db.session.scalars(sa.select(Payment)).one()
        assert stored.credit_minor == 5_000
        from portal.audit import AuditEntry

        assert (
            db.session.scalar(
                sa.select(AuditEntry.id).where(AuditEntry.action == "payment.credit_kept")
            )
            is not None
        )
    page = client.get("/loans", headers={"Accept-Language": "en"}).text
    assert "You have a credit of ¥50.00" in page


def test_an_event_and_its_posting_commit_or_roll_back_together(
    app, client, owing, fake_gateway, monkeypatch
):
    """A posting that fails keeps no trace of its event either, so Stripe's retry posts it."""
    from portal import audit
    from portal.loans.models import JournalEntry
    from portal.payments.models import StripeEvent

    record, payment = started_payment(app, client, owing)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500, as in production
    record_audit = audit.record

    def fail_after_the_journal_entry(action, **details):
        if action == "payment.posted":
            raise RuntimeError("the posting failed half way")
        return record_audit(action, **details)

    def stored():
        with app.app_context():
            events = db.session.scalars(sa.select(StripeEvent.id)).all()
            entries = db.session.scalars(
                sa.select(JournalEntry.id).where(
                    JournalEntry.loan_id == record.loan_id, JournalEntry.kind == "payment"
                )
            ).all()
            return events, len(entries), db.session.get(Payment, payment.id).status

    delivery = intent_succeeded("evt_1", payment.id, 135_000)
    monkeypatch.setattr(audit, "record", fail_after_the_journal_entry)
    assert post(client, delivery).status_code == 500
    assert stored() == ([], 0, "processing")
    assert balance(app, record.loan_id) == (535_000, 0)

    monkeypatch.setattr(audit, "record", record_audit)  # the fault is fixed; Stripe retries
    assert post(client, delivery).json == {"status": "posted"}
    assert post(client, delivery).json == {"status": "duplicate"}
    assert stored() == (["evt_1"], 1, "succeeded")
    assert balance(app, record.loan_id) == (400_000, 0)
