"""The support staff's disputes queue and answer page (support role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.account.overview import dashboard
from portal.disputes import lifecycle, service
from portal.disputes.forms import AnswerForm
from portal.disputes.labels import MESSAGES
from portal.disputes.views import evidence_files
from portal.errors import DomainError, show_error
from portal.extensions import writes
from portal.security import Role, role_required
from portal.translate import gettext as _
from portal.uploads import REQUEST_LIMIT

bp = Blueprint("support_disputes", __name__, url_prefix="/staff/disputes")


@bp.get("/")
@role_required(Role.SUPPORT)
def queue():
    """The disputes waiting for an answer, the earliest deadline first."""
    return render_template(
        "disputes/queue.html",
        disputes=service.open_disputes(),
        now=clock.now(),
        late=lifecycle.is_late,
    )


def _page(dispute, form, status=200):
    return render_template(
        "disputes/staff_show.html",
        dispute=dispute,
        form=form,
        actions=lifecycle.allowed_actions(dispute.status),
        account=dashboard(dispute.borrower).overviews,
        files=service.evidence(dispute.id),
        answer_files=service.evidence(dispute.id, service.ANSWER_SUBJECT),
    ), status


@bp.get("/<int:dispute_id>")
@writes
@role_required(Role.SUPPORT)
def show(dispute_id):
    """A dispute with the borrower's statement, evidence and account, and the answer form."""
    dispute = service.dispute_for_staff(dispute_id) or abort(404)
    return _page(dispute, AnswerForm())


@bp.post("/<int:dispute_id>/answer")
@role_required(Role.SUPPORT)
def answer(dispute_id):
    """Answer the dispute with the lender's evidence; the hold on the loan ends."""
    request.max_content_length = REQUEST_LIMIT
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            files = evidence_files(form.evidence)
            service.answer_dispute(dispute_id, current_user, answer=form.answer.data, files=files)
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            flash(_("The answer has been sent."), "success")
            return redirect(url_for("support_disputes.queue"))
    dispute = service.dispute_for_staff(dispute_id) or abort(404)
    return _page(dispute, form, status=400)
