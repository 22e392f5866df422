"""The plan approvers' queue and request pages (approver role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import query_string
from portal.account.overview import loan_detail
from portal.errors import DomainError, NotAllowed, message_for
from portal.extensions import db
from portal.loans.service import contact_rules
from portal.plans import lifecycle, service
from portal.plans.forms import DecisionForm, show_refusal, terms_from
from portal.plans.labels import MESSAGES
from portal.plans.models import HardshipRequest
from portal.plans.terms import EXTENSION, INSTALLMENT_PLAN
from portal.security import Role, role_required

bp = Blueprint("approvals", __name__, url_prefix="/staff/requests")


@bp.get("/")
@role_required(Role.APPROVER)
def queue():
    """Requests waiting for a decision, with filters, sorting and pages."""
    state = query_string.choice("state", service.QUEUE_STATES, "waiting")
    kind = query_string.choice("kind", ("", EXTENSION, INSTALLMENT_PLAN), "")
    sort = query_string.choice("sort", service.QUEUE_SORTS, "oldest")
    late_only = query_string.flag("late")
    result = service.approver_queue(
        state=state,
        kind=kind,
        late_only=late_only,
        sort=sort,
        page=query_string.page_number("page"),
    )
    return render_template(
        "plans/queue.html", result=result, state=state, kind=kind, sort=sort, late_only=late_only
    )


def _page(hardship, form, *, status=200):
    detail = loan_detail(hardship.borrower, hardship.loan_id)
    return render_template(
        "plans/review.html",
        hardship=hardship,
        borrower=hardship.borrower,
        actions=lifecycle.allowed_actions(hardship.status, actor=lifecycle.APPROVER),
        detail=detail,
        form=form,
        history=[r for r in service.loan_requests(hardship.loan_id) if r.id != hardship.id],
        documents=service.request_documents(hardship.id),
        rules=service.plan_rules(detail.overview.loan.product),
        contact_rules=contact_rules(),
    ), status


@bp.get("/<int:request_id>")
@role_required(Role.APPROVER)
def review(request_id):
    """A request with the loan, its journal, the contact log and earlier requests."""
    hardship = service.request_for_approver(request_id) or abort(404)
    return _page(hardship, DecisionForm(kind=hardship.kind))


@bp.post("/<int:request_id>/decide")
@role_required(Role.APPROVER)
def decide(request_id):
    """Approve, reject with a reason, or counter-offer."""
    hardship = db.session.get(HardshipRequest, request_id) or abort(404)
    form = DecisionForm()
    form.kind.data = hardship.kind  # a counter-offer keeps the kind of the request
    action = request.form.get("action", "")
    counter = None
    if not form.validate_on_submit() or (
        action == lifecycle.COUNTER and (counter := terms_from(form, hardship.currency)) is None
    ):
        return _page(hardship, form, status=400)
    try:
        service.decide(
            request_id,
            current_user,
            action,
            reason_code=form.reason_code.data or None,
            note=form.note.data or "",
            counter=counter,
        )
    except DomainError as error:
        return _refused(hardship, form, error)
    flash(_("Your decision has been recorded."), "success")
    return redirect(url_for("approvals.queue"))


def _refused(hardship, form, error: DomainError):
    if isinstance(error, NotAllowed):
        # The request changed under the approver's eyes: show it as it is now.
        flash(message_for(error, MESSAGES), "error")
        return redirect(url_for("approvals.review", request_id=hardship.id))
    show_refusal(form, error)
    return _page(hardship, form, status=400)
