"""Settings read from the environment.

Every setting a deployment may change is listed here and in README.md. Production refuses to
start on unsafe settings instead of silently using a fallback.
"""

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal.auth.secret_box import parse_keys
from portal.clock import DEFAULT_BUSINESS_TIME_ZONE
from portal.storage import parse_storage_url

INSECURE_KEYS = {"", "dev", "changeme", "secret", "development"}


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the portal can run with."""


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from error


# The lender the portal belongs to, as development and the demo name it. A deployment names its
# own (production refuses to start without): a portal that cannot say whose it is, and how to
# reach them by phone, cannot be told apart from a scam.
DEMO_LENDER = {
    "LENDER_NAME": "示例消费金融有限公司",
    "LENDER_NAME_ZH_HANT": "示例消費金融有限公司",
    "LENDER_NAME_EN": "Example Consumer Finance Co., Ltd.",
    "LENDER_PHONE": "400-800-1234",
    "LENDER_HOURS": "每天 09:00–21:00",
    "LENDER_HOURS_ZH_HANT": "每天 09:00–21:00",
    "LENDER_HOURS_EN": "Every day, 09:00–21:00",
}


def _lender(production: bool) -> dict:
    """The lender's name and hours in each language (each falls back on the Simplified Chinese
    one), and its customer service number."""

    def read(name):
        value = os.environ.get(name, "").strip()
        return value or ("" if production else DEMO_LENDER[name])

    if production and not (read("LENDER_NAME") and read("LENDER_PHONE")):
        raise ConfigError(
            "LENDER_NAME and LENDER_PHONE must be set in production: every public page names "
            "the lender and its customer service number."
        )
    name, hours = read("LENDER_NAME"), read("LENDER_HOURS")
    return {
        "LENDER_NAME": {
            "zh_Hans": name,
            "zh_Hant": read("LENDER_NAME_ZH_HANT") or name,
            "en": read("LENDER_NAME_EN") or name,
        },
        "LENDER_PHONE": read("LENDER_PHONE"),
        "LENDER_HOURS": {
            "zh_Hans": hours,
            "zh_Hant": read("LENDER_HOURS_ZH_HANT") or hours,
            "en": read("LENDER_HOURS_EN") or hours,
        },
    }


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from the environment."""
    # Production unless told otherwise: a deployment that forgets PORTAL_ENV gets secure
    # cookies and no development pages, never the development outbox.
    env = os.environ.get("PORTAL_ENV", "production").strip().lower()
    if env not in {"development", "production"}:
        raise ConfigError(f"PORTAL_ENV must be 'development' or 'production', not {env!r}")
    production = env == "production"

    secret_key = os.environ.get("SECRET_KEY", "")
    if production:
        if secret_key.strip().lower() in INSECURE_KEYS or len(secret_key) < 32:
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least 32 characters in "
                "production (for example: "
                "python -c 'import secrets; print(secrets.token_hex(32))'). Production is "
                "the default: on a development machine set PORTAL_ENV=development."
            )
    elif not secret_key:
        # A per-process random key: sessions end on restart, which is fine for development.
        secret_key = secrets.token_hex(32)

    if (
        production
        and os.environ.get("STRIPE_SECRET_KEY")
        and not os.environ.get("STRIPE_WEBHOOK_SECRET")
    ):
        raise ConfigError(
            "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is: without it no "
            "payment can be confirmed by webhook."
        )

    try:
        totp_keys = parse_keys(os.environ.get("TOTP_ENCRYPTION_KEY", ""))
    except ValueError as error:
        raise ConfigError(f"TOTP_ENCRYPTION_KEY: {error}") from error

    business_time_zone = os.environ.get("BUSINESS_TIME_ZONE", DEFAULT_BUSINESS_TIME_ZONE).strip()
    try:
        ZoneInfo(business_time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(
            f"BUSINESS_TIME_ZONE must be a time zone name such as Asia/Shanghai, "
            f"not {business_time_zone!r}"
        ) from error

    lender = _lender(production)
    storage_url = os.environ.get("STORAGE_URL", "").strip()
    if storage_url:
        try:
            parse_storage_url(storage_url)
        except ValueError as error:
            raise ConfigError(str(error)) from error

    default_db = "sqlite:///" + str(Path(instance_path) / "portal.sqlite3")
    database_url = os.environ.get("DATABASE_URL", default_db)
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    return {
        "PORTAL_ENV": env,
        "PRODUCTION": production,
        "SECRET_KEY": secret_key,
        # Fernet keys of the staff TOTP secrets (the first encrypts); see auth/secret_box.py.
        "TOTP_ENCRYPTION_KEYS": totp_keys,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Outbox: SMTP delivery when MAIL_SERVER is set, otherwise messages wait in the outbox.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "portal@localhost"),
        "MAIL_TIMEOUT_SECONDS": _int("MAIL_TIMEOUT_SECONDS", 10),
        # SMS through an HTTP gateway that takes {"to": ..., "text": ...} as JSON.
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL", ""),
        "SMS_GATEWAY_TOKEN": os.environ.get("SMS_GATEWAY_TOKEN", ""),
        # Stripe (Checkout Sessions). Without a secret key, development offers a marked
        # development payment path instead; production then has no online payment.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "STRIPE_PAYMENT_METHODS": os.environ.get(
            "STRIPE_PAYMENT_METHODS", "card,alipay,wechat_pay"
        ),
        "PAYMENT_MIN_MINOR": _int("PAYMENT_MIN_MINOR", 1000),
        # Public address used in e-mailed links (password reset).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        "DEV_OUTBOX_PAGE": (not production) and _bool("DEV_OUTBOX_PAGE", True),
        # Cookies: Secure in production (served behind HTTPS).
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION_DAYS": _int("REMEMBER_COOKIE_DURATION_DAYS", 30),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # Uploaded documents live outside the static folder (default: instance/uploads).
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", ""),
        # Or in S3-compatible object storage, shared by every app server (portal/storage.py);
        # boto3 reads the credentials from its usual places (AWS_ACCESS_KEY_ID, a role...).
        "STORAGE_URL": storage_url,
        "STORAGE_ENDPOINT_URL": os.environ.get("STORAGE_ENDPOINT_URL", "").strip(),
        "STORAGE_REGION": os.environ.get("STORAGE_REGION", "").strip(),
        "STORAGE_TIMEOUT_SECONDS": _int("STORAGE_TIMEOUT_SECONDS", 10),
        "WTF_CSRF_TIME_LIMIT": None,
        # Every validator carries its own translated message.
        "WTF_I18N_ENABLED": False,
        "TRUSTED_PROXY_COUNT": _int("TRUSTED_PROXY_COUNT", 0),
        # Password hashing (Argon2id). The defaults follow OWASP's recommendation.
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_KIB": _int("ARGON2_MEMORY_KIB", 64 * 1024),
        "ARGON2_PARALLELISM": _int("ARGON2_PARALLELISM", 1),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        # The lender's time zone: staff pages, business deadlines, borrowers without their own.
        "BUSINESS_TIME_ZONE": business_time_zone,
        # The lender, named on every borrower and public page and on receipts.
        **lender,
        "BABEL_DEFAULT_TIMEZONE": business_time_zone,
        # The compiled catalogs ship inside the package (built with it; bin/test and
        # bin/demo compile them in place for development).
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
    }
