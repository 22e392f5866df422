"""Administrators change the contact rules (validated, previewed, effective-dated, audited) and
the business calendar."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from portal.holidays.models import CalendarDay
from portal.loans.models import CollectionStage, ContactLogEntry, ContactRuleSet
from portal.loans.service import contact_rules
from tests.helpers import NOW, SHANGHAI, TODAY, shanghai

RULES = {
    "quiet_from": "21:00",
    "quiet_until": "08:00",
    "max_answered_calls_per_day": "3",
    "max_unanswered_calls_per_day": "6",
    "reachable_within_days": "7",
    "effective_from": "",
}


def _admin(client, login_as):
    record = login_as("admin")
    client.post("/language", data={"language": "en", "next": "/"})
    return record


def _contact(app, loan_id, when, n):
    with app.app_context():
        db.session.add(
            ContactLogEntry(
                loan_id=loan_id,
                reference=f"c{n}",
                contacted_at=when,
                channel="call",
                party="borrower",
                agent="A1",
                outcome="answered",
            )
        )
        db.session.commit()


@pytest.mark.parametrize(
    "changed, message",
    [
        ({"max_answered_calls_per_day": "11"}, "Enter a whole number from 0 to 10."),
        ({"max_unanswered_calls_per_day": "-1"}, "Enter a whole number from 0 to 20."),
        ({"reachable_within_days": "0"}, "Enter a whole number from 1 to 90."),
        ({"quiet_from": "07:00"}, "Quiet hours must last from 8 to 16 hours."),
        ({"quiet_from": "08:00"}, "Quiet hours must last from 8 to 16 hours."),
        ({"quiet_until": "25:00"}, "Enter a time as HH:MM."),
        ({"max_answered_calls_per_day": "x"}, "Enter a whole number."),
        ({"effective_from": "2026-11-19T10:00"}, "A change cannot take effect in the past"),
        ({"effective_from": "2028-01-01T10:00"}, "Choose a time within the next year."),
    ],
)
def test_a_contact_rule_change_is_checked(app, client, login_as, changed, message):
    _admin(client, login_as)
    for step in ("/staff/rules/contact/preview", "/staff/rules/contact"):
        response = client.post(step, data={**RULES, **changed})
        assert response.status_code == 200 and message in response.text, step
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ContactRuleSet.id))) == 1


def test_the_preview_shows_the_change_and_the_contacts_it_would_mark_without_saving(
    app, client, login_as, make_borrower
):
    record = make_borrower()
    _contact(app, record.loan_id, shanghai(TODAY - timedelta(days=2), 21, 30), 1)
    _contact(app, record.loan_id, shanghai(TODAY - timedelta(days=3), 22, 30), 2)
    _admin(client, login_as)
    page = client.post("/staff/rules/contact/preview", data=RULES)
    assert page.status_code == 200
    assert "22:00" in page.text and "21:00" in page.text
    assert "Of the 2 contacts of the last 30 days, 1 are marked now." in page.text
    assert "Under the new rules 2 of them would be marked: 1 more, 0 fewer." in page.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ContactRuleSet.id))) == 1


def test_a_confirmed_change_takes_effect_then_and_is_audited(app, client, clock, login_as):
    admin = _admin(client, login_as)
    later = (NOW + timedelta(days=1)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/staff/rules/contact", data={**RULES, "effective_from": later})
    assert response.status_code == 302
    with app.app_context():
        assert contact_rules().quiet_from == time(22, 0)  # not yet
        assert contact_rules(at=NOW + timedelta(days=1)).quiet_from == time(21, 0)
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "rules.contact_rules_changed")
        )
        assert entry.actor_user_id == admin.user_id
        assert entry.details["changes"] == {"quiet_from": ["22:00:00", "21:00:00"]}
    page = client.get("/staff/rules/contact")
    assert "Scheduled" in page.text


def test_a_contact_is_judged_by_the_rules_in_force_when_it_happened(
    app, client, clock, login_as, make_borrower
):
    record = make_borrower()
    _admin(client, login_as)
    assert client.post("/staff/rules/contact", data=RULES).status_code == 302
    # 21:30 yesterday was allowed then; 21:30 after the change is not.
    _contact(app, record.loan_id, shanghai(TODAY - timedelta(days=1), 21, 30), 1)
    _contact(app, record.loan_id, NOW + timedelta(hours=11, minutes=30), 2)
    clock.shift(timedelta(hours=12))
    with app.app_context():
        from portal.loans.models import Borrower
        from portal.loans.service import marked_contacts

        borrower = db.session.get(Borrower, record.borrower_id)
        marks = {c.reference: codes for c, codes in marked_contacts(borrower)}
    assert marks == {"c2": ["quiet_hours"]}


def test_an_unchanged_rule_set_is_not_saved(app, client, login_as):
    _admin(client, login_as)
    response = client.post("/staff/rules/contact", data={**RULES, "quiet_from": "22:00"})
    assert "These are the rules already in force at that time." in response.text


def test_administrators_add_and_remove_calendar_days_audited(app, client, login_as):
    _admin(client, login_as)
    page = client.get("/staff/rules/calendar", query_string={"year": 2026})
    assert "国庆节" in page.text
    added = client.post(
        "/staff/rules/calendar",
        data={"day": "2026-12-31", "kind": "holiday", "name": "公司假日"},
    )
    assert added.status_code == 302
    refused = client.post(
        "/staff/rules/calendar", data={"day": "2026-12-30", "kind": "workday", "name": "x"}
    )
    assert "A make-up working day falls on a Saturday or Sunday." in refused.text
    taken = client.post(
        "/staff/rules/calendar", data={"day": "2026-10-01", "kind": "holiday", "name": "x"}
    )
    assert "already in the calendar" in taken.text
    with app.app_context():
        day = db.session.scalar(sa.select(CalendarDay).where(CalendarDay.day == date(2026, 12, 31)))
        day_id = day.id
    assert (
        client.post("/staff/rules/calendar/remove", data={"day_id": str(day_id)}).status_code == 302
    )
    assert (
        client.post("/staff/rules/calendar/remove", data={"day_id": str(day_id)}).status_code == 404
    )
    with app.app_context():
        actions = list(
            db.session.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.action.like("calendar.%"))
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["calendar.day_added", "calendar.day_removed"]


# --- stage ladders ------------------------------------------------------------------------------

DEFAULT_DAYS = ["0", "1", "4", "31", "91", "121"]


def _ladder(days, effective_from=""):
    data = {f"thresholds-{i}": d for i, d in enumerate(days)}
    return {"ladder": "default", "effective_from": effective_from, **data}


def _ten_days_past_due(app, record):
    from portal.loans.models import LoanDueDate

    with app.app_context():
        db.session.add(
            LoanDueDate(
                loan_id=record.loan_id,
                due_on=TODAY - timedelta(days=10),
                principal_minor=500_000,
                interest_minor=0,
            )
        )
        db.session.commit()


@pytest.mark.parametrize(
    "days, message",
    [
        (["0", "1", "4", "4", "91", "121"], "must start later than the stage"),
        (["0", "5", "4", "31", "91", "121"], "must start later than the stage"),
        (["-1", "1", "4", "31", "91", "121"], "must start on a day from 0 to 3650 past due"),
        (["0", "1", "4", "31", "91", "x"], "Enter a whole number."),
        (DEFAULT_DAYS, "These are the rules already in force at that time."),
    ],
)
def test_a_ladder_change_is_checked(app, client, login_as, days, message):
    _admin(client, login_as)
    response = client.post("/staff/rules/ladder", data=_ladder(days))
    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CollectionStage.id))) == 6


def test_the_ladder_preview_counts_loans_that_would_change_stage_today(
    app, client, login_as, make_borrower
):
    _ten_days_past_due(app, make_borrower())
    _ten_days_past_due(app, make_borrower())
    make_borrower()  # nothing due: not on the ladder's move list
    _admin(client, login_as)
    page = client.post(
        "/staff/rules/ladder/preview", data=_ladder(["0", "1", "4", "10", "91", "121"])
    )
    assert page.status_code == 200
    assert "2 loans would move to a later stage and 0 to an earlier one" in page.text
    back = client.post(
        "/staff/rules/ladder/preview", data=_ladder(["0", "1", "11", "31", "91", "121"])
    )
    assert "0 loans would move to a later stage and 2 to an earlier one" in back.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CollectionStage.id))) == 6


def test_a_ladder_change_takes_effect_at_its_time_and_is_audited(
    app, client, clock, login_as, make_borrower
):
    from portal.account.service import account
    from portal.loans.models import Borrower
    from portal.loans.service import ladders

    record = make_borrower()
    _ten_days_past_due(app, record)
    admin = _admin(client, login_as)
    later = (NOW + timedelta(hours=2)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    days = ["0", "1", "4", "10", "91", "121"]
    assert client.post("/staff/rules/ladder", data=_ladder(days, later)).status_code == 302
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        assert account(borrower, record.loan_id).standing.stage.code == "phone_contact"
        assert [r.min_days_past_due for r in ladders(NOW + timedelta(hours=2))["default"]] == [
            0,
            1,
            4,
            10,
            91,
            121,
        ]
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "rules.ladder_changed")
        )
        assert entry.actor_user_id == admin.user_id
        assert entry.details["changes"] == {"agency": [31, 10]}
    clock.shift(timedelta(hours=3))
    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        assert account(borrower, record.loan_id).standing.stage.code == "agency"
    assert "Scheduled" not in client.get("/staff/rules/ladder").text


# --- complaint routing --------------------------------------------------------------------------


def _routes(effective_from="", **changed):
    from portal.complaints.rules import DEFAULT_ROUTES

    data = {"effective_from": effective_from}
    for category, route in DEFAULT_ROUTES.items():
        data[f"queue_{category}"] = route.queue
        data[f"priority_{category}"] = str(route.priority)
    return {**data, **changed}


def test_complaints_about_conduct_stay_with_compliance(app, client, login_as):
    from portal.complaints.models import ComplaintRoute

    _admin(client, login_as)
    for step in ("/staff/rules/routes/preview", "/staff/rules/routes"):
        response = client.post(step, data=_routes(queue_harassment="general"))
        assert response.status_code == 200
        assert "go to the compliance queue" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ComplaintRoute.id))) == 9


def test_a_routing_change_is_previewed_then_routes_complaints_filed_after_it(
    app, client, clock, login_as, make_borrower
):
    from portal.complaints.models import Complaint

    admin = _admin(client, login_as)
    page = client.post("/staff/rules/routes/preview", data=_routes(queue_other="billing"))
    assert page.status_code == 200
    assert "0 complaints in these categories were filed" in page.text
    later = (NOW + timedelta(minutes=5)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    saved = client.post("/staff/rules/routes", data=_routes(later, queue_other="billing"))
    assert saved.status_code == 302
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "rules.complaint_routes_changed")
        )
        assert entry.actor_user_id == admin.user_id
        assert entry.details["changes"] == {"other": [["general", 3], ["billing", 3]]}
    client.post("/logout")
    login_as("borrower")
    data = {"category": "other", "description": "Before.", "desired_outcome": "x"}
    assert client.post("/complaints/new", data=data).status_code == 302
    clock.shift(timedelta(minutes=6))
    data = {"category": "other", "description": "After.", "desired_outcome": "x"}
    assert client.post("/complaints/new", data=data).status_code == 302
    with app.app_context():
        queues = dict(
            db.session.execute(sa.select(Complaint.description, Complaint.queue)).tuples().all()
        )
    assert queues == {"Before.": "general", "After.": "billing"}


# --- plan rules ---------------------------------------------------------------------------------

PLAN_RULES = {
    "name": "default",
    "extension_min_days": "7",
    "extension_max_days": "30",
    "max_extensions_per_loan": "2",
    "plan_min_months": "3",
    "plan_max_months": "60",
    "min_installment": "100",
    "first_due_within_days": "30",
    "stop_interest": "y",
    "second_approval_above": "50000",
    "decision_due_days": "5",
    "offer_valid_days": "7",
    "grace_days": "5",
    "effective_from": "",
}


@pytest.mark.parametrize(
    "changed, message",
    [
        ({"plan_max_months": "61"}, "Enter a whole number from 1 to 60."),
        ({"min_installment": "-1"}, "Enter a whole number from 0 to 1000000."),
        ({"extension_min_days": "31"}, "The longest must not be shorter than the shortest."),
        ({"plan_min_months": "12", "plan_max_months": "6"}, "must not be shorter than"),
        ({"grace_days": "31"}, "Enter a whole number from 0 to 30."),
        ({}, "These are the rules already in force at that time."),
    ],
)
def test_a_plan_rule_change_is_checked(app, client, login_as, changed, message):
    from portal.plans.models import PlanRuleSet

    _admin(client, login_as)
    for step in ("/staff/rules/plans/preview", "/staff/rules/plans"):
        response = client.post(step, data={**PLAN_RULES, **changed})
        if not changed and step.endswith("preview"):
            continue  # an unchanged set previews as "nothing changes"
        assert response.status_code == 200 and message in response.text, step
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PlanRuleSet.id))) == 1


def test_plan_rules_are_previewed_then_take_effect_at_their_time_audited(
    app, client, clock, login_as
):
    from portal.plans.service import plan_rules

    admin = _admin(client, login_as)
    changed = {**PLAN_RULES, "plan_max_months": "36", "min_installment": "200"}
    page = client.post("/staff/rules/plans/preview", data=changed)
    assert page.status_code == 200
    assert "0 requests are waiting for a decision" in page.text
    later = (NOW + timedelta(days=1)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post("/staff/rules/plans", data={**changed, "effective_from": later}).status_code
        == 302
    )
    with app.app_context():
        assert plan_rules("personal").plan_max_months == 60
        assert plan_rules("personal", NOW + timedelta(days=1)).plan_max_months == 36
        assert plan_rules("personal", NOW + timedelta(days=1)).min_installment_minor == 20_000
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "rules.plan_rules_changed")
        )
        assert entry.actor_user_id == admin.user_id
        assert entry.details["changes"] == {
            "plan_max_months": [60, 36],
            "min_installment_minor": [10_000, 20_000],
        }
    assert "Scheduled" in client.get("/staff/rules/plans").text


# --- promise rules ------------------------------------------------------------------------------

PROMISE_RULES = {
    "name": "default",
    "max_days": "7",
    "max_promises": "2",
    "period_days": "30",
    "effective_from": "",
}


@pytest.mark.parametrize(
    "changed, message",
    [
        ({"max_days": "0"}, "Enter a whole number from 1 to 30."),
        ({"max_days": "31"}, "Enter a whole number from 1 to 30."),
        ({"max_promises": "11"}, "Enter a whole number from 1 to 10."),
        ({"period_days": "366"}, "Enter a whole number from 1 to 365."),
        ({"period_days": "many"}, "Enter a whole number."),
        ({"effective_from": "2020-01-01T09:00"}, "cannot take effect in the past"),
        ({}, "These are the rules already in force at that time."),
    ],
)
def test_a_promise_rule_change_is_checked(app, client, login_as, changed, message):
    from portal.promises.models import PromiseRuleSet

    _admin(client, login_as)
    for step in ("/staff/rules/promises/preview", "/staff/rules/promises"):
        response = client.post(step, data={**PROMISE_RULES, **changed})
        if not changed and step.endswith("preview"):
            continue  # an unchanged set previews as "nothing changes"
        assert response.status_code == 200 and message in response.text, step
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PromiseRuleSet.id))) == 1


def test_the_promise_rules_are_in_the_chinese_catalogs(app, client, login_as):
    _admin(client, login_as)
    client.post("/language", data={"language": "zh_Hans", "next": "/"})
    page = client.get("/staff/rules/promises").text
    assert "还款承诺规则" in page
    response = client.post(
        "/staff/rules/promises/preview", data={**PROMISE_RULES, "max_days": "31"}
    )
    assert "Enter a whole number" not in response.text


def _overdue_borrower(app, make_borrower):
    from portal.loans.models import LoanDueDate

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


def _promise(client, record, days):
    return client.post(
        f"/loans/{record.loan_id}/promise",
        data={"amount": "300.00", "due_on": (TODAY + timedelta(days=days)).isoformat()},
    )


def test_promise_rules_are_previewed_then_take_effect_at_their_time_audited(
    app, client, clock, runner, login_as, make_borrower
):
    from portal.promises.models import Promise
    from portal.promises.service import promise_rules
    from tests.helpers import log_in

    borrower = _overdue_borrower(app, make_borrower)
    admin = _admin(client, login_as)
    changed = {**PROMISE_RULES, "max_days": "3", "max_promises": "3"}
    page = client.post("/staff/rules/promises/preview", data=changed)
    assert page.status_code == 200
    assert "0 promises stand now" in page.text
    assert "Latest promised day (days ahead)" in page.text
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEntry.id)).where(
                    AuditEntry.action == "rules.promise_rules_changed"
                )
            )
            == 0
        )
    later = (NOW + timedelta(hours=1)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post("/staff/rules/promises", data={**changed, "effective_from": later}).status_code
        == 302
    )
    assert "Scheduled" in client.get("/staff/rules/promises").text
    with app.app_context():
        assert promise_rules("personal").max_days == 7
        assert promise_rules("personal", NOW + timedelta(hours=2)).max_days == 3
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "rules.promise_rules_changed")
        )
        assert entry.actor_user_id == admin.user_id
        assert entry.details["changes"] == {"max_days": [7, 3], "max_promises": [2, 3]}

    # Made before the change takes effect: judged by the old rules (up to 7 days ahead).
    borrower_client = app.test_client()
    assert log_in(borrower_client, borrower.phone).status_code == 302
    assert _promise(borrower_client, borrower, days=5).status_code == 302
    clock.shift(timedelta(days=6))
    assert "promises_broken 1" in runner.invoke(args=["portal", "tick"]).output

    # Made after: judged by the new ones (up to 3 days ahead).
    log_in(borrower_client, borrower.phone)
    refused = _promise(borrower_client, borrower, days=11)
    assert refused.status_code == 200
    assert "Choose a day within 3 days from today." in refused.text
    assert _promise(borrower_client, borrower, days=9).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Promise.id))) == 2
