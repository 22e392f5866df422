"""Administrators' pages for rules as data and the business calendar (admin role only)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import clock
from portal.errors import DomainError, show_error
from portal.holidays import labels as calendar_labels
from portal.holidays import service as calendar
from portal.loans.contact_rules import ContactRules
from portal.loans.service import contact_rules
from portal.security import Role, role_required
from portal.staff import rules_service
from portal.staff.forms import CalendarDayForm, ContactRulesForm, LadderForm, RemoveDayForm
from portal.staff.labels import CONTACT_RULE_FIELDS, MESSAGES

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


def _calendar_page(year: int, form: CalendarDayForm, status=200):
    return render_template(
        "staff/calendar.html",
        year=year,
        days=calendar.days_of_year(year),
        form=form,
        remove_form=RemoveDayForm(),
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


@bp.post("/calendar/remove")
@role_required(Role.ADMIN)
def remove_calendar_day():
    """Take a day out of the calendar (audited)."""
    form = RemoveDayForm()
    day_id = int(form.day_id.data) if form.validate() and form.day_id.data.isdigit() else 0
    calendar.remove_day(day_id)
    return redirect(url_for("rules.calendar_days", year=_year()))
