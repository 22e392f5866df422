"""The borrower's dashboard, loan pages, and rights and data page."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from portal import clock
from portal.account import overview as loans
from portal.account.export import download_personal_data
from portal.loans.chart import balance_chart
from portal.loans.service import contact_rules
from portal.security import Role, role_required

bp = Blueprint("account", __name__)


@bp.get("/loans")
@role_required(Role.BORROWER)
def dashboard():
    """Every loan of the borrower: what is owed, the collection stage, what happens next."""
    dashboard = loans.dashboard(current_user.borrower)
    return render_template("account/dashboard.html", dashboard=dashboard)


@bp.get("/loans/<int:loan_id>")
@role_required(Role.BORROWER)
def loan(loan_id):
    """One loan: the journal with running balance, a balance chart and the full contact log."""
    detail = loans.loan_detail(current_user.borrower, loan_id)
    if detail is None:
        abort(404)
    points = [(line.entry.posted_at, line.balance_after.total) for line in detail.journal]
    chart = balance_chart(points, until=clock.now())
    return render_template("account/loan.html", detail=detail, chart=chart)


@bp.get("/rights")
@role_required(Role.BORROWER)
def rights():
    """The borrower's rights in plain words, and how to get a copy of their data."""
    return render_template("account/rights.html", rules=contact_rules())


@bp.get("/rights/my-data.json")
@role_required(Role.BORROWER)
def my_data():
    """Download everything the portal holds about the logged-in borrower."""
    return Response(
        download_personal_data(current_user.borrower_id),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-portal-data.json"'},
    )
