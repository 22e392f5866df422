"""The borrower's dashboard, loan pages, rights and data page, and settings."""

from types import SimpleNamespace

from babel.lists import format_list
from flask import Blueprint, Response, abort, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal import clock
from portal.account import overview as loans
from portal.account import settings
from portal.account.export import download_personal_data, readable_personal_data
from portal.account.forms import (
    ContactPreferencesForm,
    LanguageForm,
    fill_preferences,
    preferences_change,
)
from portal.account.labels import (
    BARRED_PARTY_NAMES,
    LANGUAGE_SAVED,
    MESSAGES,
    PREFERENCES_SAVED,
    PREFERENCES_UNCHANGED,
    access_action_name,
)
from portal.errors import DomainError, show_error
from portal.extensions import writes
from portal.i18n import current_language
from portal.loans import labels as loan_labels
from portal.loans.chart import balance_chart
from portal.loans.contact_rules import PREFERABLE_CHANNELS
from portal.loans.labels import CHANNEL_NAMES
from portal.loans.service import contact_rules
from portal.promises.labels import STATUS_NAMES as PROMISE_STATUS_NAMES
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


@bp.get("/rights/my-data")
@writes
@role_required(Role.BORROWER)
def my_data_page():
    """A readable copy of everything the portal holds about the borrower, to read or print."""
    return render_template(
        "account/my_data.html",
        records=readable_personal_data(current_user.borrower_id),
        now=clock.now(),
        names=_DATA_NAMES,
    )


# The names the readable copy of a borrower's data needs beyond the templates' globals.
_DATA_NAMES = SimpleNamespace(
    promise_status=PROMISE_STATUS_NAMES,
    action=access_action_name,
    barred_parties=lambda codes: format_list(
        [str(BARRED_PARTY_NAMES[c]) for c in sorted(codes) if c in BARRED_PARTY_NAMES],
        locale=get_locale(),
    ),
)


@bp.get("/rights/my-data.json")
@writes
@role_required(Role.BORROWER)
def my_data():
    """Download everything the portal holds about the logged-in borrower."""
    return Response(
        download_personal_data(current_user.borrower_id),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-portal-data.json"'},
    )


@bp.app_template_filter("channel_names")
def channel_names(codes) -> str:
    """Contact channels by their names, as a list in the page's language ("SMS and e-mail")."""
    names = [str(CHANNEL_NAMES[code]) for code in PREFERABLE_CHANNELS if code in codes]
    return format_list(names, locale=get_locale()) if names else ""


@bp.app_template_filter("agent_name")
def agent_name(agent) -> str:
    """Who made a contact, for the borrower: a name, never an internal code."""
    return loan_labels.agent_name(agent)


def _settings_page(language_form=None, preferences_form=None):
    borrower = current_user.borrower
    if language_form is None:
        language_form = LanguageForm(language=current_language())
    in_force = settings.current_preferences(borrower.id)
    if preferences_form is None:
        preferences_form = ContactPreferencesForm(formdata=None)
        fill_preferences(preferences_form, in_force)
    return render_template(
        "account/settings.html",
        language_form=language_form,
        preferences_form=preferences_form,
        in_force=in_force,
        rules=contact_rules(),
    )


@bp.get("/settings")
@role_required(Role.BORROWER)
def settings_page():
    """The borrower's language and how, when and through whom collectors may contact them."""
    return _settings_page()


@bp.post("/settings/language")
@role_required(Role.BORROWER)
def save_language():
    """Change the language of the pages and of every message sent to the borrower."""
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            settings.set_language(current_user, form.language.data)
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            session["language"] = form.language.data
            flash(str(LANGUAGE_SAVED), "success")
            return redirect(url_for("account.settings_page"))
    return _settings_page(language_form=form)


@bp.post("/settings/contact")
@role_required(Role.BORROWER)
def save_contact_preferences():
    """Record new contact preferences, binding collectors from now on."""
    form = ContactPreferencesForm()
    if form.validate_on_submit():
        try:
            saved = settings.set_contact_preferences(
                current_user.borrower, current_user.id, preferences_change(form)
            )
        except DomainError as error:
            show_error(form, error, MESSAGES)
        else:
            flash(str(PREFERENCES_SAVED if saved else PREFERENCES_UNCHANGED), "success")
            return redirect(url_for("account.settings_page"))
    return _settings_page(preferences_form=form)
