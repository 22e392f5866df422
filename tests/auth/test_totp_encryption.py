"""The staff TOTP secrets are encrypted at rest; a changed key is a clear error, and rotates."""

import pyotp
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade

from portal import ConfigError, create_app
from portal.auth import secret_box
from portal.auth.models import User
from portal.auth.second_factor import reencrypt_secrets
from portal.extensions import db
from tests.conftest import TEST_CONFIG
from tests.helpers import STAFF_TOTP_SECRET, log_in


def _stored(user_id):
    return db.session.execute(
        sa.text("SELECT totp_secret_encrypted FROM users WHERE id = :id"), {"id": user_id}
    ).scalar_one()


def test_the_stored_column_holds_no_secret_and_staff_still_log_in(app, client, make_staff):
    staff = make_staff("support")
    with app.app_context():
        stored = _stored(staff.user_id)
        assert stored and STAFF_TOTP_SECRET not in stored
        assert "totp_secret" not in {
            c["name"] for c in sa.inspect(db.session.connection()).get_columns("users")
        }
        assert secret_box.decrypt(stored) == STAFF_TOTP_SECRET
    response = log_in(client, staff.email)  # password, then a code from the secret
    assert response.status_code == 302
    assert client.get("/staff/complaints/").status_code == 200


def test_enrolment_stores_the_new_secret_encrypted(app, client, make_staff):
    staff = make_staff("support", enrolled=False)
    log_in(client, staff.email)
    page = client.get("/staff/second-factor").text
    import re

    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.post("/staff/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    with app.app_context():
        stored = _stored(staff.user_id)
        assert secret not in stored
        assert db.session.get(User, staff.user_id).totp_secret == secret


def test_a_wrong_key_is_a_clear_error(app, monkeypatch):
    with app.app_context():
        monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [Fernet.generate_key().decode()])
        user = User(role="support")
        user.totp_secret = STAFF_TOTP_SECRET
        monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [Fernet.generate_key().decode()])
        with pytest.raises(secret_box.TotpKeyError, match="TOTP_ENCRYPTION_KEY"):
            user.totp_secret  # noqa: B018


def test_a_secret_encrypted_with_the_key_from_secret_key_stays_readable_with_a_new_key(
    app, monkeypatch
):
    with app.app_context():
        monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [])
        user = User(role="support")
        user.totp_secret = STAFF_TOTP_SECRET
        monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [Fernet.generate_key().decode()])
        assert user.totp_secret == STAFF_TOTP_SECRET


def test_a_key_is_rotated_by_putting_the_new_one_first_and_reencrypting(
    app, make_staff, monkeypatch
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [old])
    staff = make_staff("approver")
    with app.app_context():
        before = _stored(staff.user_id)
        assert Fernet(old).decrypt(before.encode()).decode() == STAFF_TOTP_SECRET
        monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [new, old])
        assert reencrypt_secrets() >= 1
        db.session.commit()
        after = _stored(staff.user_id)
        assert Fernet(new).decrypt(after.encode()).decode() == STAFF_TOTP_SECRET
        monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [new])
        assert db.session.get(User, staff.user_id).totp_secret == STAFF_TOTP_SECRET


def test_the_reencrypt_command_reports_a_wrong_key(app, runner, make_staff, monkeypatch):
    make_staff("admin")
    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [Fernet.generate_key().decode()])
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-that-is-long-enough-000")
    result = runner.invoke(args=["portal", "reencrypt-totp-secrets"])
    assert result.exit_code != 0
    assert "cannot be decrypted" in result.output


@pytest.mark.parametrize("value", ["not-a-key", "x" * 44, "a,b"])
def test_a_malformed_key_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("TOTP_ENCRYPTION_KEY", value)
    with pytest.raises(ConfigError, match="TOTP_ENCRYPTION_KEY: key 1 is not a Fernet key"):
        create_app()


def test_the_keys_are_read_from_the_environment(monkeypatch):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("TOTP_ENCRYPTION_KEY", f" {first} , {second} ")
    assert create_app().config["TOTP_ENCRYPTION_KEYS"] == [first, second]


def test_the_migration_encrypts_the_secrets_held_in_clear_and_back(tmp_path):
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"}
    )
    with app.app_context():
        upgrade(revision="0014_promise_rules_effective")
        db.session.execute(
            sa.text(
                "INSERT INTO users (role, email, totp_secret, created_at) "
                "VALUES ('support', 's@staff.example', :secret, '2026-11-20 02:00:00')"
            ),
            {"secret": STAFF_TOTP_SECRET},
        )
        db.session.commit()
        upgrade(revision="0021_totp_encrypted")
        stored = _stored(1)
        assert STAFF_TOTP_SECRET not in stored
        assert db.session.get(User, 1).totp_secret == STAFF_TOTP_SECRET
        db.session.remove()
        downgrade(revision="0014_promise_rules_effective")
        assert (
            db.session.execute(sa.text("SELECT totp_secret FROM users")).scalar_one()
            == STAFF_TOTP_SECRET
        )
        db.session.remove()
        db.engine.dispose()
