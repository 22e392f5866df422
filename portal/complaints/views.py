"""The borrower's complaints: file one (about a contact, with attachments), follow the thread,
reply, accept or dispute the resolution."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import query_string
from portal.complaints import service
from portal.complaints.forms import ComplaintForm, DisputeForm, ReplyForm
from portal.complaints.labels import FILED, MESSAGES
from portal.complaints.lifecycle import Actor
from portal.complaints.models import Complaint
from portal.complaints.rules import suggested_category
from portal.errors import DomainError, message_for, show_error
from portal.loans.service import contact_judgement, contact_marks, contact_rules
from portal.rows import own, parse_id
from portal.security import Role, role_required
from portal.translate import gettext as _
from portal.uploads import (
    AUDIO_TYPES,
    DOCUMENT_TYPES,
    UploadRefused,
    accepts_uploads,
    check_files,
)

bp = Blueprint("complaints", __name__)

ALLOWED_TYPES = DOCUMENT_TYPES + AUDIO_TYPES


def _files(field):
    """The checked attachments of a file field; a refused file is an error on that field."""
    try:
        return check_files(request.files.getlist(field.name), allowed=ALLOWED_TYPES)
    except UploadRefused as error:
        raise service.ComplaintRefused(
            f"file_{error.code}", field=field.name, name=error.name
        ) from error


def _contact(form):
    """The contact-log entry the complaint is about (from the link or the form), or None;
    404 for a contact that is not the borrower's."""
    given = request.args.get("contact") or form.contact.data
    contact_id = query_string.row_id("contact") or parse_id(form.contact.data)
    contact = service.own_contact(current_user.borrower, contact_id)
    if given and contact is None:
        abort(404)
    return contact


def _new_page(form, contact):
    marks, preferences = (
        contact_judgement(current_user.borrower, contact.id) if contact else ([], None)
    )
    if request.method == "GET" and contact is not None:
        form.contact.data = str(contact.id)
        form.category.data = suggested_category(marks) or form.category.data
    return render_template(
        "complaints/new.html",
        form=form,
        contact=contact,
        marks=marks,
        preferences=preferences,
        contact_rules_now=contact_rules(),
    )


@bp.route("/complaints/new", methods=["GET", "POST"])
@role_required(Role.BORROWER)
@accepts_uploads
def new():
    """File a complaint; from a contact-log entry the contact is filled in."""
    form = ComplaintForm()
    contact = _contact(form)
    if form.validate_on_submit():
        try:
            complaint = _file(form, contact)
        except service.SentBefore as error:
            return sent_before(error)
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            flash(str(FILED) % {"reference": complaint.reference}, "success")
            return redirect(url_for("complaints.show", complaint_id=complaint.id))
    return _new_page(form, contact)


def _file(form, contact):
    return service.file_complaint(
        current_user.borrower,
        current_user.id,
        category=form.category.data,
        description=form.description.data,
        desired_outcome=form.desired_outcome.data,
        contact_id=contact.id if contact else None,
        files=_files(form.attachments),
        token=form.token.data or None,
    )


def sent_before(error, endpoint="complaints.show"):
    """The form was sent before with something changed: back to the complaint, saying so."""
    flash(message_for(error, MESSAGES), "error")
    return redirect(url_for(endpoint, complaint_id=error.values["complaint_id"]))


@bp.get("/complaints")
@role_required(Role.BORROWER)
def mine():
    """The borrower's complaints with status and deadlines."""
    return render_template(
        "complaints/mine.html", complaints=service.borrower_complaints(current_user.borrower)
    )


def _page(complaint, reply_form=None, dispute_form=None, status=200):
    return render_template(
        "complaints/show.html",
        complaint=complaint,
        actions=service.allowed_actions(complaint, Actor.BORROWER),
        messages=service.borrower_visible_messages(complaint),
        files=service.attachments(complaint.id),
        marks=contact_marks(current_user.borrower, complaint.contact_entry_id)
        if complaint.contact_entry_id
        else [],
        reply_form=reply_form or ReplyForm(),
        dispute_form=dispute_form or DisputeForm(),
    ), status


@bp.get("/complaints/<int:complaint_id>")
@role_required(Role.BORROWER)
def show(complaint_id):
    """One complaint: status, deadlines, the thread (never internal notes), the resolution."""
    return _page(own(Complaint, complaint_id))


@bp.post("/complaints/<int:complaint_id>/reply")
@role_required(Role.BORROWER)
@accepts_uploads
def reply(complaint_id):
    """Add a message or attachments while the complaint is open."""
    complaint = own(Complaint, complaint_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            service.borrower_reply(
                current_user.borrower,
                current_user.id,
                complaint_id,
                form.body.data or "",
                _files(form.attachments),
                token=form.token.data or None,
            )
        except service.SentBefore as error:
            return sent_before(error)
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            flash(_("Your message has been added."), "success")
            return redirect(url_for("complaints.show", complaint_id=complaint_id))
    return _page(complaint, reply_form=form, status=400)


@bp.post("/complaints/<int:complaint_id>/accept")
@role_required(Role.BORROWER)
def accept(complaint_id):
    """Accept the resolution; the complaint closes."""
    own(Complaint, complaint_id)
    try:
        service.accept_resolution(current_user.borrower, complaint_id)
    except DomainError as error:
        flash(message_for(error, MESSAGES), "error")
    else:
        flash(_("Thank you. The complaint is closed."), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint_id))


@bp.post("/complaints/<int:complaint_id>/dispute")
@role_required(Role.BORROWER)
def dispute(complaint_id):
    """Dispute the resolution within 30 days: the complaint reopens at a higher priority."""
    complaint = own(Complaint, complaint_id)
    form = DisputeForm()
    if not form.validate_on_submit():
        return _page(complaint, dispute_form=form, status=400)
    try:
        service.dispute(current_user.borrower, current_user.id, complaint_id, form.reason.data)
    except DomainError as error:
        flash(message_for(error, MESSAGES), "error")
    else:
        reopened = _("Your complaint is reopened and will be looked at again with higher priority.")
        flash(reopened, "success")
    return redirect(url_for("complaints.show", complaint_id=complaint_id))
