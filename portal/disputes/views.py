"""The borrower's disputes: dispute a loan or one of its entries, follow it, read the answer."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import rows
from portal.disputes import service
from portal.disputes.forms import DisputeForm
from portal.disputes.labels import MESSAGES
from portal.disputes.models import Dispute
from portal.errors import show_error
from portal.rows import parse_id
from portal.security import Role, role_required
from portal.translate import gettext as _
from portal.uploads import AUDIO_TYPES, DOCUMENT_TYPES, REQUEST_LIMIT, UploadRefused, check_files

bp = Blueprint("disputes", __name__)

ALLOWED_TYPES = DOCUMENT_TYPES + AUDIO_TYPES


def evidence_files(field, refusal=service.DisputeRefused):
    """The checked files of a file field; a refused file is an error on that field."""
    try:
        return check_files(request.files.getlist(field.name), allowed=ALLOWED_TYPES)
    except UploadRefused as error:
        raise refusal(f"file_{error.code}", field=field.name, name=error.name) from error


def _entry_id(value) -> int | None:
    return parse_id(value)


@bp.route("/loans/<int:loan_id>/dispute", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def new_dispute(loan_id):
    """Dispute the loan or one of its entries, with evidence; escalation waits for the answer."""
    request.max_content_length = REQUEST_LIMIT
    form = DisputeForm()
    entry_id = _entry_id(form.entry.data if request.method == "POST" else request.args.get("entry"))
    loan, entry = service.disputed_entry(current_user.borrower, loan_id, entry_id)
    form.entry.data = str(entry.id) if entry is not None else ""
    if form.validate_on_submit():
        try:
            dispute = service.open_dispute(
                current_user.borrower,
                loan_id,
                kind=form.kind.data,
                statement=form.statement.data,
                files=evidence_files(form.evidence),
                entry_id=entry_id,
            )
        except service.DisputeRefused as error:
            show_error(form, error, MESSAGES)
        else:
            flash(_("Your dispute has been sent. Escalation is on hold until the lender answers."))
            return redirect(url_for("disputes.show", dispute_id=dispute.id))
    return render_template("disputes/new.html", form=form, loan=loan, entry=entry)


@bp.get("/disputes")
@role_required(Role.BORROWER)
def mine():
    """Every dispute of the borrower, newest first."""
    disputes = service.borrower_disputes(current_user.borrower)
    return render_template("disputes/mine.html", disputes=disputes)


@bp.get("/disputes/<int:dispute_id>")
@role_required(Role.BORROWER)
def show(dispute_id):
    """A dispute, its deadline, and the lender's answer with its evidence once given."""
    dispute = rows.own(Dispute, dispute_id)
    return render_template(
        "disputes/show.html",
        dispute=dispute,
        files=service.evidence(dispute.id),
        answer_files=service.evidence(dispute.id, service.ANSWER_SUBJECT),
    )
