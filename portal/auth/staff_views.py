"""Staff sign-in pages: the second login step, enrolment, re-authentication, invitations."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal import clock
from portal.auth import second_factor
from portal.auth.forms import (
    EnrolmentForm,
    InvitationForm,
    ReauthenticateForm,
    SecondFactorForm,
)
from portal.auth.labels import MESSAGES
from portal.auth.service import InvalidLink, PasswordRejected
from portal.errors import DomainError, show_error
from portal.extensions import writes
from portal.i18n import PageLanguage, page_language
from portal.security import STAFF_ROLES, is_safe_next, role_required
from portal.translate import gettext as _

bp = Blueprint("access", __name__)

SECOND_STEP = "second_step"


def begin_second_step(user, *, remember: bool, target: str) -> None:
    """Remember, in the session, whose password was right; the code comes next."""
    until = clock.now() + second_factor.SECOND_STEP_LIFETIME
    page = page_language()
    session[SECOND_STEP] = {
        "user": user.id,
        "remember": bool(remember),
        "next": target if is_safe_next(target) else "",
        "until": until.timestamp(),
        # The language of the page where the password was typed: kept when the code is right.
        "page_language": [page.switched, page.browser],
    }


def _pending_user():
    pending = session.get(SECOND_STEP)
    if not pending or pending.get("until", 0) <= clock.now().timestamp():
        return None, None
    return second_factor.second_step_user(pending["user"]), pending


@bp.route("/login/code", methods=["GET", "POST"])
def second_step():
    """The second login step of staff: a code from the app or a recovery code."""
    user, pending = _pending_user()
    if user is None:
        session.pop(SECOND_STEP, None)
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            second_factor.complete_login(user, form.code.data, address=request.remote_addr)
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            from portal.auth.views import _log_in

            _log_in(
                user,
                remember=pending["remember"],
                page=PageLanguage(*pending.get("page_language") or (None, None)),
            )
            second_factor.mark_reauthenticated(user)
            return redirect(pending["next"] or url_for("main.index"))
    return render_template("auth/second_step.html", form=form)


@bp.route("/staff/second-factor", methods=["GET", "POST"])
@writes
@role_required(*STAFF_ROLES, enrolment=True)
def enrol():
    """Set up the second factor: scan the QR code (or type the key), confirm with a code."""
    if current_user.totp_enrolled_at is not None:
        return redirect(url_for("staff.home"))
    secret = second_factor.pending_secret(current_user)
    form = EnrolmentForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(
                current_user, form.code.data, address=request.remote_addr
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            second_factor.mark_reauthenticated(current_user)
            return render_template("auth/recovery_codes.html", codes=codes)
    uri = second_factor.provisioning_uri(current_user, secret)
    qr = second_factor.qr_code_data_uri(uri)
    return render_template("auth/enrol.html", form=form, secret=secret, qr=qr)


@bp.route("/staff/confirm", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def reauthenticate():
    """Prove both factors again before a sensitive action."""
    form = ReauthenticateForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            second_factor.reauthenticate(
                current_user, form.password.data, form.code.data, address=request.remote_addr
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("staff.home"))
    return render_template("auth/reauthenticate.html", form=form)


def reauthentication_required(back: str):
    """Before a sensitive action: both factors proved within the window, else ask again.

    `back` is the endpoint of the page to return to after confirming (the action is a POST).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not second_factor.recently_reauthenticated(current_user):
                flash(_("Confirm it is you before this change."), "info")
                return redirect(url_for("access.reauthenticate", next=url_for(back)))
            return view(*args, **kwargs)

        return wrapper

    return decorator


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token):
    """An invited staff member chooses their password through the e-mailed link."""
    from portal.staff import accounts

    try:
        accounts.valid_invitation(token)
    except InvalidLink:
        return render_template("auth/invitation_invalid.html"), 410
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            accounts.accept_invitation(token, form.password.data)
        except PasswordRejected as error:
            show_error(form, error, MESSAGES)
        else:
            flash(_("Your password is saved. Log in to set up your second factor."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/invitation.html", form=form)
