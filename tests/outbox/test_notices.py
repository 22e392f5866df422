"""Each event writes one message to the borrower, in their language, with a link, never at night."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.clock import zone as portal_zone
from portal.complaints import service as complaints
from portal.extensions import db
from portal.loans.models import Borrower, LoanDueDate
from portal.notices import quiet_hours_end
from portal.outbox.models import OutboxMessage
from portal.payments import service as payments
from portal.payments.models import Payment
from portal.plans import service as plans
from portal.plans.terms import EXTENSION, INSTALLMENT_PLAN, Terms
from tests.helpers import NOW, SHANGHAI, TODAY, shanghai

# From the portal's own time-zone database (British Columbia keeps UTC-7 all year from 2026).
VANCOUVER = portal_zone("America/Vancouver")


def messages(purpose: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if purpose:
        query = query.where(OutboxMessage.purpose == purpose)
    return list(db.session.scalars(query))


def tick(runner) -> str:
    result = runner.invoke(args=["portal", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def send(runner) -> str:
    result = runner.invoke(args=["portal", "outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.fixture
def borrower_in(app, make_borrower):
    """A borrower with a loan owing 5,000.00, with one installment due `due_in` days from today."""

    def make(language="zh_Hans", zone="Asia/Shanghai", email=True, due_in=10, amount=500_000):
        record = make_borrower(language=language, email=email)
        with app.app_context():
            db.session.get(Borrower, record.borrower_id).time_zone = zone
            db.session.add(
                LoanDueDate(
                    loan_id=record.loan_id,
                    due_on=TODAY + timedelta(days=due_in),
                    principal_minor=amount,
                    interest_minor=0,
                )
            )
            db.session.commit()
        return record

    return make


# --- quiet hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wall", "zone", "expected"),
    [
        (datetime(2026, 11, 20, 10, 0), SHANGHAI, None),
        (datetime(2026, 11, 20, 21, 59), SHANGHAI, None),
        (datetime(2026, 11, 20, 22, 0), SHANGHAI, datetime(2026, 11, 21, 8, 0)),
        (datetime(2026, 11, 21, 3, 30), SHANGHAI, datetime(2026, 11, 21, 8, 0)),
        (datetime(2026, 11, 21, 8, 0), SHANGHAI, None),
        (datetime(2026, 11, 19, 23, 15), VANCOUVER, datetime(2026, 11, 20, 8, 0)),
        (datetime(2026, 11, 20, 7, 0), VANCOUVER, datetime(2026, 11, 20, 8, 0)),
        (datetime(2026, 11, 19, 18, 0), VANCOUVER, None),
    ],
)
def test_quiet_hours_end_at_eight_on_the_borrowers_clock(wall, zone, expected):
    at = wall.replace(tzinfo=zone).astimezone(UTC)
    want = expected.replace(tzinfo=zone).astimezone(UTC) if expected else None
    assert quiet_hours_end(at, zone) == want


# --- requests and plans -----------------------------------------------------------------------


def _submit(record, terms):
    borrower = db.session.get(Borrower, record.borrower_id)
    return plans.submit_request(
        borrower, record.loan_id, terms, reason_code="illness", reason_text="hospital"
    )


def _approver(make_staff):
    return db.session.get(User, make_staff("approver").user_id)


@pytest.mark.parametrize(
    ("language", "received", "approved"),
    [
        ("zh_Hans", "我们已收到您的申请", "您的申请已获批准"),
        ("zh_Hant", "我們已收到您的申請", "您的申請已獲批准"),
        ("en", "We received your request", "Your request was approved"),
    ],
)
def test_request_received_approved_and_plan_accepted(
    app, borrower_in, make_staff, language, received, approved
):
    record = borrower_in(language=language, due_in=-5)
    with app.app_context():
        approver = _approver(make_staff)
        request = _submit(record, Terms(EXTENSION, extension_days=14))
        plans.decide(request.id, approver, "approve")
        borrower = db.session.get(Borrower, record.borrower_id)
        plans.accept_offer(borrower, record.user_id, request.id)
        db.session.commit()
        sent = messages()
        assert [m.purpose for m in sent] == [
            "request_received",
            "request_approved",
            "plan_accepted",
        ]
        assert sent[0].subject == received and sent[1].subject == approved
        assert sent[0].recipient == record.email and sent[0].channel == "email"
        assert f"http://portal.test/requests/{request.id}" in sent[0].body
        assert f"http://portal.test/loans/{record.loan_id}" in sent[2].body
        assert "5,000.00" in sent[2].body  # the schedule: what falls due, and when
        assert all(m.not_before is None for m in sent)  # 10:00 in Shanghai: at once


def test_a_rejection_gives_the_reason_the_borrower_reads(app, borrower_in, make_staff):
    record = borrower_in(language="en", email=False, due_in=-5)
    with app.app_context():
        approver = _approver(make_staff)
        request = _submit(record, Terms(EXTENSION, extension_days=14))
        plans.decide(request.id, approver, "reject", reason_code="missing_documents")
        (rejected,) = messages("request_rejected")
        assert rejected.channel == "sms" and rejected.recipient == record.phone
        assert "We need documents that show your situation" in rejected.body


def test_a_counter_offer_states_the_terms_and_the_day_it_lapses(app, borrower_in, make_staff):
    record = borrower_in(language="zh_Hans", due_in=-5)
    with app.app_context():
        approver = _approver(make_staff)
        request = _submit(record, Terms(EXTENSION, extension_days=30))
        plans.decide(request.id, approver, "counter", counter=Terms(EXTENSION, extension_days=7))
        (offer,) = messages("counter_offer")
        assert "逾期金额延后 7 天还款" in offer.body
        assert "2026年11月27日" in offer.body  # offers are valid 7 days


def test_an_offer_about_to_lapse_is_recalled_once(app, runner, clock, borrower_in, make_staff):
    record = borrower_in(language="en", due_in=-5)
    with app.app_context():
        approver = _approver(make_staff)
        request = _submit(record, Terms(EXTENSION, extension_days=14))
        plans.decide(request.id, approver, "approve")
        db.session.commit()
    tick(runner)
    clock.move_to(NOW + timedelta(days=5, hours=1))
    tick(runner)
    tick(runner)
    with app.app_context():
        (lapsing,) = messages("offer_lapsing")
        assert lapsing.subject == "Your offer lapses soon" and "Nov 27, 2026" in lapsing.body


def test_a_plan_at_risk_then_broken(app, runner, clock, borrower_in, make_staff):
    record = borrower_in(language="zh_Hant", due_in=-5)
    with app.app_context():
        approver = _approver(make_staff)
        request = _submit(
            record, Terms(INSTALLMENT_PLAN, months=5, first_due_on=TODAY + timedelta(days=5))
        )
        plans.decide(request.id, approver, "approve")
        plans.accept_offer(db.session.get(Borrower, record.borrower_id), record.user_id, request.id)
        db.session.commit()
    clock.move_to(shanghai(TODAY + timedelta(days=6), 9))
    tick(runner)
    tick(runner)
    with app.app_context():
        (risk,) = messages("plan_at_risk")
        assert risk.subject == "還款計畫有一期未還"
        assert "/loans/" in risk.body and "/pay" in risk.body
    clock.move_to(shanghai(TODAY + timedelta(days=12), 9))
    tick(runner)
    tick(runner)
    with app.app_context():
        (broken,) = messages("plan_broken")
        assert broken.subject == "您的還款計畫已終止"


# --- due reminders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "before", "today"),
    [
        ("zh_Hans", "3 天后有一笔款项到期", "今天有一笔款项到期"),
        ("en", "A payment is due in 3 days", "A payment is due today"),
    ],
)
def test_reminders_three_days_before_and_on_the_due_date_once_each(
    app, runner, clock, borrower_in, language, before, today
):
    record = borrower_in(language=language, due_in=5)
    tick(runner)
    with app.app_context():
        assert messages("installment_due") == []
    clock.move_to(shanghai(TODAY + timedelta(days=2), 9))
    for _ in range(3):
        tick(runner)
    clock.move_to(shanghai(TODAY + timedelta(days=5), 9))
    for _ in range(3):
        tick(runner)
    with app.app_context():
        reminders = messages("installment_due")
        assert [m.subject for m in reminders] == [before, today]
        assert f"/loans/{record.loan_id}/pay" in reminders[0].body


def test_a_reminder_produced_at_night_waits_for_eight_in_the_borrowers_zone(
    app, runner, clock, borrower_in, smtp_sink
):
    shanghai_borrower = borrower_in(language="zh_Hans", due_in=3)
    vancouver_borrower = borrower_in(language="en", zone="America/Vancouver", due_in=3)
    # 22:30 on 20 November in Shanghai is 07:30 the same day in Vancouver: both are in their
    # quiet hours, and each reminder waits for 08:00 on its borrower's own clock.
    clock.move_to(shanghai(TODAY, 22, 30))
    tick(runner)
    with app.app_context():
        reminders = {m.recipient: m for m in messages("installment_due")}
        assert reminders[shanghai_borrower.email].not_before == shanghai(TODAY + timedelta(1), 8)
        vancouver_eight = datetime(2026, 11, 20, 8, 0, tzinfo=VANCOUVER).astimezone(UTC)
        assert reminders[vancouver_borrower.email].not_before == vancouver_eight
    assert send(runner) == "sent 0, waiting 0, failed 0"
    clock.move_to(vancouver_eight)  # 23:00 in Shanghai: still night there
    assert send(runner) == "sent 1, waiting 0, failed 0"
    assert smtp_sink.recipients() == [vancouver_borrower.email]
    clock.move_to(shanghai(TODAY + timedelta(1), 8))
    assert send(runner) == "sent 1, waiting 0, failed 0"
    assert smtp_sink.recipients() == [vancouver_borrower.email, shanghai_borrower.email]


def test_an_event_at_night_waits_for_eight(app, clock, borrower_in, make_staff):
    record = borrower_in(language="en", due_in=-5)
    clock.move_to(shanghai(TODAY, 22, 30))
    with app.app_context():
        _submit(record, Terms(EXTENSION, extension_days=14))
        (received,) = messages("request_received")
        assert received.not_before == shanghai(TODAY + timedelta(days=1), 8)


# --- payments ---------------------------------------------------------------------------------


def _payment(record, amount):
    payment = Payment(
        borrower_id=record.borrower_id,
        loan_id=record.loan_id,
        amount_minor=amount,
        currency="CNY",
        purpose="other_amount",
        provider="development",
        idempotency_key=f"key-{record.loan_id}-{amount}",
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def test_a_payment_received_says_what_it_paid_and_what_is_still_owed(app, borrower_in):
    record = borrower_in(language="en", due_in=-5)
    with app.app_context():
        payment = _payment(record, 200_000)
        payments.post_success(payment.id, amount_received=200_000, payment_intent_id=None)
        payments.post_success(payment.id, amount_received=200_000, payment_intent_id=None)
        (received,) = messages("payment_received")
        assert "CN¥2,000.00" in received.body and "CN¥2,000.00 of principal" in received.body
        assert "Still owed: CN¥3,000.00, of which overdue: CN¥3,000.00" in received.body
        assert f"/payments/{payment.id}/receipt" in received.body


def test_a_failed_payment_is_told_once_and_a_cancelled_one_not_at_all(app, borrower_in):
    record = borrower_in(language="zh_Hans", due_in=-5)
    with app.app_context():
        failed, cancelled = _payment(record, 100_000), _payment(record, 50_000)
        payments.mark_unsuccessful(failed.id, "failed", "card declined")
        payments.mark_unsuccessful(failed.id, "failed", "card declined")
        payments.mark_unsuccessful(cancelled.id, "canceled")
        (told,) = messages("payment_failed")
        assert told.subject == "您的还款未成功" and "¥1,000.00" in told.body


# --- complaints -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_complaint_acknowledged_replied_resolved_and_reopened(
    app, borrower_in, make_staff, language
):
    record = borrower_in(language=language)
    with app.app_context():
        staff = db.session.get(User, make_staff("support").user_id)
        borrower = db.session.get(Borrower, record.borrower_id)
        complaint = complaints.file_complaint(
            borrower,
            record.user_id,
            category="harassment",
            description="They shouted at me.",
            desired_outcome="An apology.",
            contact_id=None,
            files=[],
        )
        complaints.staff_action(complaint.id, staff, "claim")
        complaints.staff_action(complaint.id, staff, "acknowledge")
        complaints.staff_action(complaint.id, staff, "investigating")
        complaints.staff_action(complaint.id, staff, "reply", body="We are checking the call.")
        complaints.staff_action(complaint.id, staff, "note", body="internal")
        complaints.staff_action(
            complaint.id, staff, "resolve", body="We apologise.", outcome="explanation"
        )
        complaints.dispute(borrower, record.user_id, complaint.id, "Not enough.")
        sent = messages()
        assert [m.purpose for m in sent] == [
            "complaint_received",
            "complaint_acknowledged",
            "complaint_reply",
            "complaint_resolved",
            "complaint_reopened",
        ]
        resolved = sent[3]
        if language == "en":
            assert "you can dispute it until Dec 20, 2026" in resolved.body
        else:
            assert "可在 2026年12月20日 前提出" in resolved.body
        assert all(f"/complaints/{complaint.id}" in m.body for m in sent)


def test_links_use_the_public_address_when_one_is_set(app, borrower_in):
    record = borrower_in(language="en", due_in=-5)
    app.config["PUBLIC_BASE_URL"] = "https://portal.example.com"
    with app.app_context():
        _submit(record, Terms(EXTENSION, extension_days=14))
        (received,) = messages("request_received")
        assert "\nhttps://portal.example.com/requests/" in received.body
