"""staff TOTP secrets encrypted at rest

Revision ID: 0021_totp_encrypted
Revises: 0014_promise_rules_effective
Create Date: 2026-11-30 02:00:00

The secrets held in clear are encrypted with the first key of TOTP_ENCRYPTION_KEY (or the key
derived from SECRET_KEY), as portal/auth/secret_box.py does; the clear column is dropped.
The key derivation is repeated here so that this migration keeps working if that module changes.
"""

import base64

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

revision = "0021_totp_encrypted"
down_revision = "0014_promise_rules_effective"
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("totp_secret", sa.String),
    sa.column("totp_secret_encrypted", sa.String),
)


def _box() -> MultiFernet:
    config = current_app.config
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"borrower-portal",
        info=b"totp-secret-encryption",
    ).derive(config["SECRET_KEY"].encode())
    keys = [Fernet(key) for key in config.get("TOTP_ENCRYPTION_KEYS", [])]
    keys.append(Fernet(base64.urlsafe_b64encode(derived)))
    return MultiFernet(keys)


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_encrypted", sa.String(length=255), nullable=True))
    bind = op.get_bind()
    box = _box()
    rows = bind.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    for user_id, secret in rows:
        bind.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(totp_secret_encrypted=box.encrypt(secret.encode()).decode("ascii"))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_secret")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    box = _box()
    rows = bind.execute(
        sa.select(users.c.id, users.c.totp_secret_encrypted).where(
            users.c.totp_secret_encrypted.is_not(None)
        )
    ).all()
    for user_id, token in rows:
        try:
            secret = box.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            raise RuntimeError(
                f"The TOTP secret of user {user_id} cannot be decrypted: TOTP_ENCRYPTION_KEY "
                "(or SECRET_KEY) is not the key it was encrypted with."
            ) from None
        bind.execute(users.update().where(users.c.id == user_id).values(totp_secret=secret))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_secret_encrypted")
