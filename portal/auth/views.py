"""Login, logout, account activation and password reset pages.

A refusal re-renders its form with status 200, so the failed attempts the service counted are
committed by the request edge along with everything else.
"""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import service
from portal.auth.forms import (
    ActivationFinishForm,
    ActivationStartForm,
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from portal.auth.labels import MESSAGES
from portal.auth.staff_views import begin_second_step
from portal.errors import DomainError, show_error
from portal.i18n import PageLanguage, page_language
from portal.security import is_safe_next
from portal.translate import gettext as _

bp = Blueprint("auth", __name__)


def _fresh_session() -> None:
    # Nothing from before a login or logout carries over, except the chosen language.
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def _log_in(user, *, remember: bool, page: PageLanguage | None = None):
    page = page or page_language()
    _fresh_session()
    service.keep_page_language(user, page)
    service.start_login_session(
        user,
        remember=remember,
        address=request.remote_addr,
        user_agent=request.headers.get("User-Agent", ""),
    )
    login_user(
        user,
        remember=remember,
        duration=timedelta(days=current_app.config["REMEMBER_COOKIE_DURATION_DAYS"]),
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with a mobile number or e-mail address and a password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = service.authenticate(
                form.identifier.data, form.password.data, address=request.remote_addr
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            target = form.next.data
            if user.is_staff and user.totp_enrolled_at is not None:
                _fresh_session()
                begin_second_step(user, remember=form.remember.data, target=target)
                return redirect(url_for("access.second_step"))
            _log_in(user, remember=form.remember.data)
            return redirect(target if is_safe_next(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the login session on the server and in the browser."""
    service.log_out(current_user)
    # The session is emptied before Flask-Login marks the remember cookie for deletion (in
    # the session), so the browser forgets that cookie too.
    _fresh_session()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/activate", methods=["GET", "POST"])
def activate():
    """First step of activation: identify the loan and get a one-time code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = ActivationStartForm()
    if form.validate_on_submit():
        try:
            service.request_activation_code(
                form.loan_number.data,
                form.id_last4.data,
                form.channel.data,
                address=request.remote_addr,
                page=page_language(),
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            session["activation_loan"] = service.normalize_loan_number(form.loan_number.data)
            return redirect(url_for("auth.activate_code"))
    return render_template("auth/activate.html", form=form)


@bp.route("/activate/code", methods=["GET", "POST"])
def activate_code():
    """Second step of activation: enter the code and choose a password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    loan_number = session.get("activation_loan")
    if not loan_number:
        return redirect(url_for("auth.activate"))
    form = ActivationFinishForm()
    if form.validate_on_submit():
        try:
            user = service.complete_activation(
                loan_number, form.code.data, form.password.data, address=request.remote_addr
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            _log_in(user, remember=False)
            flash(_("Your account is active. Welcome!"), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/activate_code.html", form=form)


def _reset_link(token: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    path = url_for("auth.reset_password", token=token)
    return base + path if base else url_for("auth.reset_password", token=token, _external=True)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a password reset link."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            service.request_password_reset(
                form.identifier.data, address=request.remote_addr, link_for=_reset_link
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password through an e-mailed link."""
    try:
        service.valid_reset_token(token)
    except service.InvalidLink:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data)
        except service.InvalidLink:
            return render_template("auth/reset_invalid.html"), 410
        except service.PasswordRejected as error:
            show_error(form, error, MESSAGES)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password has been changed. Log in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
