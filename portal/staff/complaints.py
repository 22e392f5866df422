"""The support staff's complaint queue and complaint pages (support role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import query_string
from portal.account.overview import dashboard
from portal.complaints import service
from portal.complaints.forms import StaffActionForm
from portal.complaints.labels import MESSAGES
from portal.complaints.lifecycle import STATUSES, Actor
from portal.complaints.rules import QUEUES
from portal.complaints.views import sent_before
from portal.errors import DomainError, show_error
from portal.i18n import AmountError, parse_amount
from portal.loans.service import contact_judgement, contact_rules
from portal.rows import parse_id
from portal.security import Role, role_required

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


def _page(complaint, form, status=200):
    borrower = complaint.borrower
    marks, preferences = (
        contact_judgement(borrower, complaint.contact_entry_id)
        if complaint.contact_entry_id
        else ([], None)
    )
    form.assignee.choices = [
        (str(u.id), u.display_name or u.email) for u in service.support_staff()
    ]
    return render_template(
        "complaints/staff_show.html",
        complaint=complaint,
        actions=service.allowed_actions(complaint, Actor.STAFF),
        form=form,
        account=dashboard(borrower).overviews,
        borrower=borrower,
        files=service.attachments(complaint.id),
        marks=marks,
        preferences=preferences,
        rules=contact_rules(),
    ), status


@bp.get("/<int:complaint_id>")
@role_required(Role.SUPPORT)
def show(complaint_id):
    """A complaint with the borrower's account, the linked contact, files and the thread."""
    complaint = service.complaint_for_staff(complaint_id)
    if complaint is None:
        abort(404)
    return _page(complaint, StaffActionForm())


def _relief(form, complaint) -> int | None:
    """The typed monetary relief in minor units, for a monetary resolution only."""
    if request.form.get("action") != "resolve" or form.outcome.data != "monetary_relief":
        return None
    try:
        return parse_amount(form.relief.data or "", complaint.currency)
    except AmountError as error:
        raise DomainError("amount", field="relief", reason=error.code) from error


@bp.post("/<int:complaint_id>/act")
@role_required(Role.SUPPORT)
def act(complaint_id):
    """Claim, assign, acknowledge, change status, reply, note or resolve."""
    complaint = service.find_complaint(complaint_id)
    if complaint is None:
        abort(404)
    form = StaffActionForm()
    if not form.validate_on_submit():
        return _page(complaint, form, status=400)
    try:
        _act(form, complaint)
    except service.SentBefore as error:
        return sent_before(error, "support.show")
    except DomainError as error:
        show_error(form, error, MESSAGES)
        return _page(complaint, form, status=400)
    flash(_("Saved."), "success")
    return redirect(url_for("support.show", complaint_id=complaint_id))


def _act(form, complaint):
    return service.staff_action(
        complaint.id,
        current_user,
        request.form.get("action", ""),
        body=form.body.data or "",
        assignee_id=parse_id(form.assignee.data),
        outcome=form.outcome.data or None,
        relief_minor=_relief(form, complaint),
        token=form.token.data or None,
    )
