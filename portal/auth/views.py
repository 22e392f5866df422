"""Login, logout, account activation and password reset pages."""

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
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import service
from portal.auth.forms import (
    PASSWORD_MESSAGES,
    ActivationFinishForm,
    ActivationStartForm,
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from portal.auth.throttle import TooManyAttempts
from portal.extensions import db
from portal.security import is_safe_next

bp = Blueprint("auth", __name__)


def _wait_message(error: TooManyAttempts) -> str:
    minutes = max(1, int(error.retry_after.total_seconds() // 60) + 1)
    return _(
        "Too many attempts. For your security, please wait %(minutes)d minutes and try again.",
        minutes=minutes,
    )


def _log_in(user, *, remember: bool):
    # A fresh session at login: nothing from before the login carries over.
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    service.start_login_session(
        user,
        remember=remember,
        address=request.remote_addr,
        user_agent=request.headers.get("User-Agent", ""),
    )
    db.session.commit()
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
        except TooManyAttempts as error:
            db.session.commit()
            form.form_errors.append(_wait_message(error))
        except service.InvalidCredentials:
            db.session.commit()
            form.form_errors.append(
                _(
                    "The mobile number, e-mail or password is not right, or the account is not "
                    "activated yet."
                )
            )
        else:
            _log_in(user, remember=form.remember.data)
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the login session on the server and in the browser."""
    service.log_out(current_user)
    db.session.commit()
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        session["language"] = language
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
            )
        except TooManyAttempts as error:
            db.session.commit()
            form.form_errors.append(_wait_message(error))
        else:
            db.session.commit()
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
        except TooManyAttempts as error:
            db.session.commit()
            form.form_errors.append(_wait_message(error))
        except service.InvalidCode:
            db.session.commit()
            form.code.errors.append(
                _("This code is not right or has expired. Check the code, or ask for a new one.")
            )
        except service.PasswordRejected as error:
            db.session.rollback()
            form.password.errors.append(PASSWORD_MESSAGES[error.problem])
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
        except TooManyAttempts as error:
            db.session.commit()
            form.form_errors.append(_wait_message(error))
        else:
            db.session.commit()
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
        except service.PasswordRejected as error:
            db.session.rollback()
            form.password.errors.append(PASSWORD_MESSAGES[error.problem])
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password has been changed. Log in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
