"""The borrower's requests: ask, preview, submit, follow, withdraw, accept or decline."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import rows
from portal.errors import DomainError, message_for, show_error
from portal.plans import lifecycle, service
from portal.plans.forms import AcceptForm, DocumentsForm, RequestForm, show_refusal, terms_from
from portal.plans.labels import MESSAGES
from portal.plans.models import HardshipRequest
from portal.security import Role, role_required
from portal.translate import gettext as _
from portal.uploads import accepts_uploads

bp = Blueprint("plans", __name__)


def _request_page(form, context, preview=None):
    return render_template("plans/new_request.html", form=form, context=context, preview=preview)


@bp.route("/loans/<int:loan_id>/request", methods=["GET", "POST"])
@role_required(Role.BORROWER)
@accepts_uploads
def new_request(loan_id):
    """Ask for an extension or an installment plan; see the exact schedule before sending."""
    context = service.request_context(current_user.borrower, loan_id) or abort(404)
    form = RequestForm()
    if request.method == "GET":
        form.first_due_on.data = None
        for problem in context.blocking_problems():
            show_error(form, problem, MESSAGES)
    terms = terms_from(form, context.loan.currency) if form.validate_on_submit() else None
    if terms is None:
        return _request_page(form, context)
    try:
        preview = service.preview_request(context, terms)
        if request.form.get("action") == "submit" and form.previewed.data == preview.digest:
            return _submit(form, loan_id, terms)
    except service.DocumentsRefused as error:
        show_refusal(form, error)  # the schedule stays, with the documents field under it
    except service.RequestRefused as error:
        show_refusal(form, error)
        return _request_page(form, context)
    form.previewed.data = preview.digest
    return _request_page(form, context, preview)


def _submit(form, loan_id, terms):
    created = service.submit_request(
        current_user.borrower,
        loan_id,
        terms,
        reason_code=form.reason_code.data,
        reason_text=form.reason_text.data or "",
        documents=request.files.getlist(form.documents.name),
    )
    flash(
        _("Your request has been sent. While it is reviewed, collection on this loan is on hold."),
        "success",
    )
    return redirect(url_for("plans.show_request", request_id=created.id))


@bp.get("/requests")
@role_required(Role.BORROWER)
def my_requests():
    """Every request of the borrower, newest first, with its status."""
    return render_template(
        "plans/my_requests.html", requests=service.borrower_requests(current_user.borrower)
    )


@bp.get("/requests/<int:request_id>")
@role_required(Role.BORROWER)
def show_request(request_id):
    """One request: what was asked, where it stands, and an offer to accept or decline."""
    hardship = rows.own(HardshipRequest, request_id)
    return render_template(
        "plans/show_request.html",
        hardship=hardship,
        actions=lifecycle.allowed_actions(hardship.status, actor=lifecycle.BORROWER),
        offer=service.offer_on(current_user.borrower, hardship),
        accept_form=AcceptForm(),
        documents_form=DocumentsForm(),
        documents=service.request_documents(hardship.id),
        requested_schedule=service.schedule_of(hardship) if hardship.awaits_decision else [],
    )


def _back_to(request_id, message, category):
    flash(str(message), category)
    return redirect(url_for("plans.show_request", request_id=request_id))


def _refused(error: DomainError, request_id):
    return _back_to(request_id, message_for(error, MESSAGES), "error")


def _withdraw_question(hardship):
    allowed = lifecycle.allowed_actions(hardship.status, actor=lifecycle.BORROWER)
    if lifecycle.WITHDRAW not in allowed:
        return redirect(url_for("plans.show_request", request_id=hardship.id))
    offer = service.offer_on(current_user.borrower, hardship)
    return render_template("plans/withdraw.html", hardship=hardship, offer=offer)


@bp.route("/requests/<int:request_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def withdraw(request_id):
    """Take back a request that is still open, once asked: collection resumes, and an offer
    waiting for an answer is lost."""
    hardship = rows.own(HardshipRequest, request_id)
    if request.method == "GET":
        return _withdraw_question(hardship)
    try:
        service.withdraw(current_user.borrower, request_id)
    except DomainError as error:
        return _refused(error, request_id)
    return _back_to(request_id, _("Your request has been withdrawn."), "info")


@bp.post("/requests/<int:request_id>/accept")
@role_required(Role.BORROWER)
def accept(request_id):
    """Accept the offered terms: a recorded, timestamped agreement."""
    rows.own(HardshipRequest, request_id)
    if not AcceptForm().validate_on_submit():
        return _back_to(request_id, _("Tick the box to show that you accept the terms."), "error")
    try:
        service.accept_offer(current_user.borrower, current_user.id, request_id)
    except DomainError as error:
        return _refused(error, request_id)
    flash(
        _("You accepted the plan. Collection on this loan stops while you keep to it."), "success"
    )
    return redirect(url_for("account.dashboard"))


@bp.post("/requests/<int:request_id>/decline")
@role_required(Role.BORROWER)
def decline(request_id):
    """Decline an offer."""
    rows.own(HardshipRequest, request_id)
    try:
        service.decline_offer(current_user.borrower, request_id)
    except DomainError as error:
        return _refused(error, request_id)
    return _back_to(request_id, _("You declined the offer. You can send a new request."), "info")


@bp.post("/requests/<int:request_id>/documents")
@role_required(Role.BORROWER)
@accepts_uploads
def add_documents(request_id):
    """Add supporting documents to an open request."""
    rows.own(HardshipRequest, request_id)
    form = DocumentsForm()
    if not form.validate_on_submit():
        return _back_to(request_id, _("The upload did not arrive. Please try again."), "error")
    try:
        service.add_documents(
            current_user.borrower, request_id, request.files.getlist(form.documents.name)
        )
    except DomainError as error:
        return _refused(error, request_id)
    return _back_to(request_id, _("Your documents have been added."), "success")
