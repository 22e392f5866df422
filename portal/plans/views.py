"""The borrower's requests: ask, preview, submit, follow, withdraw, accept or decline."""

import hashlib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.plans import service
from portal.plans.forms import AcceptForm, DocumentsForm, RequestForm, terms_from
from portal.plans.labels import NOT_ALLOWED, UPLOAD_MESSAGES, problem_message
from portal.plans.terms import Terms
from portal.security import Role, role_required
from portal.uploads import REQUEST_LIMIT, UploadRefused, check_files

bp = Blueprint("plans", __name__)


def _digest(terms: Terms, context) -> str:
    text = repr((terms, context.balance, context.overdue, context.today))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@bp.route("/loans/<int:loan_id>/request", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def new_request(loan_id):
    """Ask for an extension or an installment plan; see the exact schedule before sending."""
    context = service.request_context(current_user.borrower, loan_id)
    if context is None:
        abort(404)
    form = RequestForm()
    if request.method == "GET":
        form.first_due_on.data = None
    preview, refusals, terms = None, [], None
    if form.validate_on_submit():
        terms = terms_from(form, context.loan.currency)
        if terms is not None:
            refusals = [problem_message(p, context.loan.currency) for p in context.problems(terms)]
            if not refusals:
                preview = context.schedule(terms)
                digest = _digest(terms, context)
                if request.form.get("action") == "submit" and form.previewed.data == digest:
                    try:
                        created = service.submit_request(
                            current_user.borrower,
                            loan_id,
                            terms,
                            reason_code=form.reason_code.data,
                            reason_text=form.reason_text.data or "",
                        )
                    except service.RequestRefused as error:
                        db.session.rollback()
                        refusals = [
                            problem_message(p, context.loan.currency) for p in error.problems
                        ]
                        preview = None
                    else:
                        db.session.commit()
                        flash(
                            _(
                                "Your request has been sent. While it is reviewed, collection "
                                "on this loan is on hold."
                            ),
                            "success",
                        )
                        return redirect(url_for("plans.show_request", request_id=created.id))
                form.previewed.data = digest
    if request.method == "GET":
        refusals = [problem_message(p, context.loan.currency) for p in context.blocking_problems()]
    return render_template(
        "plans/new_request.html",
        form=form,
        context=context,
        preview=preview,
        refusals=refusals,
        terms=terms,
    )


@bp.get("/requests")
@role_required(Role.BORROWER)
def my_requests():
    """Every request of the borrower, newest first, with its status."""
    return render_template(
        "plans/my_requests.html", requests=service.borrower_requests(current_user.borrower)
    )


def _own_request(request_id):
    found = service.borrower_request(current_user.borrower, request_id)
    if found is None:
        abort(404)
    return found


@bp.get("/requests/<int:request_id>")
@role_required(Role.BORROWER)
def show_request(request_id):
    """One request: what was asked, where it stands, and an offer to accept or decline."""
    hardship = _own_request(request_id)
    offer = None
    if hardship.status == "offered":
        context = service.request_context(current_user.borrower, hardship.loan_id)
        terms = hardship.offered
        offer = {"terms": terms, "schedule": context.schedule(terms), "context": context}
    return render_template(
        "plans/show_request.html",
        hardship=hardship,
        offer=offer,
        accept_form=AcceptForm(),
        documents_form=DocumentsForm(),
        documents=service.request_documents(hardship.id),
    )


def _not_allowed(error, request_id):
    db.session.rollback()
    flash(str(NOT_ALLOWED.get(error.code, NOT_ALLOWED["unknown_action"])), "error")
    return redirect(url_for("plans.show_request", request_id=request_id))


@bp.post("/requests/<int:request_id>/withdraw")
@role_required(Role.BORROWER)
def withdraw(request_id):
    """Take back a request that is still open."""
    _own_request(request_id)
    try:
        service.withdraw(current_user.borrower, request_id)
    except service.NotAllowed as error:
        return _not_allowed(error, request_id)
    db.session.commit()
    flash(_("Your request has been withdrawn."), "info")
    return redirect(url_for("plans.show_request", request_id=request_id))


@bp.post("/requests/<int:request_id>/accept")
@role_required(Role.BORROWER)
def accept(request_id):
    """Accept the offered terms: a recorded, timestamped agreement."""
    _own_request(request_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to show that you accept the terms."), "error")
        return redirect(url_for("plans.show_request", request_id=request_id))
    try:
        service.accept_offer(current_user.borrower, current_user.id, request_id)
    except service.NotAllowed as error:
        return _not_allowed(error, request_id)
    db.session.commit()
    flash(
        _("You accepted the plan. Collection on this loan stops while you keep to it."), "success"
    )
    return redirect(url_for("account.dashboard"))


@bp.post("/requests/<int:request_id>/decline")
@role_required(Role.BORROWER)
def decline(request_id):
    """Decline an offer."""
    _own_request(request_id)
    try:
        service.decline_offer(current_user.borrower, request_id)
    except service.NotAllowed as error:
        return _not_allowed(error, request_id)
    db.session.commit()
    flash(_("You declined the offer. You can send a new request."), "info")
    return redirect(url_for("plans.show_request", request_id=request_id))


@bp.post("/requests/<int:request_id>/documents")
@role_required(Role.BORROWER)
def add_documents(request_id):
    """Add supporting documents to an open request."""
    request.max_content_length = REQUEST_LIMIT
    hardship = _own_request(request_id)
    form = DocumentsForm()
    if not form.validate_on_submit():
        flash(_("The upload did not arrive. Please try again."), "error")
        return redirect(url_for("plans.show_request", request_id=request_id))
    try:
        files = check_files(request.files.getlist(form.documents.name))
        if not files:
            flash(_("Choose at least one file."), "error")
            return redirect(url_for("plans.show_request", request_id=request_id))
        service.add_documents(current_user.borrower, hardship, files)
    except UploadRefused as error:
        db.session.rollback()
        flash(str(UPLOAD_MESSAGES[error.code]) % {"name": error.name}, "error")
        return redirect(url_for("plans.show_request", request_id=request_id))
    except service.NotAllowed as error:
        return _not_allowed(error, request_id)
    db.session.commit()
    flash(_("Your documents have been added."), "success")
    return redirect(url_for("plans.show_request", request_id=request_id))
