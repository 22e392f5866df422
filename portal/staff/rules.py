"""Administrators' pages for rules as data and the business calendar (admin role only)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.complaints.rules import CATEGORIES, Route
from portal.complaints.service import routes as complaint_routes
from portal.errors import DomainError, show_error
from portal.holidays import labels as calendar_labels
from portal.holidays import service as calendar
from portal.loans.contact_rules import ContactRules
from portal.loans.service import contact_rules
from portal.plans.service import plan_rules
from portal.plans.terms import PlanRules
from portal.promises.rules import PromiseRules
from portal.promises.service import promise_rules
from portal.rows import parse_id
from portal.security import Role, role_required
from portal.staff import rules_service
from portal.staff.rule_forms import (
    CalendarDayForm,
    ContactRulesForm,
    LadderForm,
    OfficialYearForm,
    PlanRulesForm,
    PromiseRulesForm,
    ProvisionalYearForm,
    RemoveDayForm,
    RoutesForm,
)
from portal.staff.rule_labels import (
    CONTACT_RULE_FIELDS,
    MESSAGES,
    PLAN_RULE_FIELDS,
    PROMISE_RULE_FIELDS,
)
from portal.translate import gettext as _

bp = Blueprint("rules", __name__, url_prefix="/staff/rules")


def _proposed(form: ContactRulesForm):
    rules = ContactRules(**{name: form[name].data for name in rules_service.RULE_FIELDS})
    return rules, _when(form)


def _contact_page(form, status=200):
    return render_template(
        "staff/contact_rules.html",
        form=form,
        versions=rules_service.contact_rule_versions(),
        now=clock.now(),
        names=CONTACT_RULE_FIELDS,
    ), status


@bp.get("/contact")
@role_required(Role.ADMIN)
def contact():
    """The contact rules: their versions with effect times, and a form for a change."""
    return _contact_page(ContactRulesForm(data=asdict(contact_rules())))


@bp.post("/contact/preview")
@role_required(Role.ADMIN)
def contact_preview():
    """Step 1 of 2: check a change and show what it would change, before saving anything."""
    form = ContactRulesForm()
    if not form.validate():
        return _contact_page(form)
    try:
        preview = rules_service.preview_contact_rules(*_proposed(form))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _contact_page(form)
    return render_template(
        "staff/contact_rules_preview.html", form=form, preview=preview, names=CONTACT_RULE_FIELDS
    )


@bp.post("/contact")
@role_required(Role.ADMIN)
def contact_confirm():
    """Step 2 of 2: save the previewed change as a new version of the rules (audited)."""
    form = ContactRulesForm()
    if "edit" in request.form or not form.validate():
        return _contact_page(form)
    try:
        rules_service.schedule_contact_rules(*_proposed(form))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _contact_page(form)
    flash(_("The contact rules were changed."), "success")
    return redirect(url_for("rules.contact"))


def _when(form):
    at = form.effective_from.data
    return at.replace(tzinfo=clock.business_zone()) if at else None


def _ladder_page(form, status=200):
    name = form.ladder.data
    return render_template(
        "staff/ladder.html",
        form=form,
        ladder=name,
        names=rules_service.ladder_names(),
        rungs=rules_service.ladder_in_force(name),
        versions=rules_service.ladder_versions(name),
        now=clock.now(),
    ), status


@bp.get("/ladder")
@role_required(Role.ADMIN)
def ladder():
    """A stage ladder: its versions with effect times, and a form for a change."""
    name = request.args.get("ladder", "default")
    if name not in rules_service.ladder_names():
        abort(404)
    days = [rung.min_days_past_due for rung in rules_service.ladder_in_force(name)]
    return _ladder_page(LadderForm(data={"ladder": name, "thresholds": days}))


@bp.post("/ladder/preview")
@role_required(Role.ADMIN)
def ladder_preview():
    """Step 1 of 2: check a ladder change and show how many loans would change stage today."""
    form = LadderForm()
    if not form.validate():
        return _ladder_page(form)
    try:
        preview = rules_service.preview_ladder(form.ladder.data, form.thresholds.data, _when(form))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _ladder_page(form)
    return render_template("staff/ladder_preview.html", form=form, preview=preview)


@bp.post("/ladder")
@role_required(Role.ADMIN)
def ladder_confirm():
    """Step 2 of 2: save the previewed ladder as a new version (audited)."""
    form = LadderForm()
    if "edit" in request.form or not form.validate():
        return _ladder_page(form)
    try:
        rules_service.schedule_ladder(form.ladder.data, form.thresholds.data, _when(form))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _ladder_page(form)
    flash(_("The stage ladder was changed."), "success")
    return redirect(url_for("rules.ladder", ladder=form.ladder.data))


def _proposed_routes(form: RoutesForm) -> dict[str, Route]:
    return {c: Route(form[f"queue_{c}"].data, int(form[f"priority_{c}"].data)) for c in CATEGORIES}


def _routes_page(form, status=200):
    return render_template(
        "staff/routes.html",
        form=form,
        categories=CATEGORIES,
        scheduled=rules_service.scheduled_routes(),
    ), status


@bp.get("/routes")
@role_required(Role.ADMIN)
def routes():
    """Complaint routing: each category's queue and priority, and a form for a change."""
    data = {}
    for category, route in complaint_routes().items():
        data[f"queue_{category}"], data[f"priority_{category}"] = route.queue, str(route.priority)
    return _routes_page(RoutesForm(data=data))


@bp.post("/routes/preview")
@role_required(Role.ADMIN)
def routes_preview():
    """Step 1 of 2: check a routing change and show what it changes, before saving anything."""
    form = RoutesForm()
    if not form.validate():
        return _routes_page(form)
    try:
        preview = rules_service.preview_routes(_proposed_routes(form), _when(form))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _routes_page(form)
    return render_template("staff/routes_preview.html", form=form, preview=preview)


@bp.post("/routes")
@role_required(Role.ADMIN)
def routes_confirm():
    """Step 2 of 2: save the previewed routing from its effect time (audited)."""
    form = RoutesForm()
    if "edit" in request.form or not form.validate():
        return _routes_page(form)
    try:
        rules_service.schedule_routes(_proposed_routes(form), _when(form))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _routes_page(form)
    flash(_("The complaint routing was changed."), "success")
    return redirect(url_for("rules.routes"))


# Amounts are entered in whole yuan and kept in minor units.
YUAN_FIELDS = {
    "min_installment": "min_installment_minor",
    "second_approval_above": "second_approval_above_minor",
}


def _proposed_plan_rules(form: PlanRulesForm) -> PlanRules:
    values = {
        f: form[f].data for f in rules_service.PLAN_RULE_FIELDS if f not in YUAN_FIELDS.values()
    }
    values.update({minor: form[field].data * 100 for field, minor in YUAN_FIELDS.items()})
    return PlanRules(**values)


def _plan_page(form, status=200):
    return render_template(
        "staff/plan_rules.html",
        form=form,
        names=rules_service.plan_rule_set_names(),
        versions=rules_service.plan_rule_versions(form.name.data),
        now=clock.now(),
        labels_=PLAN_RULE_FIELDS,
    ), status


@bp.get("/plans")
@role_required(Role.ADMIN)
def plans():
    """A plan rule set: its versions with effect times, and a form for a change."""
    name = request.args.get("name", "default")
    if name not in rules_service.plan_rule_set_names():
        abort(404)
    data = asdict(plan_rules(name))
    for field, minor in YUAN_FIELDS.items():
        data[field] = data.pop(minor) // 100
    return _plan_page(PlanRulesForm(data={**data, "name": name}))


@bp.post("/plans/preview")
@role_required(Role.ADMIN)
def plans_preview():
    """Step 1 of 2: check a plan rule change and show what it changes, before saving anything."""
    form = PlanRulesForm()
    if not form.validate():
        return _plan_page(form)
    try:
        preview = rules_service.preview_plan_rules(
            form.name.data, _proposed_plan_rules(form), _when(form)
        )
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _plan_page(form)
    return render_template("staff/plan_rules_preview.html", form=form, preview=preview)


@bp.post("/plans")
@role_required(Role.ADMIN)
def plans_confirm():
    """Step 2 of 2: save the previewed plan rules as a new version (audited)."""
    form = PlanRulesForm()
    if "edit" in request.form or not form.validate():
        return _plan_page(form)
    try:
        rules_service.schedule_plan_rules(form.name.data, _proposed_plan_rules(form), _when(form))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _plan_page(form)
    flash(_("The plan rules were changed."), "success")
    return redirect(url_for("rules.plans", name=form.name.data))


def _proposed_promise_rules(form: PromiseRulesForm) -> PromiseRules:
    return PromiseRules(**{f: form[f].data for f in rules_service.PROMISE_RULE_FIELDS})


def _promise_page(form, status=200):
    return render_template(
        "staff/promise_rules.html",
        form=form,
        names=rules_service.promise_rule_set_names(),
        versions=rules_service.promise_rule_versions(form.name.data),
        now=clock.now(),
        labels_=PROMISE_RULE_FIELDS,
    ), status


@bp.get("/promises")
@role_required(Role.ADMIN)
def promises():
    """A promise rule set: its versions with effect times, and a form for a change."""
    name = request.args.get("name", "default")
    if name not in rules_service.promise_rule_set_names():
        abort(404)
    return _promise_page(PromiseRulesForm(data={**asdict(promise_rules(name)), "name": name}))


@bp.post("/promises/preview")
@role_required(Role.ADMIN)
def promises_preview():
    """Step 1 of 2: check a promise rule change and show what it changes, before saving
    anything."""
    form = PromiseRulesForm()
    if not form.validate():
        return _promise_page(form)
    try:
        preview = rules_service.preview_promise_rules(
            form.name.data, _proposed_promise_rules(form), _when(form)
        )
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _promise_page(form)
    return render_template("staff/promise_rules_preview.html", form=form, preview=preview)


@bp.post("/promises")
@role_required(Role.ADMIN)
def promises_confirm():
    """Step 2 of 2: save the previewed promise rules as a new version (audited)."""
    form = PromiseRulesForm()
    if "edit" in request.form or not form.validate():
        return _promise_page(form)
    try:
        rules_service.schedule_promise_rules(
            form.name.data, _proposed_promise_rules(form), _when(form)
        )
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _promise_page(form)
    flash(_("The promise rules were changed."), "success")
    return redirect(url_for("rules.promises", name=form.name.data))


def _calendar_page(year: int, form: CalendarDayForm, status=200, official_form=None):
    return render_template(
        "staff/calendar.html",
        year=year,
        days=calendar.days_of_year(year),
        form=form,
        remove_form=RemoveDayForm(),
        official_form=official_form or OfficialYearForm(),
        provisional_form=ProvisionalYearForm(),
        status=calendar.year_status(year),
        years=calendar.calendar_years(),
        kinds=calendar_labels.KIND_NAMES,
    ), status


def _year() -> int:
    year = request.args.get("year", type=int) or clock.business_today().year
    return min(max(year, calendar.FIRST_YEAR), calendar.LAST_YEAR)


@bp.get("/calendar")
@role_required(Role.ADMIN)
def calendar_days():
    """The business calendar of one year: its holidays and make-up working days."""
    return _calendar_page(_year(), CalendarDayForm())


@bp.post("/calendar")
@role_required(Role.ADMIN)
def add_calendar_day():
    """Mark a day a holiday or a make-up working day (audited)."""
    form = CalendarDayForm()
    if not form.validate():
        return _calendar_page(_year(), form)
    try:
        added = calendar.add_day(form.day.data, form.kind.data, form.name.data)
    except DomainError as error:
        show_error(form, error, calendar_labels.MESSAGES)
        return _calendar_page(_year(), form)
    return redirect(url_for("rules.calendar_days", year=added.day.year))


@bp.post("/calendar/official")
@role_required(Role.ADMIN)
def mark_year_official():
    """Record that a year's days are the published schedule (audited)."""
    form = OfficialYearForm()
    if not form.validate():
        return _calendar_page(_year(), CalendarDayForm(), official_form=form)
    try:
        calendar.mark_official(_year(), form.source.data, current_user.id)
    except DomainError as error:
        show_error(form, error, calendar_labels.MESSAGES)
        return _calendar_page(_year(), CalendarDayForm(), official_form=form)
    return redirect(url_for("rules.calendar_days", year=_year()))


@bp.post("/calendar/provisional")
@role_required(Role.ADMIN)
def mark_year_provisional():
    """Take back a year's official mark (audited)."""
    if not ProvisionalYearForm().validate():
        abort(400)
    calendar.mark_provisional(_year())
    return redirect(url_for("rules.calendar_days", year=_year()))


@bp.post("/calendar/remove")
@role_required(Role.ADMIN)
def remove_calendar_day():
    """Take a day out of the calendar (audited)."""
    form = RemoveDayForm()
    day_id = (parse_id(form.day_id.data) if form.validate() else None) or 0
    calendar.remove_day(day_id)
    return redirect(url_for("rules.calendar_days", year=_year()))
