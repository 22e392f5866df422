"""Account operations: activation, login sessions, password reset, staff accounts.

Functions here flush and never commit: the request edge commits once (also when a page shows a
refusal, so failed attempts are counted), and commands commit in the command layer. Refusals
are the DomainErrors below (messages in labels.py); they never say whether an account exists.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from portal import audit, clock, rows
from portal.auth import throttle
from portal.auth.models import LoginSession, TokenPurpose, User, VerificationToken
from portal.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from portal.errors import DomainError
from portal.extensions import begin_writing, db
from portal.i18n import DEFAULT_LANGUAGE, PageLanguage
from portal.loans.models import Borrower, Loan
from portal.outbox import service as outbox
from portal.security import STAFF_ROLES, Role
from portal.translate import gettext

CODE_LIFETIME = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
RESET_LIFETIME = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=12)
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class InvalidCredentials(DomainError):
    """The account name and password do not match an active account."""

    def __init__(self):
        super().__init__("invalid_credentials")


class InvalidCode(DomainError):
    """The activation details or code do not match, or the code has expired."""

    def __init__(self):
        super().__init__("invalid_code", field="code")


class InvalidLink(DomainError):
    """The reset link is unknown, used or expired."""

    def __init__(self):
        super().__init__("invalid_link")


class PasswordRejected(DomainError):
    """The new password breaks a password rule; the code names which (passwords.py)."""

    def __init__(self, problem: str):
        super().__init__(problem, field="password")


class StaffAccountError(DomainError):
    """A staff account cannot be created as asked (labels.STAFF_ACCOUNT_MESSAGES)."""


def normalize_phone(value: str) -> str:
    """Digits only, without the +86 country prefix, so typed and imported numbers compare."""
    digits = re.sub(r"[\s\-().]", "", value.strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def normalize_identifier(value: str) -> str:
    """An account name as typed, in the form it is stored in."""
    value = value.strip()
    if "@" in value:
        return value.lower()
    return normalize_phone(value)


def normalize_loan_number(value: str) -> str:
    return value.strip().upper()


def _hash_secret(purpose: str, secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}|{secret}".encode(), hashlib.sha256).hexdigest()


def find_login_users(identifier: str) -> list[User]:
    """The accounts a login name belongs to: staff e-mail, or a borrower's e-mail or phone.

    Usually one; a staff member who is also a borrower may share an e-mail between two
    accounts, told apart by their passwords.
    """
    name = normalize_identifier(identifier)
    if not name:
        return []
    if "@" in name:
        condition = sa.or_(User.email == name, Borrower.email == name)
    else:
        condition = Borrower.phone == name
    return list(
        db.session.scalars(
            sa.select(User)
            .outerjoin(Borrower, User.borrower_id == Borrower.id)
            .where(condition)
            .order_by(User.id)
        )
    )


def find_login_user(identifier: str) -> User | None:
    """The one account a login name belongs to, or None when none or several do."""
    users = find_login_users(identifier)
    return users[0] if len(users) == 1 else None


def _password_context(user: User) -> tuple[str, ...]:
    if user.borrower is not None:
        b = user.borrower
        return (b.phone, b.email or "", b.customer_ref, *[loan.loan_number for loan in b.loans])
    return (user.email or "",)


def _audit_own(user: User, action: str, **extra) -> None:
    """Audit something a user did to their own account."""
    audit.record(
        action,
        subject_type="user",
        subject_id=user.id,
        actor_user_id=user.id,
        borrower_id=user.borrower_id,
        **extra,
    )


def _login_names(user: User) -> list[str]:
    """Every name the account can log in with, normalised."""
    if user.borrower is None:
        return [user.email]
    return [name for name in (user.borrower.phone, user.borrower.email) if name]


def check_new_password(user: User | None, password: str) -> None:
    problem = password_problem(password, context=_password_context(user) if user else ())
    if problem:
        raise PasswordRejected(problem)


# --- logging in and out ---------------------------------------------------------------------


def authenticate(identifier: str, password: str, *, address: str | None) -> User:
    """Return the active account these credentials belong to, or raise."""
    account = normalize_identifier(identifier)
    throttle.check("login", account=account, address=address)
    user = None
    candidates = find_login_users(identifier) or [None]
    for candidate in candidates:
        if verify_password(candidate.password_hash if candidate else None, password):
            user = candidate
            break
    if user is None or not user.is_active:
        throttle.record("login", account=account, address=address)
        raise InvalidCredentials()
    throttle.clear("login", account=account)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_login_session(user: User, *, remember: bool, address: str | None, user_agent: str):
    """Open a server-side login session and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    lifetime = (
        timedelta(days=current_app.config["REMEMBER_COOKIE_DURATION_DAYS"])
        if remember
        else SESSION_LIFETIME
    )
    db.session.add(
        LoginSession(
            user_id=user.id,
            token_hash=_hash_secret("session", token),
            remember=remember,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            ip_address=address,
            user_agent=(user_agent or "")[:200],
        )
    )
    user.last_login_at = now
    user.login_session_token = token
    _audit_own(user, "auth.login")
    db.session.flush()
    return token


@cache  # built once: every request runs it, with only the hash changing
def _login_session_query():
    """One statement for the session, its user and the borrower behind it: every page needs
    them."""
    return (
        sa.select(LoginSession)
        .where(LoginSession.token_hash == sa.bindparam("token_hash"))
        .options(joinedload(LoginSession.user).joinedload(User.borrower))
    )


def load_login_session(token: str) -> User | None:
    """The user of a live login session, or None when it has ended, expired or gone idle."""
    if not token or len(token) > 100:
        return None
    login = db.session.scalar(
        _login_session_query(), {"token_hash": _hash_secret("session", token)}
    )
    now = clock.now()
    if login is None or login.revoked_at is not None or login.expires_at <= now:
        return None
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if not login.remember and login.last_seen_at + idle <= now:
        return None
    user = login.user
    if not user.is_active:
        return None
    if now - login.last_seen_at >= LAST_SEEN_RESOLUTION:
        # Kept when the request succeeds: the request edge commits it with everything else.
        begin_writing()
        login.last_seen_at = now
    user.login_session_token = token
    return user


def end_login_session(token: str | None) -> None:
    """End one login session on the server, so copies of its cookies stop working."""
    if not token:
        return
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.token_hash == _hash_secret("session", token))
        .where(LoginSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def log_out(user: User) -> None:
    """End the user's current login session and record it."""
    end_login_session(user.login_session_token)
    _audit_own(user, "auth.logout")


def end_all_login_sessions(user_id: int) -> None:
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def save_language(user: User, language: str) -> None:
    """Remember the language a logged-in person chose: on the borrower, or on the staff account.

    Every message to them is written in it; a change is audited (the lender's feed reads it).
    """
    holder = user.borrower if user.borrower is not None else user
    if holder.language_chosen_at is None:
        # From now on it is the person's choice: imports no longer change it.
        holder.language_chosen_at = clock.now()
    if holder.preferred_language != language:
        holder.preferred_language = language
        _audit_own(user, "account.language_changed", details={"language": language})
    db.session.flush()


def language_chosen_on_page(user: User, page: PageLanguage | None) -> str | None:
    """The language a person chose on the login or activation page, or None.

    The switcher is always a choice. The browser's language counts only in place of a language
    nobody chose: the imported default (Simplified Chinese), or none at all for staff; a
    language the lender imported for the person, or one they chose, outweighs a browser header.
    """
    if page is None:
        return None
    if page.switched:
        return page.switched
    holder = user.borrower if user.borrower is not None else user
    unchosen = holder.language_chosen_at is None and holder.preferred_language in (
        None,
        DEFAULT_LANGUAGE,
    )
    return page.browser if unchosen else None


def keep_page_language(user: User, page: PageLanguage | None) -> None:
    """On logging in or activating, the language chosen on the page becomes the account's."""
    language = language_chosen_on_page(user, page)
    if language:
        save_language(user, language)


# --- activation -------------------------------------------------------------------------------


def _activation_candidate(loan_number: str, id_last4: str | None = None) -> User | None:
    query = (
        sa.select(User)
        .join(Borrower, User.borrower_id == Borrower.id)
        .join(Loan, Loan.borrower_id == Borrower.id)
        .where(Loan.loan_number == normalize_loan_number(loan_number), User.activated_at.is_(None))
    )
    if id_last4 is not None:
        query = query.where(sa.func.upper(Borrower.id_last4) == id_last4.strip().upper())
    return db.session.scalar(query)


def _deliver(user: User, channel: str, purpose: str, subject: str, body: str) -> None:
    borrower = user.borrower
    if borrower is None:
        outbox.enqueue("email", user.email, subject, body, purpose=purpose, user_id=user.id)
    elif channel == "email" and borrower.email:
        outbox.enqueue("email", borrower.email, subject, body, purpose=purpose, user_id=user.id)
    else:
        outbox.enqueue("sms", borrower.phone, subject, body, purpose=purpose, user_id=user.id)


def _user_language(user: User) -> str:
    if user.borrower is not None:
        return user.borrower.preferred_language
    return user.preferred_language or current_app.config["BABEL_DEFAULT_LOCALE"]


def request_activation_code(
    loan_number: str, id_last4: str, channel: str, *, address, page: PageLanguage | None = None
) -> None:
    """Send a one-time code when the loan number and ID digits match an account not yet active,
    in the language the person chose on the page (`language_chosen_on_page`), else the
    account's.

    Silent when they do not match: the page says the same either way.
    """
    account = normalize_loan_number(loan_number)
    throttle.check("activation", account=account, address=address)
    throttle.check("activation_send", account=account, address=address, limits=throttle.SEND_LIMITS)
    throttle.record("activation_send", account=account, address=address)
    user = _activation_candidate(loan_number, id_last4)
    if user is None:
        throttle.record("activation", account=account, address=address)
        return
    now = clock.now()
    db.session.execute(
        sa.update(VerificationToken)
        .where(
            VerificationToken.user_id == user.id,
            VerificationToken.purpose == TokenPurpose.ACTIVATION,
            VerificationToken.used_at.is_(None),
            VerificationToken.expires_at > now,
        )
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(
        VerificationToken(
            user_id=user.id,
            purpose=TokenPurpose.ACTIVATION,
            secret_hash=_hash_secret(f"activation|{user.id}", code),
            channel=channel,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    with force_locale(language_chosen_on_page(user, page) or _user_language(user)):
        subject = gettext("Your activation code")
        body = gettext(
            "Your borrower portal activation code is %(code)s. It expires in %(minutes)d "
            "minutes. Nobody from the lender will ever ask you for it.",
            code=code,
            minutes=int(CODE_LIFETIME.total_seconds() // 60),
        )
    _deliver(user, channel, "activation_code", subject, body)
    _audit_own(user, "auth.activation_code_sent", details={"channel": channel})


def complete_activation(loan_number: str, code: str, password: str, *, address) -> User:
    """Check the code, set the password and activate the account."""
    account = normalize_loan_number(loan_number)
    throttle.check("activation", account=account, address=address)
    user = _activation_candidate(loan_number)
    now = clock.now()
    token = None
    if user is not None:
        token = db.session.scalar(
            sa.select(VerificationToken)
            .where(
                VerificationToken.user_id == user.id,
                VerificationToken.purpose == TokenPurpose.ACTIVATION,
                VerificationToken.used_at.is_(None),
                VerificationToken.expires_at > now,
                VerificationToken.failed_attempts < CODE_MAX_ATTEMPTS,
            )
            .order_by(VerificationToken.created_at.desc())
            .limit(1)
        )
    expected = token.secret_hash if token else _hash_secret("activation|none", "")
    given = _hash_secret(f"activation|{user.id if user else 0}", code.strip())
    if token is None or not hmac.compare_digest(expected, given):
        if token is not None:
            token.failed_attempts += 1
        throttle.record("activation", account=account, address=address)
        raise InvalidCode()
    check_new_password(user, password)
    token.used_at = now
    _set_password(user, password, now)
    user.activated_at = now
    throttle.clear("activation", account=account)
    _audit_own(user, "auth.activated")
    return user


# --- password reset ---------------------------------------------------------------------------


def request_password_reset(identifier: str, *, address, link_for) -> None:
    """Send a single-use reset link to an active account; silent when none matches.

    `link_for(token)` builds the absolute URL of the reset page.
    """
    account = normalize_identifier(identifier)
    throttle.check("reset_send", account=account, address=address, limits=throttle.SEND_LIMITS)
    throttle.record("reset_send", account=account, address=address)
    user = find_login_user(identifier)
    if user is None or not user.is_active:
        return
    now = clock.now()
    token = secrets.token_urlsafe(32)
    db.session.add(
        VerificationToken(
            user_id=user.id,
            purpose=TokenPurpose.PASSWORD_RESET,
            secret_hash=_hash_secret("reset", token),
            channel="email",
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    with force_locale(_user_language(user)):
        subject = gettext("Reset your password")
        body = gettext(
            "Someone asked to reset the password of your borrower portal account. To choose a "
            "new password, open this link within %(minutes)d minutes: %(link)s\n\nIf it was not "
            "you, ignore this message; your password stays as it is.",
            minutes=int(RESET_LIFETIME.total_seconds() // 60),
            link=link_for(token),
        )
    _deliver(user, "email", "password_reset", subject, body)
    _audit_own(user, "auth.reset_requested")


def valid_reset_token(token: str, *, fresh: bool = False) -> VerificationToken:
    """The unused, unexpired reset token for a link, or InvalidLink. `fresh` reads it again
    from the database rather than from what this request already loaded."""
    if not token or len(token) > 100:
        raise InvalidLink()
    query = sa.select(VerificationToken).where(
        VerificationToken.secret_hash == _hash_secret("reset", token),
        VerificationToken.purpose == TokenPurpose.PASSWORD_RESET,
    )
    if fresh:
        query = query.execution_options(populate_existing=True)
    row = db.session.scalar(query)
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise InvalidLink()
    if not row.user.is_active:
        raise InvalidLink()
    return row


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link, use the link up and end every login.

    The account's row is locked first, so password changes of one account happen one at a
    time: of one link used several times at once, or of two links, the first sets the password
    and ends every other link, and the others then find their link used (InvalidLink)."""
    rows.locked(User, valid_reset_token(token).user_id)
    row = valid_reset_token(token, fresh=True)
    user = row.user
    check_new_password(user, password)
    now = clock.now()
    row.used_at = now
    _set_password(user, password, now)
    end_all_login_sessions(user.id)
    for name in _login_names(user):
        throttle.clear("login", account=name)
    _audit_own(user, "auth.password_reset")
    return user


def _set_password(user: User, password: str, now) -> None:
    """Change the password; every reset link still outstanding ends with the old password."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    db.session.execute(
        sa.update(VerificationToken)
        .where(
            VerificationToken.user_id == user.id,
            VerificationToken.purpose == TokenPurpose.PASSWORD_RESET,
            VerificationToken.used_at.is_(None),
            VerificationToken.expires_at > now,
        )
        .values(expires_at=now)
    )


# --- staff accounts ---------------------------------------------------------------------------


def create_staff_user(email: str, display_name: str, role: str, password: str) -> User:
    """Create an active staff account with a role."""
    if role not in STAFF_ROLES:
        raise StaffAccountError("unknown_role", "role", roles=", ".join(STAFF_ROLES))
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise StaffAccountError("invalid_email", "email")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise StaffAccountError("email_taken", "email", email=email)
    problem = password_problem(password, context=(email,))
    if problem:
        raise StaffAccountError("weak_password", "password", problem=problem)
    now = clock.now()
    user = User(
        role=Role(role).value,
        email=email,
        display_name=display_name.strip()[:100] or email,
        password_hash=hash_password(password),
        activated_at=now,
        password_changed_at=now,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "staff.created", subject_type="user", subject_id=user.id, details={"role": user.role}
    )
    return user
