"""Staff accounts managed by administrators: invite, change role, disable, reset the second factor.

An invitation creates the account without a password and e-mails a single-use link (a
VerificationToken, as for password resets) through which the invitee chooses their password;
they enrol their second factor at their first login. Every action is audited. Functions flush
and never commit.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from portal import audit, clock
from portal.auth import second_factor
from portal.auth.models import TokenPurpose, User, VerificationToken
from portal.auth.passwords import hash_password, password_problem
from portal.auth.service import (
    InvalidLink,
    PasswordRejected,
    _hash_secret,
    end_all_login_sessions,
)
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.outbox import service as outbox
from portal.security import STAFF_ROLES, Role
from portal.translate import gettext

INVITATION_LIFETIME = timedelta(days=3)


class StaffAdminError(DomainError):
    """An administrator's action on a staff account is refused (labels.MESSAGES)."""


def staff_accounts() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.role, User.email)
        )
    )


def status_of(user: User) -> str:
    if user.disabled_at is not None:
        return "disabled"
    if user.activated_at is None:
        return "invited"
    if user.totp_enrolled_at is None:
        return "no_second_factor"
    return "active"


def _staff(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound()
    return user


def _not_self(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise StaffAdminError("own_account")


def _audit(action: str, user: User, **details) -> None:
    audit.record(action, subject_type="user", subject_id=user.id, details=details)


def invite(email: str, display_name: str, role: str, *, link_for) -> User:
    """Create an account without a password and e-mail the invitee a link to choose one."""
    if role not in STAFF_ROLES:
        raise StaffAdminError("unknown_role", "role")
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise StaffAdminError("invalid_email", "email")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise StaffAdminError("email_taken", "email")
    user = User(
        role=Role(role).value, email=email, display_name=display_name.strip()[:100] or email
    )
    db.session.add(user)
    db.session.flush()
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        VerificationToken(
            user_id=user.id,
            purpose=TokenPurpose.INVITATION,
            secret_hash=_hash_secret("invitation", token),
            channel="email",
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    subject = gettext("Your staff account in the borrower portal")
    body = gettext(
        "An administrator has opened a staff account for you. To choose your password, open "
        "this link within %(days)d days: %(link)s\n\nAt your first login you will set up a "
        "second factor with an authenticator app.",
        days=INVITATION_LIFETIME.days,
        link=link_for(token),
    )
    outbox.enqueue("email", email, subject, body, purpose="staff_invitation", user_id=user.id)
    _audit("staff.invited", user, role=user.role)
    return user


def valid_invitation(token: str) -> VerificationToken:
    """The unused, unexpired invitation of an account not yet active, or InvalidLink."""
    if not token or len(token) > 100:
        raise InvalidLink()
    row = db.session.scalar(
        sa.select(VerificationToken).where(
            VerificationToken.secret_hash == _hash_secret("invitation", token),
            VerificationToken.purpose == TokenPurpose.INVITATION,
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise InvalidLink()
    if row.user.activated_at is not None or row.user.disabled_at is not None:
        raise InvalidLink()
    return row


def accept_invitation(token: str, password: str) -> User:
    """Choose the password through an invitation link, which is then used up."""
    row = valid_invitation(token)
    user = row.user
    problem = password_problem(password, context=(user.email,))
    if problem:
        raise PasswordRejected(problem)
    now = clock.now()
    row.used_at = now
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.activated_at = now
    audit.record(
        "staff.invitation_accepted", subject_type="user", subject_id=user.id, actor_user_id=user.id
    )
    return user


def change_role(actor: User, user_id: int, role: str) -> User:
    user = _staff(user_id)
    _not_self(actor, user)
    if role not in STAFF_ROLES:
        raise StaffAdminError("unknown_role", "role")
    if role != user.role:
        _audit("staff.role_changed", user, before=user.role, after=role)
        user.role = Role(role).value
        db.session.flush()
    return user


def disable(actor: User, user_id: int) -> User:
    """Disable an account and end every one of its login sessions at once."""
    user = _staff(user_id)
    _not_self(actor, user)
    if user.disabled_at is None:
        user.disabled_at = clock.now()
        end_all_login_sessions(user.id)
        _audit("staff.disabled", user)
        db.session.flush()
    return user


def reset_second_factor(actor: User, user_id: int) -> User:
    """Forget the account's second factor (lost phone): it enrols again at its next login."""
    user = _staff(user_id)
    _not_self(actor, user)
    second_factor.reset(user)
    end_all_login_sessions(user.id)
    _audit("staff.second_factor_reset", user)
    return user
