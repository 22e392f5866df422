"""Staff home pages: each role has its own, and reaches only its own."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.security import Role, role_required
from portal.staff import service

bp = Blueprint("staff", __name__, url_prefix="/staff")

HOME_FOR_ROLE = {
    Role.SUPPORT: "support.queue",
    Role.APPROVER: "approvals.queue",
    Role.ADMIN: "staff.admin_home",
}


@bp.get("/")
@login_required
def home():
    """Send each staff member to their role's home page."""
    endpoint = HOME_FOR_ROLE.get(current_user.role)
    if endpoint is None:
        abort(404)
    return redirect(url_for(endpoint))


@bp.get("/admin")
@role_required(Role.ADMIN)
def admin_home():
    """Administrator home: staff accounts, the stage ladders and the outbox."""
    return render_template("staff/admin_home.html", overview=service.admin_overview())


@bp.get("/borrowers")
@role_required(Role.SUPPORT, Role.APPROVER)
def lookup():
    """Find a borrower by loan number, customer reference or phone number."""
    query = request.args.get("q", "").strip()[:64]
    results = service.find_borrowers(query) if query else []
    db.session.commit()
    return render_template("staff/lookup.html", query=query, results=results)


@bp.get("/borrowers/<int:borrower_id>")
@role_required(Role.SUPPORT, Role.APPROVER)
def borrower(borrower_id):
    """A borrower's account summary; every view is written to the audit log."""
    found = service.view_borrower(borrower_id)
    if found is None:
        abort(404)
    db.session.commit()
    return render_template("staff/borrower.html", borrower=found)
