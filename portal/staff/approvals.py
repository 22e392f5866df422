"""The plan approvers' queue and request pages (approver role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import query_string
from portal.account.overview import loan_detail
from portal.account.service import loan_accounts
from portal.errors import DomainError, NotAllowed, message_for
from portal.extensions import db, writes
from portal.i18n import amount_input
from portal.loans.service import contact_rules
from portal.plans import lifecycle, service
from portal.plans.forms import DecisionForm, show_refusal, terms_from
from portal.plans.labels import MESSAGES
from portal.plans.models import HardshipRequest
from portal.plans.terms import EXTENSION, INSTALLMENT_PLAN
from portal.security import Role, role_required
from portal.translate import gettext as _

bp = Blueprint("approvals", __name__, url_prefix="/staff/requests")


@bp.get("/")
@role_required(Role.APPROVER)
def queue():
    """Requests waiting for a decision, with filters, sorting and pages; each with its decision
    deadline, the amounts, and the loan's days past due today."""
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
        "plans/queue.html",
        result=result,
        accounts=loan_accounts([loan.id for _request, loan, _borrower in result.rows]),
        state=state,
        kind=kind,
        sort=sort,
        late_only=late_only,
    )


# Each decision has its own form: pressing Enter in one can only ever send that one.
DECISION_FORMS = (lifecycle.APPROVE, lifecycle.REJECT, lifecycle.COUNTER)
# The decision forms share one page, each under its own prefix; the app-wide CSRF protection
# checks the page's one `csrf_token` on every post, so the forms do not carry their own.
NO_FORM_CSRF = {"csrf": False}
# Approving and counter-offering are confirmed on a summary of the terms first.
CONFIRMED_FIRST = (lifecycle.APPROVE, lifecycle.COUNTER)


def _decision_forms(hardship, submitted=None, action=None) -> dict:
    """The approve, reject and counter-offer forms; a counter-offer starts from the terms asked."""
    forms = {
        name: DecisionForm(prefix=f"{name}-", formdata=None, meta=NO_FORM_CSRF)
        for name in DECISION_FORMS
    }
    requested = hardship.requested
    counter = forms[lifecycle.COUNTER]
    counter.extension_days.data, counter.months.data = requested.extension_days, requested.months
    counter.first_due_on.data = requested.first_due_on
    if requested.down_payment:
        counter.down_payment.data = amount_input(requested.down_payment, hardship.currency)
    if submitted is not None and action in forms:
        forms[action] = submitted
    return forms


def _page(hardship, form=None, *, action=None, status=200):
    detail = loan_detail(hardship.borrower, hardship.loan_id)
    return render_template(
        "plans/review.html",
        hardship=hardship,
        borrower=hardship.borrower,
        actions=lifecycle.allowed_actions(hardship.status, actor=lifecycle.APPROVER),
        detail=detail,
        forms=_decision_forms(hardship, form, action),
        requested_schedule=service.schedule_of(hardship),
        history=[r for r in service.loan_requests(hardship.loan_id) if r.id != hardship.id],
        documents=service.request_documents(hardship.id),
        rules=service.plan_rules(detail.overview.loan.product),
        contact_rules=contact_rules(),
    ), status


@bp.get("/<int:request_id>")
@writes
@role_required(Role.APPROVER)
def review(request_id):
    """A request with the loan, its journal, the contact log and earlier requests."""
    hardship = service.request_for_approver(request_id) or abort(404)
    return _page(hardship)


def _submitted(hardship, action):
    """The decision form sent for `action`, whether it is valid, and a counter-offer's terms."""
    form = DecisionForm(prefix=f"{action}-" if action in DECISION_FORMS else "", meta=NO_FORM_CSRF)
    form.kind.data = hardship.kind  # a counter-offer keeps the kind of the request
    counter = None
    valid = form.validate_on_submit() and (
        action != lifecycle.COUNTER or (counter := terms_from(form, hardship.currency)) is not None
    )
    return form, valid, counter


@bp.post("/<int:request_id>/decide")
@role_required(Role.APPROVER)
def decide(request_id):
    """Approve, reject with a reason, or counter-offer; approving and counter-offering are
    confirmed on a summary of the terms first."""
    hardship = db.session.get(HardshipRequest, request_id) or abort(404)
    action = request.form.get("action", "")
    form, valid, counter = _submitted(hardship, action)
    if not valid:
        return _page(hardship, form, action=action, status=400)
    try:
        if action in CONFIRMED_FIRST and request.form.get("confirmed") != "1":
            schedule = service.preview_decision(request_id, current_user, action, counter=counter)
            return _confirm(hardship, form, action, counter, schedule)
        service.decide(
            request_id,
            current_user,
            action,
            reason_code=form.reason_code.data or None,
            note=form.note.data or "",
            counter=counter,
        )
    except DomainError as error:
        return _refused(hardship, form, action, error)
    flash(_("Your decision has been recorded."), "success")
    return redirect(url_for("approvals.queue"))


def _confirm(hardship, form, action, counter, schedule):
    return render_template(
        "plans/confirm_decision.html",
        hardship=hardship,
        borrower=hardship.borrower,
        form=form,
        action=action,
        terms=counter or hardship.requested,
        schedule=schedule,
    )


def _refused(hardship, form, action, error: DomainError):
    if isinstance(error, NotAllowed):
        # The request changed under the approver's eyes: show it as it is now.
        flash(message_for(error, MESSAGES), "error")
        return redirect(url_for("approvals.review", request_id=hardship.id))
    show_refusal(form, error)
    return _page(hardship, form, action=action, status=400)
