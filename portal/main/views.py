"""The front page, the language switcher, the developer outbox and error pages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.outbox import service as outbox
from portal.security import is_safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Borrowers go to their dashboard, staff to their own home page; visitors see the welcome."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    if current_user.is_staff:
        return redirect(url_for("staff.home"))
    return redirect(url_for("loans.dashboard"))


@bp.post("/language")
def set_language():
    """Remember the viewer's language, and save it on their account when logged in."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            if current_user.borrower is not None:
                current_user.borrower.preferred_language = language
            else:
                current_user.preferred_language = language
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("main.index"))


@bp.get("/healthz")
def health():
    """Liveness check for the load balancer."""
    return {"status": "ok"}


@bp.get("/dev/outbox")
def dev_outbox():
    """Development only: the messages the portal would have sent (activation codes, links)."""
    if not current_app.config["DEV_OUTBOX_PAGE"]:
        abort(404)
    return render_template("main/dev_outbox.html", messages=outbox.recent_messages(50))
