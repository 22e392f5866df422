"""The plan approvers' queue and request pages (approver role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.account.overview import loan_detail
from portal.extensions import db
from portal.loans.models import Borrower
from portal.loans.service import contact_rules
from portal.plans import service
from portal.plans.forms import DecisionForm, terms_from
from portal.plans.labels import NOT_ALLOWED, problem_message
from portal.security import Role, role_required

bp = Blueprint("approvals", __name__, url_prefix="/staff/requests")


@bp.get("/")
@role_required(Role.APPROVER)
def queue():
    """Requests waiting for a decision, with filters, sorting and pages."""
    state = request.args.get("state", "waiting")
    kind = request.args.get("kind", "")
    sort = request.args.get("sort", "oldest")
    late_only = request.args.get("late") == "1"
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    result = service.approver_queue(
        state=state, kind=kind, late_only=late_only, sort=sort, page=page
    )
    return render_template(
        "plans/queue.html", result=result, state=state, kind=kind, sort=sort, late_only=late_only
    )


def _page(hardship, form, *, status=200):
    borrower = db.session.get(Borrower, hardship.borrower_id)
    detail = loan_detail(borrower, hardship.loan_id)
    return render_template(
        "plans/review.html",
        hardship=hardship,
        borrower=borrower,
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
    hardship = service.request_for_approver(request_id)
    if hardship is None:
        abort(404)
    db.session.commit()
    form = DecisionForm(kind=hardship.kind)
    return _page(hardship, form)


@bp.post("/<int:request_id>/decide")
@role_required(Role.APPROVER)
def decide(request_id):
    """Approve, reject with a reason, or counter-offer."""
    hardship = db.session.get(service.HardshipRequest, request_id)
    if hardship is None:
        abort(404)
    form = DecisionForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit():
        return _page(hardship, form, status=400)
    counter = None
    if action == "counter":
        form.kind.data = hardship.kind
        counter = terms_from(form, hardship.currency)
        if counter is None:
            return _page(hardship, form, status=400)
    if action == "reject" and not form.reason_code.data:
        form.reason_code.errors.append(_("Choose the reason the borrower will see."))
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
    except service.RequestRefused as error:
        db.session.rollback()
        hardship = db.session.get(service.HardshipRequest, request_id)
        form.form_errors.extend(problem_message(p, hardship.currency) for p in error.problems)
        return _page(hardship, form, status=400)
    except service.NotAllowed as error:
        db.session.rollback()
        flash(str(NOT_ALLOWED.get(error.code, NOT_ALLOWED["unknown_action"])), "error")
        return redirect(url_for("approvals.review", request_id=request_id))
    db.session.commit()
    flash(_("Your decision has been recorded."), "success")
    return redirect(url_for("approvals.queue"))
