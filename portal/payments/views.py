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
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import csrf, db
from portal.i18n import (
    AmountError,
    amount_error_message,
    current_language,
    format_money,
    parse_amount,
)
from portal.payments import service
from portal.payments.forms import PayForm
from portal.payments.gateway import verify_event
from portal.security import Role, role_required

bp = Blueprint("payments", __name__)


def _choices(options):
    choices = []
    if options.overdue > 0:
        choices.append(
            (
                "overdue",
                _(
                    "The overdue amount: %(amount)s",
                    amount=format_money(options.overdue, options.currency),
                ),
            )
        )
    if options.next_installment > 0:
        choices.append(
            (
                "installment",
                _(
                    "The next installment: %(amount)s",
                    amount=format_money(options.next_installment, options.currency),
                ),
            )
        )
    choices.append(("other_amount", _("Another amount")))
    return choices


def _refusal(error: service.AmountRefused, currency: str) -> str:
    values = {k: format_money(v, currency) for k, v in error.values.items()}
    if error.code == "too_small":
        return _("The smallest payment is %(minimum)s.", **values)
    if error.code == "too_large":
        return _("You can pay at most what you owe: %(maximum)s.", **values)
    return {
        "nothing_owed": _("Nothing is owed on this loan."),
        "nothing_overdue": _("Nothing on this loan is overdue."),
        "no_installment": _("There is no installment to pay."),
        "missing": _("Enter the amount you want to pay."),
    }.get(error.code, _("Choose an amount."))


@bp.route("/loans/<int:loan_id>/pay", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def pay(loan_id):
    """Choose how much to pay on a loan, then pay on Stripe's page."""
    options = service.pay_options(current_user.borrower, loan_id)
    if options is None:
        abort(404)
    form = PayForm()
    form.choice.choices = _choices(options)
    if request.method == "GET":
        form.token.data = service.new_form_token()
        form.choice.data = form.choice.choices[0][0]
    elif form.validate_on_submit():
        other = None
        if form.choice.data == "other_amount" and form.other_amount.data:
            try:
                other = parse_amount(form.other_amount.data, options.currency)
            except AmountError as error:
                form.other_amount.errors.append(amount_error_message(error.code))
        if not form.other_amount.errors:
            try:
                purpose, amount = service.choose_amount(options, form.choice.data, other)
            except service.AmountRefused as error:
                target = form.other_amount if form.choice.data == "other_amount" else form.choice
                target.errors.append(_refusal(error, options.currency))
            else:
                return _start(options, purpose, amount, form.token.data)
    if form.token.data is None or not form.token.data:
        form.token.data = service.new_form_token()
    return render_template(
        "payments/pay.html", form=form, options=options, development=service.development_payments()
    )


def _start(options, purpose, amount, token):
    provider = "stripe" if service.gateway() is not None else "development"
    if provider == "development" and not service.development_payments():
        abort(404)
    try:
        payment, created = service.start_payment(
            current_user.borrower, options, purpose, amount, token, provider
        )
    except service.NotFound:
        abort(404)
    if provider == "development":
        db.session.commit()
        return redirect(url_for("payments.development", payment_id=payment.id))
    if created:
        status_url = url_for("payments.status", payment_id=payment.id, _external=True)
        base = current_app.config["PUBLIC_BASE_URL"]
        if base:
            status_url = base + url_for("payments.status", payment_id=payment.id)
        service.open_checkout(
            payment,
            language=current_language(),
            success_url=status_url,
            cancel_url=status_url + "?cancelled=1",
            description=_("Loan %(number)s", number=options.loan.loan_number),
        )
    db.session.commit()
    if payment.checkout_url and payment.status == "processing":
        return redirect(payment.checkout_url)
    return redirect(url_for("payments.status", payment_id=payment.id))


def _own(payment_id):
    payment = service.borrower_payment(current_user.borrower, payment_id)
    if payment is None:
        abort(404)
    return payment


@bp.get("/payments/<int:payment_id>")
@role_required(Role.BORROWER)
def status(payment_id):
    """Where a payment stands: processing, succeeded, failed; refreshed until it settles."""
    payment = _own(payment_id)
    service.refresh_from_stripe(payment)
    db.session.commit()
    return render_template(
        "payments/status.html", payment=payment, cancelled=request.args.get("cancelled") == "1"
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
    payment = _own(payment_id)
    if payment.succeeded_at is None:
        abort(404)
    return render_template("payments/receipt.html", payment=payment, borrower=current_user.borrower)


@bp.route("/payments/<int:payment_id>/development", methods=["GET", "POST"])
@role_required(Role.BORROWER)
def development(payment_id):
    """Development only, without Stripe keys: settle a payment through the real posting code."""
    if not service.development_payments():
        abort(404)
    payment = _own(payment_id)
    if payment.provider != "development":
        abort(404)
    if request.method == "POST" and payment.status == "created":
        if request.form.get("outcome") == "succeed":
            service.post_success(
                payment.id, amount_received=payment.amount_minor, payment_intent_id=None
            )
        else:
            service.mark_unsuccessful(payment.id, "failed", "declined in the development path")
        db.session.commit()
        return redirect(url_for("payments.status", payment_id=payment.id))
    return render_template("payments/development.html", payment=payment)


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    """Stripe's events, verified by signature; each one is applied exactly once."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        abort(404)
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = verify_event(request.get_data(), signature, secret)
    except ValueError:
        return {"error": "invalid signature or payload"}, 400
    try:
        outcome = service.handle_event(event)
    except service.NotFound:
        db.session.rollback()
        return {"status": "unknown payment"}, 200
    db.session.commit()
    return {"status": outcome}, 200
