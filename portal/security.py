"""Role checks, safe redirects, the client's address and the HTTP security headers."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, redirect, url_for
from flask_login import current_user

from portal.extensions import login_manager


class Role(StrEnum):
    BORROWER = "borrower"
    SUPPORT = "support"
    APPROVER = "approver"
    ADMIN = "admin"


STAFF_ROLES = (Role.SUPPORT, Role.APPROVER, Role.ADMIN)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def role_required(*roles: str, anonymous_not_found: bool = False, enrolment: bool = False):
    """Let only logged-in users with one of these roles through; everyone else gets 404.

    A staff account without a second factor is sent to enrol one instead, except on the
    pages marked `enrolment` (the enrolment page itself).

    Visitors who are not logged in are sent to log in, or, with `anonymous_not_found`, get
    404 too (for addresses of private things, such as files, that should not even be hinted at).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if anonymous_not_found:
                    abort(404)
                return login_manager.unauthorized()
            if current_user.role not in roles:
                # 404, not 403: a page that is not yours does not exist for you.
                abort(404)
            staff = current_user.role in STAFF_ROLES
            if staff and not enrolment and current_user.totp_enrolled_at is None:
                return redirect(url_for("access.enrol"))
            return view(*args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorator


def is_safe_next(target: str | None) -> bool:
    """True when a `next` value points to a page on this site."""
    if not target or len(target) > 2000:
        return False
    if not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


# The longest textual IP address (an IPv4-mapped IPv6 address): what the address columns hold.
MAX_ADDRESS_LENGTH = 45


def is_ip_address(value: str | None) -> bool:
    if not value or len(value) > MAX_ADDRESS_LENGTH:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def known_client_address(wsgi_app):
    """WSGI middleware, run inside ProxyFix: the client's address is an IP address.

    Behind a proxy the address comes from X-Forwarded-For, which a client can fill with any
    text when it reaches the app without passing the proxy. Such a value is replaced by the
    address of the peer that sent the request (ProxyFix keeps it), so the lockouts, the login
    sessions and the audit log only ever record addresses.
    """

    def app(environ, start_response):
        if not is_ip_address(environ.get("REMOTE_ADDR")):
            peer = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
            if is_ip_address(peer):
                environ["REMOTE_ADDR"] = peer
            else:
                environ.pop("REMOTE_ADDR", None)
        return wsgi_app(environ, start_response)

    return app


def set_security_headers(response, *, production: bool, static: bool = False):
    """Add the headers every response carries (`static`: a file of portal/static/)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(self)"
    )
    if production:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not static:
        # Pages, the data download and uploaded files carry personal data: keep them out of
        # shared caches, the browser's cache and the back-forward cache. Only the static
        # assets may be cached (send_file's own caching headers are replaced).
        headers["Cache-Control"] = "no-store"
    return response
