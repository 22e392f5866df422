"""The support staff's queue of correction requests and the page of each (support role only).

Accepting and refusing are separate forms, each with its own button, so that pressing Enter in
one can only send that one; an acceptance is confirmed on a summary of the change first.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.corrections import lifecycle, service
from portal.corrections.forms import AcceptForm, RefuseForm
from portal.corrections.labels import MESSAGES
from portal.errors import DomainError, NotAllowed, NotFound, message_for, show_error
from portal.extensions import writes
from portal.security import Role, role_required
from portal.translate import gettext as _

bp = Blueprint("support_corrections", __name__, url_prefix="/staff/corrections")

# The two answer forms share one page, each under its own prefix; the app-wide CSRF protection
# checks the page's one `csrf_token` on every post (as the approvers' decision forms do).
NO_FORM_CSRF = {"csrf": False}


def _forms(accept_form=None, refuse_form=None):
    return {
        "accept": accept_form or AcceptForm(prefix="accept-", formdata=None, meta=NO_FORM_CSRF),
        "refuse": refuse_form or RefuseForm(prefix="refuse-", formdata=None, meta=NO_FORM_CSRF),
    }


@bp.get("/")
@role_required(Role.SUPPORT)
def queue():
    """The requests waiting for an answer, the earliest deadline first, with age and breaches."""
    return render_template(
        "corrections/queue.html", corrections=service.open_corrections(), now=clock.now()
    )


def _page(correction, status=200, **forms):
    return render_template(
        "corrections/staff_show.html",
        correction=correction,
        held=service.held_value(correction.borrower, correction.field),
        actions=lifecycle.allowed_actions(correction.status, lifecycle.Actor.STAFF),
        files=service.evidence(correction.id),
        forms=_forms(**forms),
        now=clock.now(),
    ), status


@bp.get("/<int:correction_id>")
@writes
@role_required(Role.SUPPORT)
def show(correction_id):
    """A request with the value held and asked for, the evidence, and the answer forms."""
    return _page(service.correction_for_staff(correction_id) or abort(404))


def _refused(correction, error: DomainError, **forms):
    if isinstance(error, NotFound):
        abort(404)  # another person's form
    if isinstance(error, service.SentBefore | NotAllowed):
        # Answered already (by this form or a colleague's): show the request as it is now.
        flash(message_for(error, MESSAGES), "error")
        return redirect(url_for("support_corrections.show", correction_id=correction.id))
    show_error(next(iter(forms.values())), error, MESSAGES)
    return _page(correction, status=400, **forms)


@bp.post("/<int:correction_id>/accept")
@role_required(Role.SUPPORT)
def accept(correction_id):
    """Accept: first a summary of the change, then (confirmed) the data is corrected."""
    correction = service.find_correction(correction_id) or abort(404)
    form = AcceptForm(prefix="accept-", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _page(correction, status=400, accept_form=form)
    try:
        if request.form.get("confirmed") != "1":
            service.check_acceptable(correction)
            return _confirm(correction, form)
        service.accept(
            correction.id, current_user, message=form.message.data, token=form.token.data
        )
    except DomainError as error:
        return _refused(correction, error, accept_form=form)
    flash(_("The data has been corrected and the borrower told."), "success")
    return redirect(url_for("support_corrections.queue"))


def _confirm(correction, form):
    return render_template(
        "corrections/confirm.html",
        correction=correction,
        held=service.held_value(correction.borrower, correction.field),
        form=form,
    )


@bp.post("/<int:correction_id>/refuse")
@role_required(Role.SUPPORT)
def refuse(correction_id):
    """Refuse with a reason the borrower reads; the data stays as it is."""
    correction = service.find_correction(correction_id) or abort(404)
    form = RefuseForm(prefix="refuse-", meta=NO_FORM_CSRF)
    if not form.validate_on_submit():
        return _page(correction, status=400, refuse_form=form)
    try:
        service.refuse(correction.id, current_user, reason=form.reason.data, token=form.token.data)
    except DomainError as error:
        return _refused(correction, error, refuse_form=form)
    flash(_("The refusal has been sent to the borrower."), "success")
    return redirect(url_for("support_corrections.queue"))
