"""Accounts, login sessions, one-time secrets and failed attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.auth import secret_box
from portal.columns import UTCDateTime
from portal.extensions import db
from portal.security import STAFF_ROLES


class User(UserMixin, db.Model):
    """Someone who can log in: a borrower (linked to their borrower record) or a staff member."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('borrower', 'support', 'approver', 'admin')", name="role_known"
        ),
        sa.CheckConstraint(
            "(role = 'borrower') = (borrower_id IS NOT NULL)", name="borrower_link_matches_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    # Staff log in with their e-mail; borrowers with the phone or e-mail on their borrower record.
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(100))
    borrower_id: Mapped[int | None] = mapped_column(sa.ForeignKey("borrowers.id"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    preferred_language: Mapped[str | None] = mapped_column(sa.String(8))
    # When the person first chose their language in the portal (None: never; then the lender's
    # import, or their browser, may still set it).
    language_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The second factor (staff): a TOTP secret, set when enrolment starts and shown only until
    # the first code confirms it; the last time step accepted, so no code works twice.
    # Stored encrypted (secret_box); read and set it as `totp_secret`.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    borrower = relationship("Borrower", back_populates="user")

    # Set by the user loader to the login session this request runs under.
    login_session_token = None

    @property
    def totp_secret(self) -> str | None:
        """The TOTP secret in clear; TotpKeyError when the configured key cannot decrypt it."""
        if self.totp_secret_encrypted is None:
            return None
        return secret_box.decrypt(self.totp_secret_encrypted)

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        self.totp_secret_encrypted = None if secret is None else secret_box.encrypt(secret)

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None and self.disabled_at is None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the session and remember cookies: a per-login token rather
        # than the user id, so that ending the login session on the server ends every copy.
        return self.login_session_token


class LoginSession(db.Model):
    """One login of one user; the cookie holds its token, the database can end it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the user last proved both factors again in this session (sensitive staff actions).
    reauthenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship()


class TokenPurpose(StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret
    INVITATION = "invitation"


class VerificationToken(db.Model):
    """A one-time secret sent to the borrower: an activation code or a password reset link."""

    __tablename__ = "verification_tokens"
    __table_args__ = (sa.Index("ix_verification_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(sa.String(24))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()


class AuthFailure(db.Model):
    """A failed login, activation or reset attempt, counted for temporary lockouts.

    The key is a hash of the typed account name or of the client address, so the table holds
    no personal data in the clear and names that match no account lock just the same.
    """

    __tablename__ = "auth_failures"
    __table_args__ = (sa.Index("ix_auth_failures_lookup", "action", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class RecoveryCode(db.Model):
    """One single-use recovery code of a staff account's second factor, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
