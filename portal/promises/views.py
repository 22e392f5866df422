"""The borrower's promise to pay on a loan."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.errors import show_error
from portal.i18n import AmountError, parse_amount
from portal.promises import service
from portal.promises.forms import PromiseForm
from portal.promises.labels import MESSAGES
from portal.security import Role, role_required
from portal.translate import gettext as _

bp = Blueprint("promises", __name__)


@bp.route("/loans/<int:loan_id>/promise", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def new_promise(loan_id):
    """Promise to pay at least the amount asked for next, by a day in the coming week."""
    context = service.promise_context(current_user.borrower, loan_id) or abort(404)
    form = PromiseForm()
    problem = context.blocking_problem()
    if problem is not None:
        show_error(form, problem, MESSAGES)
    elif form.validate_on_submit():
        try:
            amount = parse_amount(form.amount.data, context.loan.currency, field="amount")
            service.make_promise(current_user.borrower, loan_id, amount, form.due_on.data)
        except (AmountError, service.PromiseRefused) as error:
            error.values.setdefault("currency", context.loan.currency)
            show_error(form, error, MESSAGES)
        else:
            flash(_("Thank you. Escalation is on hold until the day you named."), "success")
            return redirect(url_for("account.dashboard"))
    return render_template("promises/new.html", form=form, context=context)
