"""Encryption at rest of the staff second factor's TOTP secrets.

A TOTP secret must be readable by the portal (it computes the expected code), so it cannot be
hashed like a password or a recovery code; it is encrypted instead, with Fernet (AES-128-CBC
and HMAC-SHA256, from `cryptography`). A copy of the database alone then yields no secret.

The keys come from TOTP_ENCRYPTION_KEY: one or more Fernet keys separated by commas. The first
one encrypts; every one of them decrypts, so a key is rotated by putting the new key first,
running `flask portal reencrypt-totp-secrets`, then removing the old key. A key derived from
SECRET_KEY is always tried last (and is the only key when TOTP_ENCRYPTION_KEY is not set).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

WRONG_KEY = (
    "A staff account's TOTP secret cannot be decrypted with the configured keys: "
    "TOTP_ENCRYPTION_KEY (or SECRET_KEY, when TOTP_ENCRYPTION_KEY is not set) is not the key "
    "it was encrypted with. Put the previous key back (after a new one, separated by a comma), "
    "run `flask portal reencrypt-totp-secrets`, and only then remove it. If the key is lost, "
    "reset the second factor of the staff accounts concerned; they enrol again."
)


class TotpKeyError(RuntimeError):
    """The configured keys do not decrypt a stored TOTP secret (the key changed or is lost)."""

    def __init__(self):
        super().__init__(WRONG_KEY)


def parse_keys(value: str) -> list[str]:
    """The Fernet keys in a TOTP_ENCRYPTION_KEY value; ValueError names a malformed one."""
    keys = [part.strip() for part in value.split(",") if part.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"key {position} is not a Fernet key (32 bytes, URL-safe base64; make one with "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from error
    return keys


def key_from_secret_key(secret_key: str) -> bytes:
    """A Fernet key derived from SECRET_KEY with HKDF, used only for TOTP secrets."""
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"borrower-portal",
        info=b"totp-secret-encryption",
    ).derive(secret_key.encode())
    return base64.urlsafe_b64encode(derived)


def _box() -> MultiFernet:
    config = current_app.config
    keys = [Fernet(key) for key in config.get("TOTP_ENCRYPTION_KEYS", [])]
    keys.append(Fernet(key_from_secret_key(config["SECRET_KEY"])))
    return MultiFernet(keys)


def encrypt(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _box().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise TotpKeyError() from None


def reencrypt(token: str) -> str:
    """The same secret encrypted with the first (newest) key."""
    try:
        return _box().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise TotpKeyError() from None
