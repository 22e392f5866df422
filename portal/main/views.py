"""The front page, the language switcher, the developer outbox and error pages."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import refresh
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from portal.auth import service as accounts
from portal.extensions import writes
from portal.forms import SWITCH_LANGUAGE_FIELD
from portal.i18n import LANGUAGES
from portal.outbox import service as outbox
from portal.security import STAFF_ROLES, Role, is_safe_next, role_required
from portal.storage import StoredFileMissing
from portal.uploads import file_for_user, open_stored

bp = Blueprint("main", __name__)

# The bodies a browser sends forms in.
FORM_BODIES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Where the front page sends each role (a route, not an access check: the pages check that).
HOME_FOR_ROLE = {Role.BORROWER: "account.dashboard", **dict.fromkeys(STAFF_ROLES, "staff.home")}


@bp.get("/")
def index():
    """Borrowers go to their dashboard, staff to their own home page; visitors see the welcome."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return redirect(url_for(HOME_FOR_ROLE[current_user.role]))


def _choose_language(language: str) -> None:
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            accounts.save_language(current_user, language)


@bp.post("/language")
def set_language():
    """Remember the viewer's language, and save it on their account when logged in."""
    _choose_language(request.form.get("language", ""))
    target = request.form.get("next", "")
    return redirect(_shown_page(target) if is_safe_next(target) else url_for("main.index"))


def _shown_page(target: str) -> str:
    """The page to show again: `target`, or when it only takes forms (a refused form was
    shown there, and no script sent it along) the nearest page above it, such as the
    complaint a reply was written on."""
    path, _, query = target.partition("?")
    adapter = current_app.url_map.bind_to_environ(request.environ)
    while path:
        try:
            adapter.match(path, method="GET")
            return path + ("?" + query if query else "")
        except RequestRedirect:
            return path
        except HTTPException:
            path, query = path.rstrip("/").rpartition("/")[0], ""
    return url_for("main.index")


@bp.before_app_request
def switch_language_of_refused_form():
    """A refused form sent again to switch language: it is shown again in that language with
    what was typed, and nothing is done (the portal's forms never pass validation then)."""
    if request.method != "POST" or request.mimetype not in FORM_BODIES:
        return  # such as Stripe's events, whose body is read as it came
    if SWITCH_LANGUAGE_FIELD not in request.form:
        return
    g.form_redisplay = True
    _choose_language(request.form[SWITCH_LANGUAGE_FIELD])
    refresh()


@bp.after_app_request
def show_refused_form_again(response):
    """The form is refused again only because it was not sent to be acted on: the switch
    itself succeeded, and the language saved on the account is kept."""
    if g.get("form_redisplay") and response.status_code == 400:
        response.status_code = 200
    return response


@bp.get("/files/<int:file_id>")
@writes
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
