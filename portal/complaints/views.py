"""The borrower's complaints: file one (about a contact, with attachments), follow the thread,
reply, accept or dispute the resolution."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.complaints import service
from portal.complaints.forms import ComplaintForm, DisputeForm, ReplyForm
from portal.complaints.labels import NOT_ALLOWED, UPLOAD_MESSAGES
from portal.complaints.rules import suggested_category
from portal.extensions import db
from portal.loans.service import contact_marks, contact_rules
from portal.security import Role, role_required
from portal.uploads import (
    AUDIO_TYPES,
    DOCUMENT_TYPES,
    REQUEST_LIMIT,
    UploadRefused,
    check_files,
)

bp = Blueprint("complaints", __name__)

ALLOWED_TYPES = DOCUMENT_TYPES + AUDIO_TYPES


def _files(field):
    return check_files(request.files.getlist(field.name), allowed=ALLOWED_TYPES)


def _upload_message(error: UploadRefused) -> str:
    return str(UPLOAD_MESSAGES[error.code]) % {"name": error.name}


@bp.route("/complaints/new", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def new():
    """File a complaint; from a contact-log entry the contact is filled in."""
    request.max_content_length = REQUEST_LIMIT
    borrower = current_user.borrower
    form = ComplaintForm()
    contact_id = request.args.get("contact", type=int) or (
        int(form.contact.data) if (form.contact.data or "").isdigit() else None
    )
    contact = service.own_contact(borrower, contact_id)
    if contact_id and contact is None:
        abort(404)
    marks = contact_marks(borrower, contact.id) if contact else []
    if request.method == "GET" and contact is not None:
        form.contact.data = str(contact.id)
        form.category.data = suggested_category(marks) or form.category.data
    if form.validate_on_submit():
        try:
            files = _files(form.attachments)
            complaint = service.file_complaint(
                borrower,
                current_user.id,
                category=form.category.data,
                description=form.description.data,
                desired_outcome=form.desired_outcome.data,
                contact_id=contact.id if contact else None,
                files=files,
            )
        except UploadRefused as error:
            db.session.rollback()
            form.attachments.errors.append(_upload_message(error))
        except service.NotAllowed as error:
            db.session.rollback()
            form.form_errors.append(str(NOT_ALLOWED[error.code]))
        else:
            db.session.commit()
            flash(
                _(
                    "We received your complaint. Your reference number is %(reference)s.",
                    reference=complaint.reference,
                ),
                "success",
            )
            return redirect(url_for("complaints.show", complaint_id=complaint.id))
    return render_template(
        "complaints/new.html",
        form=form,
        contact=contact,
        marks=marks,
        contact_rules_now=contact_rules(),
    )


@bp.get("/complaints")
@role_required(Role.BORROWER)
def mine():
    """The borrower's complaints with status and deadlines."""
    return render_template(
        "complaints/mine.html", complaints=service.borrower_complaints(current_user.borrower)
    )


def _own(complaint_id):
    complaint = service.borrower_complaint(current_user.borrower, complaint_id)
    if complaint is None:
        abort(404)
    return complaint


def _page(complaint, reply_form=None, dispute_form=None, status=200):
    return render_template(
        "complaints/show.html",
        complaint=complaint,
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
    return _page(_own(complaint_id))


@bp.post("/complaints/<int:complaint_id>/reply")
@role_required(Role.BORROWER)
def reply(complaint_id):
    """Add a message or attachments while the complaint is open."""
    request.max_content_length = REQUEST_LIMIT
    complaint = _own(complaint_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            files = _files(form.attachments)
            if not (form.body.data or "").strip() and not files:
                form.body.errors.append(_("Write a message or add a file."))
            else:
                service.borrower_reply(
                    current_user.borrower,
                    current_user.id,
                    complaint_id,
                    form.body.data or "",
                    files,
                )
                db.session.commit()
                flash(_("Your message has been added."), "success")
                return redirect(url_for("complaints.show", complaint_id=complaint_id))
        except UploadRefused as error:
            db.session.rollback()
            form.attachments.errors.append(_upload_message(error))
        except service.NotAllowed as error:
            db.session.rollback()
            form.form_errors.append(str(NOT_ALLOWED[error.code]))
    return _page(_own(complaint_id) or complaint, reply_form=form, status=400)


@bp.post("/complaints/<int:complaint_id>/accept")
@role_required(Role.BORROWER)
def accept(complaint_id):
    """Accept the resolution; the complaint closes."""
    _own(complaint_id)
    try:
        service.accept_resolution(current_user.borrower, complaint_id)
    except service.NotAllowed as error:
        db.session.rollback()
        flash(str(NOT_ALLOWED[error.code]), "error")
        return redirect(url_for("complaints.show", complaint_id=complaint_id))
    db.session.commit()
    flash(_("Thank you. The complaint is closed."), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint_id))


@bp.post("/complaints/<int:complaint_id>/dispute")
@role_required(Role.BORROWER)
def dispute(complaint_id):
    """Dispute the resolution within 30 days: the complaint reopens at a higher priority."""
    complaint = _own(complaint_id)
    form = DisputeForm()
    if not form.validate_on_submit():
        return _page(complaint, dispute_form=form, status=400)
    try:
        service.dispute(current_user.borrower, current_user.id, complaint_id, form.reason.data)
    except service.NotAllowed as error:
        db.session.rollback()
        flash(str(NOT_ALLOWED[error.code]), "error")
        return redirect(url_for("complaints.show", complaint_id=complaint_id))
    db.session.commit()
    flash(
        _("Your complaint is reopened and will be looked at again with higher priority."), "success"
    )
    return redirect(url_for("complaints.show", complaint_id=complaint_id))
