"""The support staff's complaint queue and complaint pages (support role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import query_string
from portal.account.overview import dashboard
from portal.complaints import service
from portal.complaints.forms import (
    NO_FORM_CSRF,
    AssignForm,
    BorrowerReplyForm,
    InternalNoteForm,
    ResolveForm,
    StaffStepForm,
)
from portal.complaints.labels import MESSAGES
from portal.complaints.lifecycle import STATUSES, Actor
from portal.complaints.rules import QUEUES
from portal.complaints.views import sent_before
from portal.errors import DomainError, NotAllowed, message_for, show_error
from portal.extensions import writes
from portal.i18n import AmountError, parse_amount
from portal.loans.service import contact_judgement, contact_rules
from portal.rows import parse_id
from portal.security import Role, role_required
from portal.translate import gettext as _

bp = Blueprint("support", __name__, url_prefix="/staff/complaints")


def _filters() -> service.QueueFilters:
    priority = query_string.choice("priority", ("1", "2", "3", "4"), "")
    return service.QueueFilters(
        queue=query_string.choice("queue", QUEUES, ""),
        # "open" is every open status; nothing chosen is every status.
        status=query_string.choice("status", ("open", "", *STATUSES), "open"),
        priority=int(priority) if priority else None,
        overdue=query_string.flag("overdue"),
        mine=query_string.flag("mine"),
        sort=query_string.choice("sort", service.QUEUE_SORTS, "deadline"),
        page=query_string.page_number("page"),
    )


@bp.get("/")
@role_required(Role.SUPPORT)
def queue():
    """Complaints by queue, status, priority, deadline and assignee, a page at a time."""
    filters = _filters()
    result = service.staff_queue(filters, current_user.id)
    return render_template("complaints/queue.html", result=result, filters=filters)


# Each action on the complaint page has its own form with one button (see complaints/forms.py).
STEPS = ("claim", "acknowledge", "investigating", "awaiting_borrower")
ACTION_FORMS = {
    **dict.fromkeys(STEPS, StaffStepForm),
    "assign": AssignForm,
    "reply": BorrowerReplyForm,
    "note": InternalNoteForm,
}


def _action_forms(submitted=None, action=None) -> dict:
    """A fresh form for every action (each with its own token); the one sent, if any."""
    forms = {name: form(formdata=None, meta=NO_FORM_CSRF) for name, form in ACTION_FORMS.items()}
    forms["assign"].assignee.choices = [
        (str(u.id), u.display_name or u.email) for u in service.support_staff()
    ]
    if submitted is not None:
        if action == "assign":
            submitted.assignee.choices = forms["assign"].assignee.choices
        forms[action] = submitted
    return forms


def _page(complaint, form=None, *, action=None, status=200):
    borrower = complaint.borrower
    marks, preferences = (
        contact_judgement(borrower, complaint.contact_entry_id)
        if complaint.contact_entry_id
        else ([], None)
    )
    actions = service.allowed_actions(complaint, Actor.STAFF, staff_id=current_user.id)
    return render_template(
        "complaints/staff_show.html",
        complaint=complaint,
        actions=actions,
        # A form refused because the complaint no longer allows it is not on the page: its
        # message and what was typed are shown on their own.
        refused=form if form is not None and action not in actions else None,
        steps=STEPS,
        forms=_action_forms(form, action),
        account=dashboard(borrower).overviews,
        borrower=borrower,
        files=service.attachments(complaint.id),
        marks=marks,
        preferences=preferences,
        rules=contact_rules(),
    ), status


@bp.get("/<int:complaint_id>")
@writes
@role_required(Role.SUPPORT)
def show(complaint_id):
    """A complaint with the borrower's account, the linked contact, files and the thread."""
    complaint = service.complaint_for_staff(complaint_id)
    if complaint is None:
        abort(404)
    return _page(complaint)


@bp.post("/<int:complaint_id>/act")
@role_required(Role.SUPPORT)
def act(complaint_id):
    """Claim, assign, acknowledge, change status, reply or add an internal note."""
    complaint = service.find_complaint(complaint_id) or abort(404)
    action = request.form.get("action", "")
    if action not in ACTION_FORMS:  # resolving has its own page
        flash(str(MESSAGES["unknown_action"]), "error")
        return redirect(url_for("support.show", complaint_id=complaint.id))
    form = ACTION_FORMS[action](meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _page(complaint, form, action=action, status=400)
    try:
        service.staff_action(
            complaint.id,
            current_user,
            action,
            body=form.data.get("body") or "",
            assignee_id=parse_id(form.data.get("assignee")),
            token=form.token.data or None,
        )
    except service.SentBefore as error:
        return sent_before(error, "support.show")
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _page(complaint, form, action=action, status=400)
    flash(_("Saved."), "success")
    return redirect(url_for("support.show", complaint_id=complaint_id))


# --- resolving: its own page, confirmed on a summary -------------------------------------------


def _relief(form, complaint) -> int | None:
    """The typed monetary relief in minor units, for a monetary resolution only."""
    if form.outcome.data != "monetary_relief":
        return None
    try:
        return parse_amount(form.relief.data or "", complaint.currency)
    except AmountError as error:
        raise DomainError("amount", field="relief", reason=error.code) from error


def _resolve_page(complaint, form, status=200):
    return render_template("complaints/resolve.html", complaint=complaint, form=form), status


@bp.get("/<int:complaint_id>/resolve")
@role_required(Role.SUPPORT)
def resolve_form(complaint_id):
    """Resolve a complaint: the outcome, any relief, and the resolution for the borrower."""
    complaint = service.find_complaint(complaint_id) or abort(404)
    if "resolve" not in service.allowed_actions(complaint, Actor.STAFF):
        flash(str(MESSAGES["closed"]), "error")
        return redirect(url_for("support.show", complaint_id=complaint.id))
    return _resolve_page(complaint, ResolveForm(formdata=None))


# Its own address (not the form's with another method): an id beyond the columns' range must
# match no route at all, and two rules on one path answer such an id with 405 instead of 404.
@bp.post("/<int:complaint_id>/resolution")
@role_required(Role.SUPPORT)
def resolve(complaint_id):
    """Review a resolution on its summary, change it, or record it once confirmed."""
    complaint = service.find_complaint(complaint_id) or abort(404)
    form = ResolveForm()
    if request.form.get("change") == "1":
        return _resolve_page(complaint, form)
    if not form.validate_on_submit():
        return _resolve_page(complaint, form, status=400)
    try:
        return _review_or_record(complaint, form)
    except service.SentBefore as error:
        return sent_before(error, "support.show")
    except NotAllowed as error:
        # The complaint changed under the support agent's eyes: show it as it is now.
        flash(message_for(error, MESSAGES), "error")
        return redirect(url_for("support.show", complaint_id=complaint.id))
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _resolve_page(complaint, form, status=400)


def _review_or_record(complaint, form):
    """The summary to confirm; once confirmed, the resolution recorded."""
    values = {
        "body": form.body.data,
        "outcome": form.outcome.data,
        "relief_minor": _relief(form, complaint),
    }
    if request.form.get("confirmed") != "1":
        service.check_resolution(complaint.id, **values)
        return render_template(
            "complaints/confirm_resolution.html", complaint=complaint, form=form, **values
        )
    service.staff_action(
        complaint.id, current_user, "resolve", token=form.token.data or None, **values
    )
    flash(_("The complaint is resolved and the borrower has been told."), "success")
    return redirect(url_for("support.show", complaint_id=complaint.id))
