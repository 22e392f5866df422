"""The borrower's corrections of their personal data: ask with evidence, follow the answer."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import query_string
from portal.corrections import lifecycle, service
from portal.corrections.forms import CorrectionForm
from portal.corrections.labels import MESSAGES
from portal.corrections.models import CorrectionRequest
from portal.errors import DomainError, message_for, show_error
from portal.rows import own
from portal.security import Role, role_required
from portal.translate import gettext as _
from portal.uploads import AUDIO_TYPES, DOCUMENT_TYPES, UploadRefused, accepts_uploads, check_files

bp = Blueprint("corrections", __name__, url_prefix="/rights/corrections")

# The same files as complaint attachments.
ALLOWED_TYPES = DOCUMENT_TYPES + AUDIO_TYPES


def evidence_files(field):
    """The checked files of a file field; a refused file is an error on that field."""
    try:
        return check_files(request.files.getlist(field.name), allowed=ALLOWED_TYPES)
    except UploadRefused as error:
        raise service.CorrectionRefused(
            f"file_{error.code}", field=field.name, name=error.name
        ) from error


@bp.get("/")
@role_required(Role.BORROWER)
def mine():
    """The data the portal holds on the borrower, and their correction requests."""
    borrower = current_user.borrower
    return render_template(
        "corrections/mine.html",
        held={field: service.held_value(borrower, field) for field in lifecycle.FIELDS},
        corrections=service.borrower_corrections(borrower),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.BORROWER)
@accepts_uploads
def new():
    """Ask to correct one item of the borrower's data, with evidence; answered within 15 days."""
    form = CorrectionForm()
    if request.method == "GET":
        form.field.data = query_string.choice("field", lifecycle.FIELDS, "") or None
    if form.validate_on_submit():
        try:
            correction = _ask(form)
        except service.SentBefore as error:
            return _sent_before(error)
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            flash(_("Your request has been sent. We answer within 15 days."), "success")
            return redirect(url_for("corrections.show", correction_id=correction.id))
    return render_template("corrections/new.html", form=form)


def _sent_before(error):
    """The form was sent before with something changed: to the request it made, saying so."""
    flash(message_for(error, MESSAGES), "error")
    return redirect(url_for("corrections.show", correction_id=error.values["correction_id"]))


def _ask(form):
    return service.ask(
        current_user.borrower,
        current_user.id,
        field=form.field.data,
        value=form.value.data or "",
        explanation=form.explanation.data or "",
        files=evidence_files(form.evidence),
        token=form.token.data or None,
    )


@bp.get("/<int:correction_id>")
@role_required(Role.BORROWER)
def show(correction_id):
    """One request: what was asked, its deadline, and the answer once given."""
    correction = own(CorrectionRequest, correction_id)
    return render_template(
        "corrections/show.html", correction=correction, files=service.evidence(correction.id)
    )
