"""The borrower portal: a Flask application built by create_app()."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ConfigError, load_config

__all__ = ["create_app", "ConfigError"]


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, pages, error pages and commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    configure_proxy(app)
    configure_request_limits(app)
    configure_extensions(app)
    configure_transactions(app)
    configure_templates(app)
    configure_blueprints(app)
    configure_errors(app)
    configure_security(app)
    configure_cli(app)
    return app


def configure_proxy(app: Flask) -> None:
    from portal.security import known_client_address

    # Behind a reverse proxy the client's address arrives in X-Forwarded-For; trust only as
    # many hops as the deployment says, so rate limits key on the real address. Whatever
    # arrives there, the application only ever sees an IP address.
    app.wsgi_app = known_client_address(app.wsgi_app)
    hops = app.config["TRUSTED_PROXY_COUNT"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def configure_request_limits(app: Flask) -> None:
    # Registered before the extensions: CSRF protection reads the form in its own
    # before_request hook, so the views that take uploads must raise the limit earlier.
    from portal.uploads import allow_upload_bodies

    app.before_request(allow_upload_bodies)


def configure_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (registers every table on the metadata)
    from portal.auth import service as auth_service
    from portal.columns import render_column_type
    from portal.extensions import babel, csrf, db, login_manager, migrate
    from portal.i18n import N_, select_locale, select_timezone
    from portal.translate import install_template_gettext

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(__file__), "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_column_type,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app.jinja_env)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token):
        return auth_service.load_login_session(token)

    from portal.translate import gettext

    login_manager.localize_callback = gettext


def configure_transactions(app: Flask) -> None:
    """One transaction per request: commit once after a successful response, else roll back.

    Services and domain operations only flush. A response of 400 or more (including the 500
    page after an exception) commits nothing. Batch commands commit in the command layer.
    """
    from portal.extensions import db

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def configure_templates(app: Flask) -> None:
    from flask import request
    from flask_wtf.csrf import generate_csrf

    from portal.i18n import (
        HTML_LANG,
        LANGUAGES,
        current_language,
        format_age,
        format_date,
        format_datetime,
        format_money,
        format_time,
    )
    from portal.lender import lender
    from portal.loans import labels
    from portal.privacy import mask_email, mask_id_number, mask_phone

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_email"] = mask_email
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.globals["labels"] = labels
    from portal.plans import forms as plan_forms
    from portal.plans import labels as plan_labels

    app.jinja_env.globals["plan_labels"] = plan_labels
    app.jinja_env.globals["plan_forms"] = plan_forms
    app.jinja_env.globals["decision_names"] = plan_labels.DECISION_NAMES
    from portal.complaints import labels as complaint_labels

    app.jinja_env.globals["complaint_labels"] = complaint_labels
    from portal.payments import labels as payment_labels

    app.jinja_env.globals["payment_labels"] = payment_labels
    from portal.staff import labels as staff_labels

    app.jinja_env.globals["staff_labels"] = staff_labels
    from portal.disputes import labels as dispute_labels

    app.jinja_env.globals["dispute_labels"] = dispute_labels
    from portal.corrections import labels as correction_labels

    app.jinja_env.globals["correction_labels"] = correction_labels
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["age"] = format_age

    @app.context_processor
    def page_globals():
        language = current_language()
        return {
            "languages": LANGUAGES,
            "current_language": language,
            "html_lang": HTML_LANG.get(language, "zh-Hans"),
            "html_lang_of": HTML_LANG,
            "csrf_token": generate_csrf,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "lender": lender,
        }


def configure_blueprints(app: Flask) -> None:
    from portal.account.views import bp as account_bp
    from portal.auth.staff_views import bp as access_bp
    from portal.auth.views import bp as auth_bp
    from portal.complaints.views import bp as complaints_bp
    from portal.main.views import bp as main_bp
    from portal.payments.views import bp as payments_bp
    from portal.plans.views import bp as plans_bp
    from portal.rows import RowIdConverter
    from portal.staff.admin import bp as staff_admin_bp
    from portal.staff.approvals import bp as approvals_bp
    from portal.staff.complaints import bp as support_bp
    from portal.staff.rules import bp as rules_bp
    from portal.staff.views import bp as staff_bp

    # Before any route is added: every number in the portal's addresses is a row id, and an id
    # beyond the columns' range matches no route (404) instead of reaching the database.
    app.url_map.converters["int"] = RowIdConverter
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(support_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(access_bp)
    app.register_blueprint(staff_admin_bp)
    app.register_blueprint(rules_bp)
    from portal.promises.views import bp as promises_bp

    app.register_blueprint(promises_bp)
    from portal.disputes.views import bp as disputes_bp
    from portal.staff.disputes import bp as support_disputes_bp

    app.register_blueprint(disputes_bp)
    app.register_blueprint(support_disputes_bp)
    from portal.corrections.views import bp as corrections_bp
    from portal.staff.corrections import bp as support_corrections_bp

    app.register_blueprint(corrections_bp)
    app.register_blueprint(support_corrections_bp)


def configure_errors(app: Flask) -> None:
    from flask import render_template
    from flask_wtf.csrf import CSRFError

    from portal.errors import NotFound as DomainNotFound
    from portal.extensions import db

    def render_error(code: int, reason: str = ""):
        db.session.rollback()
        return render_template("errors/error.html", code=code, reason=reason), code

    for code in (400, 404, 405, 413, 429):
        app.register_error_handler(code, lambda error, code=code: render_error(code))
    app.register_error_handler(CSRFError, lambda error: render_error(400, "csrf"))
    # A service's "not found" (another borrower's thing, a row that does not exist) is a 404.
    app.register_error_handler(DomainNotFound, lambda error: render_error(404))

    @app.errorhandler(500)
    def server_error(error):
        app.logger.error("unhandled error: %s", getattr(error, "original_exception", error))
        return render_error(500)


def configure_security(app: Flask) -> None:
    from flask import request

    from portal.security import set_security_headers

    production = app.config["PRODUCTION"]

    @app.after_request
    def security_headers(response):
        static = request.endpoint == "static"
        return set_security_headers(response, production=production, static=static)


def configure_cli(app: Flask) -> None:
    from portal.cli import portal_cli

    app.cli.add_command(portal_cli)
