"""The staff second factor: TOTP enrolment, codes at login, recovery codes, re-authentication.

Every staff account needs a second factor: an account without one reaches only the enrolment
page (security.role_required sends it there). Staff log in with their password, then a code
from their authenticator app or one of ten single-use recovery codes. Sensitive administrator
actions ask for both factors again when the last proof is older than REAUTH_WINDOW.

Wrong codes count towards the same temporary lockouts as wrong passwords (throttle.py). A code
is accepted once: the time step of the last accepted code is kept on the account.
Functions flush and never commit (the request edge commits).
"""

from __future__ import annotations

import base64
import hmac
import io
import re
import secrets
from datetime import timedelta

import pyotp
import segno
import sqlalchemy as sa

from portal import audit, clock
from portal.auth import secret_box, throttle
from portal.auth.models import LoginSession, RecoveryCode, User
from portal.auth.passwords import verify_password
from portal.auth.service import InvalidCredentials, _hash_secret
from portal.errors import DomainError
from portal.extensions import db

ISSUER = "Borrower portal"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
REAUTH_WINDOW = timedelta(minutes=15)
SECOND_STEP_LIFETIME = timedelta(minutes=5)
THROTTLE_ACTION = "second_factor"


class InvalidFactorCode(DomainError):
    """The code from the authenticator app (or the recovery code) is not right."""

    def __init__(self):
        super().__init__("invalid_factor_code", field="code")


def needs_enrolment(user) -> bool:
    """True for a staff account that has no confirmed second factor yet."""
    return user.is_staff and user.totp_enrolled_at is None


# --- enrolment --------------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being enrolled: a new one at the first visit, the same one until confirmed."""
    if user.totp_enrolled_at is not None:
        raise ValueError("the second factor is already enrolled")
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code of `text` as a data: URI for an <img> (CSP allows img-src data:)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def confirm_enrolment(user: User, code: str, *, address: str | None) -> list[str]:
    """Confirm the pending secret with a first code; returns the new recovery codes (once)."""
    _check_code(user, code, address=address, recovery_allowed=False)
    user.totp_enrolled_at = clock.now()
    codes = _new_recovery_codes(user)
    _audit(user, "auth.second_factor_enrolled")
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_secret("recovery", raw)))
    db.session.flush()
    return codes


def reset(user: User) -> None:
    """Forget a staff member's second factor and recovery codes; they enrol again."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def reencrypt_secrets() -> int:
    """Encrypt every stored TOTP secret with the first key (after a key rotation)."""
    users = db.session.scalars(sa.select(User).where(User.totp_secret_encrypted.is_not(None)))
    count = 0
    for user in users:
        user.totp_secret_encrypted = secret_box.reencrypt(user.totp_secret_encrypted)
        count += 1
    db.session.flush()
    return count


# --- checking codes ---------------------------------------------------------------------------


def _totp_matches(user: User, code: str) -> bool:
    """True when the code is the one of the current time step (or a neighbour) not used before."""
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(clock.now())
    for step in (current - 1, current, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def _recovery_code_matches(user: User, code: str) -> bool:
    raw = re.sub(r"[\s-]", "", code).lower()
    if not raw or len(raw) > 20:
        return False
    row = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_secret("recovery", raw),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = clock.now()
    _audit(user, "auth.recovery_code_used", remaining=remaining_recovery_codes(user) - 1)
    return True


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _check_code(
    user: User, code: str, *, address: str | None, recovery_allowed: bool = True
) -> None:
    """Accept a TOTP code (or a recovery code) or count a failure and raise."""
    account = user.email
    throttle.check(THROTTLE_ACTION, account=account, address=address)
    code = (code or "").strip()
    ok = user.totp_secret_encrypted is not None and (
        (re.fullmatch(r"[0-9]{6}", code) and _totp_matches(user, code))
        or (recovery_allowed and _recovery_code_matches(user, code))
    )
    if not ok:
        throttle.record(THROTTLE_ACTION, account=account, address=address)
        raise InvalidFactorCode()
    throttle.clear(THROTTLE_ACTION, account=account)
    db.session.flush()


def second_step_user(user_id: int) -> User | None:
    """The account a pending second login step belongs to, while it may still log in."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not user.is_staff or user.totp_enrolled_at is None:
        return None
    return user


def complete_login(user: User, code: str, *, address: str | None) -> None:
    """The second login step: a code from the app or a recovery code."""
    _check_code(user, code, address=address)


# --- re-authentication ------------------------------------------------------------------------


def _login_session(user: User) -> LoginSession | None:
    token = user.login_session_token
    if not token:
        return None
    return db.session.scalar(
        sa.select(LoginSession).where(LoginSession.token_hash == _hash_secret("session", token))
    )


def mark_reauthenticated(user: User) -> None:
    login = _login_session(user)
    if login is not None:
        login.reauthenticated_at = clock.now()
        db.session.flush()


def recently_reauthenticated(user: User) -> bool:
    login = _login_session(user)
    return (
        login is not None
        and login.reauthenticated_at is not None
        and login.reauthenticated_at > clock.now() - REAUTH_WINDOW
    )


def reauthenticate(user: User, password: str, code: str, *, address: str | None) -> None:
    """Prove both factors again within a login session, for sensitive actions."""
    throttle.check("login", account=user.email, address=address)
    if not verify_password(user.password_hash, password):
        throttle.record("login", account=user.email, address=address)
        raise InvalidCredentials()
    _check_code(user, code, address=address)
    mark_reauthenticated(user)
    _audit(user, "auth.reauthenticated")


def _audit(user: User, action: str, **details) -> None:
    audit.record(
        action, subject_type="user", subject_id=user.id, actor_user_id=user.id, details=details
    )
