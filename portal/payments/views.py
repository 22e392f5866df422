"""Paying online: choose an amount, pay on Stripe's page, follow the payment, keep a receipt.
Also the Stripe webhook and the development payment path."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal import query_string, rows
from portal.errors import DomainError, NotFound, show_error
from portal.extensions import csrf, writes
from portal.i18n import current_language, format_money
from portal.payments import service
from portal.payments.forms import PayForm
from portal.payments.gateway import verify_event
from portal.payments.labels import MESSAGES
from portal.payments.models import Payment
from portal.security import Role, role_required
from portal.translate import gettext as _

bp = Blueprint("payments", __name__)


@bp.route("/loans/<int:loan_id>/pay", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def pay(loan_id):
    """Choose how much to pay on a loan, then pay on Stripe's page."""
    options = _pay_options(loan_id)
    form = PayForm()
    form.choice.choices = _choices(options)
    if request.method == "GET":
        form.choice.data = form.choice.choices[0][0]
    elif form.validate_on_submit():
        try:
            payment = _begin_payment(form, options)
        except NotFound:
            abort(404)
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            return redirect(_next_page(payment))
    form.token.data = form.token.data or service.new_form_token()
    return render_template(
        "payments/pay.html", form=form, options=options, development=service.development_payments()
    )


def _pay_options(loan_id):
    try:
        return service.pay_options(current_user.borrower, loan_id)
    except NotFound:
        abort(404)


def _begin_payment(form, options):
    return service.begin_payment(
        current_user.borrower,
        options,
        form.choice.data,
        form.other_amount.data,
        form.token.data,
        language=current_language(),
        description=_("Loan %(number)s", number=options.loan.loan_number),
        status_url=_status_url,
    )


def _choices(options):
    """The next action's amount first (what is overdue, or the next installment), then the
    whole balance when that is more, then an amount of the borrower's own."""
    choices = []
    if options.overdue > 0:
        overdue = format_money(options.overdue, options.currency)
        choices.append(("overdue", _("The overdue amount: %(amount)s", amount=overdue)))
    if options.next_installment > 0:
        installment = format_money(options.next_installment, options.currency)
        choices.append(("installment", _("The next installment: %(amount)s", amount=installment)))
    if options.outstanding > max(options.overdue, options.next_installment):
        whole = format_money(options.outstanding, options.currency)
        choices.append(("full_balance", _("Everything you owe: %(amount)s", amount=whole)))
    choices.append(("other_amount", _("Another amount")))
    return choices


def _status_url(payment_id):
    """Where Stripe sends the borrower back: on the public address when one is configured."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        return base + url_for("payments.status", payment_id=payment_id)
    return url_for("payments.status", payment_id=payment_id, _external=True)


def _next_page(payment):
    if payment.provider == "development":
        return url_for("payments.development", payment_id=payment.id)
    if payment.checkout_url and payment.status == "processing":
        return payment.checkout_url
    return url_for("payments.status", payment_id=payment.id)


@bp.get("/payments/<int:payment_id>")
@writes
@role_required(Role.BORROWER)
def status(payment_id):
    """Where a payment stands: processing, succeeded, failed; refreshed until it settles."""
    payment = rows.own(Payment, payment_id)
    service.refresh_from_stripe(payment)
    return render_template(
        "payments/status.html", payment=payment, cancelled=query_string.flag("cancelled")
    )


@bp.get("/payments")
@role_required(Role.BORROWER)
def history():
    """Every payment the borrower made or started in the portal."""
    return render_template(
        "payments/history.html", payments=service.borrower_payments(current_user.borrower)
    )


@bp.get("/payments/<int:payment_id>/receipt")
@role_required(Role.BORROWER)
def receipt(payment_id):
    """A printable receipt for a successful payment."""
    payment = rows.own(Payment, payment_id)
    if payment.succeeded_at is None:
        abort(404)
    return render_template("payments/receipt.html", payment=payment, borrower=current_user.borrower)


@bp.route("/payments/<int:payment_id>/development", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def development(payment_id):
    """Development only, without Stripe keys: settle a payment through the real posting code."""
    if not service.development_payments():
        abort(404)
    payment = rows.own(Payment, payment_id)
    if payment.provider != "development":
        abort(404)
    succeed = request.form.get("outcome") == "succeed"
    if request.method == "POST" and service.settle_development(payment, succeed):
        return redirect(url_for("payments.status", payment_id=payment.id))
    return render_template("payments/development.html", payment=payment)


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    """Stripe's events, verified by signature; each one is applied exactly once.

    The request edge commits the event with its posting on 200; an error (500) keeps neither,
    so Stripe delivers the event again."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        abort(404)
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = verify_event(request.get_data(), signature, secret)
    except ValueError:
        return {"error": "invalid signature or payload"}, 400
    return {"status": service.handle_event(event)}, 200
