"""Asking for an extension or a plan, deciding it, accepting it, and what time does."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.account.service import settle_plans
from portal.audit import AuditEntry
from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.service import post_entry
from portal.plans import service
from portal.plans.models import HardshipRequest, PaymentPlan, RequestDecision
from tests.helpers import NOW, STAFF_TOTP_SECRET, csrf_token_in, log_in, log_out, submit_form
from tests.plans.conftest import TODAY

EN = {"Accept-Language": "en"}
# Approvers send decisions with the token of their queue page: opening the review page again
# would record another look at the borrower's data in the audit log.
QUEUE = "/staff/requests/"


def plan_form(
    months=12, first_in=10, down="", reason="job_loss", text="", kind="installment_plan", days=""
):
    return {
        "kind": kind,
        "months": str(months),
        "extension_days": str(days),
        "first_due_on": (TODAY + timedelta(days=first_in)).isoformat(),
        "down_payment": down,
        "reason_code": reason,
        "reason_text": text,
    }


def submit(client, loan_id, data):
    """Preview, then send what was previewed; returns the final response."""
    url = f"/loans/{loan_id}/request"
    preview = submit_form(client, url, {**data, "action": "preview"}, headers=EN)
    digest = re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', preview.text)
    assert digest, preview.text[-3000:]
    sent = {**data, "action": "submit", "previewed": digest.group(1)}
    return client.post(url, data={**sent, "csrf_token": csrf_token_in(preview.text)}, headers=EN)


def open_request(app, loan_id):
    with app.app_context():
        return db.session.scalar(
            sa.select(HardshipRequest)
            .where(HardshipRequest.loan_id == loan_id)
            .order_by(HardshipRequest.id.desc())
        )


def test_preview_shows_the_exact_schedule_before_sending(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    page = submit_form(
        client,
        f"/loans/{record.loan_id}/request",
        {**plan_form(months=12), "action": "preview"},
        headers=EN,
    ).text
    assert "The exact terms you are asking for" in page
    assert page.count("¥1,000.00") >= 12  # 12,000.00 over 12 months
    assert "No further interest or fees are charged" in page
    assert "Send this request" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(HardshipRequest.id))) == 0


def test_a_request_is_sent_only_for_the_previewed_terms(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    sneaky = submit_form(
        client,
        f"/loans/{record.loan_id}/request",
        {**plan_form(), "action": "submit", "previewed": "0" * 32},
        headers=EN,
    )
    assert sneaky.status_code == 200 and "Send this request" in sneaky.text
    assert open_request(app, record.loan_id) is None
    response = submit(client, record.loan_id, plan_form(months=12))
    assert response.status_code == 302
    hardship = open_request(app, record.loan_id)
    assert (hardship.status, hardship.months, hardship.balance_minor) == (
        "submitted",
        12,
        1_200_000,
    )
    dashboard = client.get("/loans", headers=EN).text
    assert "Escalation is on hold while your request is reviewed." in dashboard
    assert "If nothing changes" not in dashboard
    assert f"/loans/{record.loan_id}/request" not in dashboard


@pytest.mark.parametrize(
    "data, message",
    [
        (plan_form(months=2), "between 3 and 60 monthly installments"),
        (plan_form(months=61), "between 3 and 60 monthly installments"),
        (plan_form(first_in=31), "within the next 30 days"),
        (plan_form(first_in=0), "within the next 30 days"),
        (plan_form(months=60, down="8000"), "choose at most 40 months"),
        (plan_form(down="12000"), "less than what you owe"),
        (plan_form(kind="extension", days=6), "between 7 and 30 days"),
        (plan_form(kind="extension", days=31), "between 7 and 30 days"),
        (plan_form(kind="extension", days=""), "Enter how many more days"),
        (plan_form(months="abc"), "Enter a whole number"),
        (plan_form(months="-3"), "Enter a whole number"),
        (plan_form(months="²"), "Enter a whole number"),
        (plan_form(months="1\x002"), "An invisible character that cannot be saved was removed"),
        ({**plan_form(), "first_due_on": "2026-02-30"}, "Enter a date like"),
        ({**plan_form(), "first_due_on": ""}, "Choose the date of the first installment"),
        (plan_form(down="1.234"), "at most 2 decimals"),
        (plan_form(down="lots"), "Enter an amount like 500.00"),
        (plan_form(text="x" * 1001), "at most 1,000 characters"),
        (plan_form(reason="because"), "Choose a reason"),
        (plan_form(kind="gift"), "Choose what you need"),
    ],
)
def test_refused_requests_say_why_and_keep_the_input(app, client, overdue_loan, data, message):
    record = overdue_loan()
    log_in(client, record.phone)
    response = submit_form(
        client, f"/loans/{record.loan_id}/request", {**data, "action": "preview"}, headers=EN
    )
    assert response.status_code == 200
    assert message in response.text
    assert "Send this request" not in response.text
    if data["down_payment"]:
        assert f'value="{data["down_payment"]}"' in response.text
    assert open_request(app, record.loan_id) is None


def test_extension_limit_and_one_open_request_per_loan(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    assert submit(client, record.loan_id, plan_form(kind="extension", days=14)).status_code == 302
    again = submit_form(
        client, f"/loans/{record.loan_id}/request", {**plan_form(), "action": "preview"}, headers=EN
    )
    assert "already has an open request" in again.text


def test_borrower_withdraws_an_open_request(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    hardship = open_request(app, record.loan_id)
    submit_form(client, f"/requests/{hardship.id}", to=f"/requests/{hardship.id}/withdraw")
    assert open_request(app, record.loan_id).status == "withdrawn"
    page = submit_form(
        client,
        f"/requests/{hardship.id}",
        to=f"/requests/{hardship.id}/withdraw",
        follow_redirects=True,
        headers=EN,
    )
    assert "already closed" in page.text
    assert submit(client, record.loan_id, plan_form()).status_code == 302


def test_other_borrowers_requests_are_not_found(app, client, overdue_loan, make_borrower):
    owner = overdue_loan()
    log_in(client, owner.phone)
    submit(client, owner.loan_id, plan_form())
    hardship = open_request(app, owner.loan_id)
    log_out(client)
    other = make_borrower()
    log_in(client, other.phone)
    assert client.get(f"/requests/{hardship.id}").status_code == 404
    assert (
        submit_form(
            client, f"/requests/{hardship.id}", to=f"/requests/{hardship.id}/withdraw"
        ).status_code
        == 404
    )
    assert (
        submit_form(
            client,
            f"/requests/{hardship.id}",
            to=f"/requests/{hardship.id}/accept",
            data={"agree": "y"},
        ).status_code
        == 404
    )
    assert client.get(f"/loans/{owner.loan_id}/request").status_code == 404
    assert owner.loan_number not in client.get("/requests").text
    assert open_request(app, owner.loan_id).status == "submitted"


def _approver(app, make_staff, client=None):
    staff = make_staff("approver")
    if client is not None:
        log_in(client, staff.email)
    return staff


def test_approve_then_borrower_accepts_the_agreement(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form(months=12))
    hardship = open_request(app, record.loan_id)

    approver_client = app.test_client()
    approver = _approver(app, make_staff, approver_client)
    queue = approver_client.get("/staff/requests/", headers=EN).text
    assert record.loan_number in queue
    review = approver_client.get(f"/staff/requests/{hardship.id}", headers=EN).text
    assert "Journal and payments" in review and "Contact log" in review
    decided = submit_form(
        approver_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={"action": "approve", "approve-note": "affordable", "confirmed": "1"},
    )
    assert decided.status_code == 302

    page = client.get(f"/requests/{hardship.id}", headers=EN).text
    assert "Your request was approved: the terms to accept" in page
    assert "What the plan covers" in page and "If an installment is missed" in page
    refused = submit_form(
        client,
        f"/requests/{hardship.id}",
        to=f"/requests/{hardship.id}/accept",
        data={},
        follow_redirects=True,
        headers=EN,
    )
    assert "Tick the box" in refused.text
    accepted = submit_form(
        client,
        f"/requests/{hardship.id}",
        to=f"/requests/{hardship.id}/accept",
        data={"agree": "y"},
    )
    assert accepted.status_code == 302
    with app.app_context():
        plan = db.session.scalars(sa.select(PaymentPlan)).one()
        assert (plan.status, len(plan.installments)) == ("active", 12)
        assert sum(i.amount_minor for i in plan.installments) == 1_200_000
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.subject_type == "hardship_request")
            .order_by(AuditEntry.id)
        ).all()
        assert actions == [
            "request.submitted",
            "staff.request_viewed",
            "request.approve",
            "request.offer_accepted",
        ]
        decision = db.session.scalars(sa.select(RequestDecision)).one()
        assert decision.approver_id == approver.user_id and decision.note == "affordable"
    dashboard = client.get("/loans", headers=EN).text
    assert "Your plan is active" in dashboard and "Next installment" in dashboard
    assert "¥1,000.00" in dashboard and "0 of 12 installments paid" in dashboard
    assert "Collection is stopped while you keep to your plan." in dashboard


def test_counter_offer_accepted_by_the_borrower(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form(months=12))
    hardship = open_request(app, record.loan_id)
    approver_client = app.test_client()
    _approver(app, make_staff, approver_client)
    first = (TODAY + timedelta(days=20)).isoformat()
    bad = submit_form(
        approver_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        headers=EN,
        data={"action": "counter", "counter-months": "80", "counter-first_due_on": first},
    )
    assert bad.status_code == 400 and "between 3 and 60" in bad.text
    submit_form(
        approver_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={
            "action": "counter",
            "counter-months": "18",
            "counter-first_due_on": first,
            "confirmed": "1",
        },
    )
    page = client.get(f"/requests/{hardship.id}", headers=EN).text
    assert "The lender offers you different terms" in page
    submit_form(
        client,
        f"/requests/{hardship.id}",
        to=f"/requests/{hardship.id}/accept",
        data={"agree": "y"},
    )
    with app.app_context():
        plan = db.session.scalars(sa.select(PaymentPlan)).one()
        assert len(plan.installments) == 18
        assert plan.installments[0].due_on.isoformat() == first


def test_reject_needs_a_reason_the_borrower_can_read(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    hardship = open_request(app, record.loan_id)
    approver_client = app.test_client()
    _approver(app, make_staff, approver_client)
    missing = submit_form(
        approver_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        headers=EN,
        data={"action": "reject"},
    )
    assert missing.status_code == 400 and "Choose the reason" in missing.text
    submit_form(
        approver_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={
            "action": "reject",
            "reject-reason_code": "missing_documents",
            "reject-note": "internal: ask for payslips",
        },
    )
    page = client.get(f"/requests/{hardship.id}", headers=EN).text
    assert "We need documents that show your situation" in page
    assert "payslips" not in page


def test_large_requests_need_a_second_different_approver(app, client, overdue_loan, make_staff):
    record = overdue_loan(principal=6_000_000)
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form(months=24))
    hardship = open_request(app, record.loan_id)
    first_client, second_client = app.test_client(), app.test_client()
    _approver(app, make_staff, first_client)
    _approver(app, make_staff, second_client)
    submit_form(
        first_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={"action": "approve", "confirmed": "1"},
    )
    assert open_request(app, record.loan_id).status == "second_approval"
    same = submit_form(
        first_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={"action": "approve", "confirmed": "1"},
        follow_redirects=True,
        headers=EN,
    )
    assert "must come from a different approver" in same.text
    assert open_request(app, record.loan_id).status == "second_approval"
    submit_form(
        second_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={"action": "approve", "confirmed": "1"},
    )
    assert open_request(app, record.loan_id).status == "offered"


def test_a_second_approval_cannot_be_posted_without_a_first_from_someone_else(
    app, client, overdue_loan, make_staff
):
    record = overdue_loan(principal=6_000_000)
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form(months=24))
    hardship = open_request(app, record.loan_id)
    approver = app.test_client()
    _approver(app, make_staff, approver)
    url = f"/staff/requests/{hardship.id}/decide"
    skipped = submit_form(
        approver, QUEUE, {"action": "second_approve"}, to=url, follow_redirects=True, headers=EN
    )
    assert "Choose a decision." in skipped.text
    assert open_request(app, record.loan_id).status == "submitted"
    submit_form(approver, QUEUE, {"action": "approve", "confirmed": "1"}, to=url)
    review = approver.get(f"/staff/requests/{hardship.id}", headers=EN).text
    assert "Approve as asked" in review and "Review this counter-offer" not in review
    again = submit_form(
        approver, QUEUE, {"action": "second_approve"}, to=url, follow_redirects=True, headers=EN
    )
    assert "must come from a different approver" in again.text
    assert open_request(app, record.loan_id).status == "second_approval"


def test_an_approver_cannot_decide_their_own_request(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    hardship = open_request(app, record.loan_id)
    approver_client = app.test_client()
    with app.app_context():
        from portal.auth.service import create_staff_user

        staff = create_staff_user(
            record.email, "Same Person", "approver", "my separate staff phrase"
        )
        staff.totp_secret, staff.totp_enrolled_at = STAFF_TOTP_SECRET, staff.created_at
        db.session.commit()
    # The same e-mail logs in to either account; the password tells which.
    assert log_in(approver_client, record.email, "my separate staff phrase").status_code == 302
    response = submit_form(
        approver_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={"action": "approve", "confirmed": "1"},
        follow_redirects=True,
        headers=EN,
    )
    assert "cannot decide a request of your own" in response.text
    assert open_request(app, record.loan_id).status == "submitted"


def test_support_cannot_decide_requests(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    hardship = open_request(app, record.loan_id)
    support = app.test_client()
    log_in(support, make_staff("support").email)
    assert support.get("/staff/requests/").status_code == 404
    assert (
        submit_form(
            support,
            QUEUE,
            to=f"/staff/requests/{hardship.id}/decide",
            data={"action": "approve", "confirmed": "1"},
        ).status_code
        == 404
    )
    assert open_request(app, record.loan_id).status == "submitted"


def test_declined_offer_closes_the_request(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    hardship = open_request(app, record.loan_id)
    approver_client = app.test_client()
    _approver(app, make_staff, approver_client)
    submit_form(
        approver_client,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={"action": "approve", "confirmed": "1"},
    )
    submit_form(client, f"/requests/{hardship.id}", to=f"/requests/{hardship.id}/decline")
    assert open_request(app, record.loan_id).status == "declined"
    assert "Ask for more time or a plan" in client.get("/loans", headers=EN).text


def _submitted(app, record, **terms):
    with app.app_context():
        from portal.loans.models import Borrower
        from portal.plans.terms import INSTALLMENT_PLAN, Terms

        borrower = db.session.get(Borrower, record.borrower_id)
        hardship = service.submit_request(
            borrower,
            record.loan_id,
            Terms(
                INSTALLMENT_PLAN,
                months=terms.get("months", 3),
                first_due_on=TODAY + timedelta(days=5),
            ),
            reason_code="illness",
            reason_text="",
        )
        db.session.commit()
        return hardship.id


def test_time_flags_late_decisions_and_lapses_offers_once(app, runner, overdue_loan, make_staff):
    late, offered = overdue_loan(), overdue_loan()
    late_id, offered_id = _submitted(app, late), _submitted(app, offered)
    approver = make_staff("approver")
    with app.app_context():
        from portal.auth.models import User

        service.decide(offered_id, db.session.get(User, approver.user_id), "approve")
        db.session.commit()
        later = NOW + timedelta(days=8)
        assert service.apply_time(later) == {"flagged": 1, "lapsed": 1}
        db.session.commit()
        assert service.apply_time(later) == {"flagged": 0, "lapsed": 0}
        assert db.session.get(HardshipRequest, late_id).decision_overdue_at is not None
        lapsed = db.session.get(HardshipRequest, offered_id)
        assert lapsed.status == "lapsed" and lapsed.open_loan_id is None
    assert runner.invoke(args=["portal", "tick"]).output.startswith("flagged 0")


def _accepted_plan(app, record, make_staff, months=3):
    request_id = _submitted(app, record, months=months)
    approver = make_staff("approver")
    with app.app_context():
        from portal.auth.models import User
        from portal.loans.models import Borrower

        service.decide(request_id, db.session.get(User, approver.user_id), "approve")
        service.accept_offer(
            db.session.get(Borrower, record.borrower_id), record.user_id, request_id
        )
        db.session.commit()
        return db.session.scalars(sa.select(PaymentPlan)).one().id


def test_unpaid_installment_past_grace_breaks_the_plan_and_collection_resumes(
    app, client, overdue_loan, make_staff
):
    record = overdue_loan()
    plan_id = _accepted_plan(app, record, make_staff)
    with app.app_context():
        within_grace = NOW + timedelta(days=5 + 5)
        assert settle_plans(within_grace)["broken"] == 0
        past_grace = NOW + timedelta(days=5 + 6)
        assert settle_plans(past_grace)["broken"] == 1
        db.session.commit()
        assert settle_plans(past_grace)["broken"] == 0
        plan = db.session.get(PaymentPlan, plan_id)
        assert plan.status == "broken" and plan.active_loan_id is None
    log_in(client, record.phone)
    dashboard = client.get("/loans", headers=EN).text
    assert "Your plan is active" not in dashboard and "Overdue" in dashboard
    assert "Phone contact" in dashboard  # 20 days past due, as when the plan started


def test_paying_every_installment_completes_the_plan(app, overdue_loan, make_staff):
    record = overdue_loan()
    plan_id = _accepted_plan(app, record, make_staff)
    with app.app_context():
        post_entry(record.loan_id, "payment", Components(principal=-1_000_000, interest=-200_000))
        db.session.commit()
        assert settle_plans()["completed"] == 1
        assert db.session.get(PaymentPlan, plan_id).status == "completed"


def test_payments_show_progress_on_the_dashboard(app, client, overdue_loan, make_staff):
    record = overdue_loan()
    _accepted_plan(app, record, make_staff)
    with app.app_context():
        post_entry(record.loan_id, "payment", Components(principal=-400_000))
        db.session.commit()
    log_in(client, record.phone)
    assert "1 of 3 installments paid" in client.get("/loans", headers=EN).text


def test_queue_filters_sorts_and_pages(app, client, overdue_loan, make_staff):
    small, large = overdue_loan(principal=300_000), overdue_loan(principal=3_000_000)
    _submitted(app, small)
    _submitted(app, large)
    log_in(client, make_staff("approver").email)
    largest = client.get("/staff/requests/?sort=largest", headers=EN).text
    assert largest.index(large.loan_number) < largest.index(small.loan_number)
    smallest = client.get("/staff/requests/?sort=smallest", headers=EN).text
    assert smallest.index(small.loan_number) < smallest.index(large.loan_number)
    assert "2 requests" in largest
    assert large.loan_number not in client.get("/staff/requests/?kind=extension").text
    assert large.loan_number not in client.get("/staff/requests/?late=1").text
    assert client.get("/staff/requests/?page=abc&sort=nonsense&state=bogus").status_code == 200
