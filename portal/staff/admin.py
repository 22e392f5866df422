"""Administrators' pages: staff accounts and the audit log."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.auth.staff_views import reauthentication_required
from portal.errors import DomainError, message_for, show_error
from portal.extensions import writes
from portal.security import Role, role_required
from portal.staff import accounts, audit_log
from portal.staff.forms import ActionForm, InviteForm
from portal.staff.labels import MESSAGES
from portal.translate import gettext as _

bp = Blueprint("staff_admin", __name__, url_prefix="/staff/admin")


def _render_accounts(invite_form=None):
    return render_template(
        "staff/accounts.html",
        staff=accounts.staff_accounts(),
        status_of=accounts.status_of,
        invite_form=invite_form or InviteForm(),
        action_form=ActionForm(),
    )


@bp.get("/accounts")
@role_required(Role.ADMIN)
def staff_accounts():
    """Staff accounts: status and last login; invite, change role, disable, reset 2FA."""
    return _render_accounts()


def _invitation_link(token: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    path = url_for("access.invitation", token=token)
    return base + path if base else url_for("access.invitation", token=token, _external=True)


@bp.post("/accounts/invite")
@role_required(Role.ADMIN)
@reauthentication_required(back="staff_admin.staff_accounts")
def invite():
    """Invite a colleague by e-mail; they choose their own password through the link."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = accounts.invite(
                form.email.data,
                form.display_name.data or "",
                form.role.data,
                link_for=_invitation_link,
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            flash(_("The invitation to %(email)s is on its way.", email=user.email), "success")
            return redirect(url_for("staff_admin.staff_accounts"))
    return _render_accounts(form)


def _account_action(action, *args):
    """Run an action on one account; a refusal is shown as a message on the list."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("staff_admin.staff_accounts"))
    try:
        action(current_user, *args)
    except DomainError as error:
        flash(message_for(error, MESSAGES), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("staff_admin.staff_accounts"))


@bp.post("/accounts/<int:user_id>/role")
@role_required(Role.ADMIN)
@reauthentication_required(back="staff_admin.staff_accounts")
def change_role(user_id):
    """Give a staff member another role."""
    return _account_action(accounts.change_role, user_id, request.form.get("role", ""))


@bp.post("/accounts/<int:user_id>/disable")
@role_required(Role.ADMIN)
@reauthentication_required(back="staff_admin.staff_accounts")
def disable(user_id):
    """Disable an account; its login sessions end at once."""
    return _account_action(accounts.disable, user_id)


@bp.post("/accounts/<int:user_id>/second-factor/reset")
@role_required(Role.ADMIN)
@reauthentication_required(back="staff_admin.staff_accounts")
def reset_second_factor(user_id):
    """Forget an account's second factor; it enrols a new one at its next login."""
    return _account_action(accounts.reset_second_factor, user_id)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    """The audit log, filtered by person, borrower, action and dates, in pages."""
    chosen = audit_log.parse_filter(request.args)
    page = audit_log.entries(chosen, request.args.get("page", 1, type=int))
    return render_template(
        "staff/audit.html", chosen=chosen, page=page, actions=audit_log.actions()
    )


@bp.get("/audit.csv")
@writes
@role_required(Role.ADMIN)
def audit_export():
    """The filtered audit log as a CSV file (the export is audited too)."""
    body = audit_log.export_csv(audit_log.parse_filter(request.args))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
