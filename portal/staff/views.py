"""Staff home pages: each role has its own, and reaches only its own."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from portal import query_string
from portal.extensions import writes
from portal.security import STAFF_ROLES, Role, role_required
from portal.staff import service

bp = Blueprint("staff", __name__, url_prefix="/staff")

HOME_FOR_ROLE = {
    Role.SUPPORT: "support.queue",
    Role.APPROVER: "approvals.queue",
    Role.ADMIN: "staff.admin_home",
}


@bp.get("/")
@role_required(*STAFF_ROLES)
def home():
    """Send each staff member to their role's home page."""
    return redirect(url_for(HOME_FOR_ROLE[current_user.role]))


@bp.get("/admin")
@role_required(Role.ADMIN)
def admin_home():
    """Administrator home: staff accounts, the stage ladders and the outbox."""
    from portal.corrections.service import waiting_count

    return render_template(
        "staff/admin_home.html",
        overview=service.admin_overview(),
        corrections_waiting=waiting_count(),
    )


@bp.get("/borrowers")
@writes
@role_required(Role.SUPPORT, Role.APPROVER)
def lookup():
    """Find a borrower by loan number, customer reference or phone number (audited)."""
    search = query_string.search_text("q", 64)
    results = service.find_borrowers(search.text) if search.text and not search.error else []
    return render_template("staff/lookup.html", search=search, results=results)


@bp.get("/borrowers/<int:borrower_id>")
@writes
@role_required(Role.SUPPORT, Role.APPROVER)
def borrower(borrower_id):
    """A borrower's loans, requests, payments and complaints; every view is audited."""
    record = service.view_borrower(borrower_id)
    if record is None:
        abort(404)
    return render_template("staff/borrower.html", record=record, borrower=record.borrower)
