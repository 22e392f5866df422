"""The feed back to the lending system: every kind of record, in JSON Lines and CSV, and
idempotent by cursor."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from portal import clock
from portal.auth.models import User
from portal.extensions import db
from portal.feed.service import COLUMNS, SOURCES
from portal.loans.journal import Components
from portal.loans.models import Borrower, LoanDueDate
from portal.loans.service import post_entry
from tests.helpers import TODAY


def _overdue(app, make_borrower):
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
    return record


def _plans(app, make_borrower, approver):
    """Two accepted plans: one completed, one broken by the tick later."""
    from portal.plans import service
    from portal.plans.models import PaymentPlan
    from portal.plans.terms import INSTALLMENT_PLAN, Terms

    for complete in (True, False):
        record = _overdue(app, make_borrower)
        with app.app_context():
            borrower = db.session.get(Borrower, record.borrower_id)
            context = service.request_context(borrower, record.loan_id)
            terms = Terms(
                INSTALLMENT_PLAN, months=3, first_due_on=context.today + timedelta(days=5)
            )
            hardship = service.submit_request(
                borrower, record.loan_id, terms, reason_code="other", reason_text=""
            )
            service.decide(hardship.id, db.session.get(User, approver.user_id), "approve")
            plan = service.accept_offer(borrower, record.user_id, hardship.id)
            if complete:
                service.complete_plan(plan, clock.now())
            db.session.commit()
            assert isinstance(plan, PaymentPlan)


def _promises_disputes_payment(app, make_borrower, support):
    from portal.disputes import service as disputes
    from portal.payments import service as payments
    from portal.promises import service as promises

    record = _overdue(app, make_borrower)
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        promises.make_promise(borrower, record.loan_id, 30_000, TODAY + timedelta(days=2))
        post_entry(
            record.loan_id,
            "payment",
            Components(principal=-30_000),
            posted_at=clock.now(),
            reference="P1",
        )
        promises.settle_promises()  # kept
        db.session.commit()
        promises.make_promise(borrower, record.loan_id, 970_000, TODAY + timedelta(days=1))
        dispute = disputes.open_dispute(
            borrower, record.loan_id, kind="already_paid", statement="Paid at the branch.", files=[]
        )
        disputes.answer_dispute(
            dispute.id, db.session.get(User, support.user_id), answer="Not received.", files=[]
        )
        options = payments.pay_options(borrower, record.loan_id)
        payment, _ = payments.start_payment(
            borrower, options, "other_amount", 1_000, payments.new_form_token(), "development"
        )
        payments.post_success(payment.id, amount_received=1_000, payment_intent_id=None)
        db.session.commit()


def _complaint(app, make_borrower, support):
    from portal.complaints import service

    record = _overdue(app, make_borrower)
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        staff = db.session.get(User, support.user_id)
        complaint = service.file_complaint(
            borrower,
            record.user_id,
            category="wrong_amount",
            description="A fee twice.",
            desired_outcome="",
            contact_id=None,
            files=[],
        )
        service.staff_action(
            complaint.id,
            staff,
            "resolve",
            body="Refunded.",
            outcome="monetary_relief",
            relief_minor=500,
        )
        service.dispute(borrower, record.user_id, complaint.id, "Not enough.")
        service.staff_action(
            complaint.id, staff, "resolve", body="Explained.", outcome="explanation"
        )
        service.accept_resolution(borrower, complaint.id)
        db.session.commit()


def _export(runner, tmp_path, cursor, fmt):
    out = tmp_path / f"out-{cursor}.{fmt}"
    result = runner.invoke(
        args=["portal", "export", "--since", str(cursor), "--format", fmt, str(out)]
    )
    assert result.exit_code == 0, result.output
    next_cursor = int(re.search(r"next cursor (\d+)", result.output).group(1))
    return out.read_text(encoding="utf-8"), next_cursor


def _settings(app, make_borrower):
    """A borrower narrows how they may be contacted and switches to English."""
    from datetime import time

    from portal.account.settings import PreferencesChange, set_contact_preferences, set_language

    record = make_borrower()
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        change = PreferencesChange(channels=frozenset({"sms"}), latest=time(20, 0))
        set_contact_preferences(borrower, record.user_id, change)
        set_language(db.session.get(User, record.user_id), "en")
        db.session.commit()


def _correction(app, make_borrower, support):
    """Support accepts a borrower's correction of their e-mail address."""
    from portal.corrections import service as corrections

    record = make_borrower()
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        asked = corrections.ask(
            borrower,
            record.user_id,
            field="email",
            value="new@example.com",
            explanation="",
            files=[],
        )
        corrections.accept(asked.id, db.session.get(User, support.user_id))
        db.session.commit()


@pytest.fixture
def every_kind(app, make_borrower, make_staff, runner, clock):
    approver, support = make_staff("approver"), make_staff("support")
    _plans(app, make_borrower, approver)
    _promises_disputes_payment(app, make_borrower, support)
    _complaint(app, make_borrower, support)
    _settings(app, make_borrower)
    _correction(app, make_borrower, support)
    # A week later the tick breaks the second promise and the unpaid plan.
    clock.shift(timedelta(days=12))
    assert runner.invoke(args=["portal", "tick"]).exit_code == 0
    clock.shift(timedelta(minutes=2))


def test_jsonl_round_trip_has_every_kind_and_nothing_twice(runner, tmp_path, every_kind):
    text, cursor = _export(runner, tmp_path, 0, "jsonl")

    records = [json.loads(line) for line in text.splitlines()]
    assert {r["record"] for r in records} == {s.record for s in SOURCES}
    assert [r["cursor"] for r in records] == sorted({r["cursor"] for r in records})
    assert cursor == records[-1]["cursor"]
    by_kind = {r["record"]: r for r in records}
    assert by_kind["promise_broken"]["amount"] == 970_000
    assert by_kind["promise_broken"]["held_days"] >= 1
    assert by_kind["promise_kept"]["amount"] == 30_000
    assert by_kind["dispute_opened"]["statement"] == "Paid at the branch."
    assert by_kind["dispute_answered"]["answer"] == "Not received."
    assert by_kind["payment_posted"]["amount"] == 1_000
    corrected = by_kind["personal_data_corrected"]
    assert (corrected["item"], corrected["value"]) == ("email", "new@example.com")
    assert by_kind["plan_accepted"]["schedule"].count(":") == 3
    resolved = [r for r in records if r["record"] == "complaint_resolved"]
    assert [(r["outcome"], r["amount"]) for r in resolved] == [
        ("monetary_relief", 500),
        ("explanation", ""),
    ]
    assert all(r["customer_ref"] for r in records)
    # A complaint names a loan only when it is about one; settings are the borrower's own.
    about_a_loan = ("complaint", "contact_preferences", "language_changed", "personal_data")
    assert all(r["loan_number"] for r in records if not r["record"].startswith(about_a_loan))

    again, same = _export(runner, tmp_path, 0, "jsonl")
    assert (again, same) == (text, cursor)
    nothing, unchanged = _export(runner, tmp_path, cursor, "jsonl")
    assert (nothing, unchanged) == ("", cursor)


def test_csv_has_one_header_and_the_same_records(runner, tmp_path, every_kind):
    text, cursor = _export(runner, tmp_path, 0, "csv")
    jsonl, _ = _export(runner, tmp_path, 0, "jsonl")

    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == COLUMNS
    assert [int(r["cursor"]) for r in rows] == [json.loads(x)["cursor"] for x in jsonl.splitlines()]
    assert {r["record"] for r in rows} == {s.record for s in SOURCES}
    assert _export(runner, tmp_path, cursor, "csv")[0].splitlines() == [",".join(COLUMNS)]


def test_entries_still_settling_wait_for_the_next_run(app, make_borrower, runner, tmp_path):
    from portal.promises import service as promises

    record = _overdue(app, make_borrower)
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        promises.make_promise(borrower, record.loan_id, 30_000, TODAY + timedelta(days=2))
        db.session.commit()
    assert _export(runner, tmp_path, 0, "jsonl") == ("", 0)


def test_the_documented_columns_and_records_are_the_exported_ones():
    with open("docs/export-format.md", encoding="utf-8") as handle:
        doc = handle.read()
    assert ",".join(COLUMNS) in doc
    documented = set(re.findall(r"^\| `([a-z_]+)` \| (?:the|support|staff|an|every|a) ", doc, re.M))
    assert documented == {s.record for s in SOURCES}
    for line in doc.split("```json\n")[1].split("```")[0].splitlines():
        record = json.loads(line)
        assert set(record) <= set(COLUMNS)


def test_contact_preferences_and_language_changes_reach_the_lender(app, make_borrower, make_staff):
    from datetime import time

    from portal.account.settings import PreferencesChange, set_contact_preferences, set_language
    from portal.feed.service import changes_since

    record = make_borrower(language="zh_Hans")
    staff = make_staff("support")
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        set_contact_preferences(
            borrower,
            record.user_id,
            PreferencesChange(
                channels=frozenset({"sms"}),
                latest=time(20, 0),
                barred_parties=frozenset({"employer"}),
            ),
        )
        set_language(db.session.get(User, record.user_id), "en")
        set_language(db.session.get(User, staff.user_id), "en")  # staff: not exported
        db.session.commit()
        records = changes_since(0, settle=timedelta(0)).records
    kinds = [r["record"] for r in records]
    assert kinds == ["contact_preferences", "language_changed"]
    preferences, language = records
    assert preferences["channels_allowed"] == "sms" and preferences["latest"] == "20:00"
    assert preferences["do_not_contact"] == "employer"
    assert preferences["customer_ref"] == language["customer_ref"] != ""
    assert language["language"] == "en"
