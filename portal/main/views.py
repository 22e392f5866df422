"""The front page, the language switcher, the developer outbox and error pages."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user

from portal.auth import service as accounts
from portal.i18n import LANGUAGES
from portal.outbox import service as outbox
from portal.security import STAFF_ROLES, Role, is_safe_next, role_required
from portal.storage import StoredFileMissing
from portal.uploads import file_for_user, open_stored

bp = Blueprint("main", __name__)

# Where the front page sends each role (a route, not an access check: the pages check that).
HOME_FOR_ROLE = {Role.BORROWER: "account.dashboard", **dict.fromkeys(STAFF_ROLES, "staff.home")}


@bp.get("/")
def index():
    """Borrowers go to their dashboard, staff to their own home page; visitors see the welcome."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return redirect(url_for(HOME_FOR_ROLE[current_user.role]))


@bp.post("/language")
def set_language():
    """Remember the viewer's language, and save it on their account when logged in."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            accounts.save_language(current_user, language)
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("main.index"))


@bp.get("/files/<int:file_id>")
@role_required(Role.BORROWER, Role.SUPPORT, Role.APPROVER, anonymous_not_found=True)
def download_file(file_id):
    """An uploaded file, as a download: for its owner, and for the staff who work with its kind
    (approvers a request's documents, support a complaint's attachments)."""
    found = file_for_user(current_user, file_id)
    if found is None:
        abort(404)
    # Files are at most 10 MB: read whole, so no file handle outlives the request.
    try:
        with open_stored(found.stored_name) as handle:
            data = io.BytesIO(handle.read())
    except StoredFileMissing:
        abort(404)
    return send_file(
        data, mimetype=found.content_type, as_attachment=True, download_name=found.original_name
    )


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
