"""Staff second factor: enrolment, login with a code, lockout, recovery codes, enrolment only."""

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.auth.models import RecoveryCode, User
from portal.extensions import db
from tests.helpers import STAFF_TOTP_SECRET, TEST_PASSWORD, log_in, totp_code


@pytest.fixture
def client(app):
    """A client that reads the pages in English."""
    client = app.test_client()
    client.post("/language", data={"language": "en"})
    return client


def _password_step(client, email):
    return client.post("/login", data={"identifier": email, "password": TEST_PASSWORD})


def _enrol(client, app, user_id):
    page = client.get("/staff/second-factor")
    assert page.status_code == 200
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    assert 'src="data:image/svg+xml;base64,' in page.text
    response = client.post("/staff/second-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.text)
    return secret, codes


def test_an_unenrolled_staff_account_reaches_only_the_enrolment_page(client, make_staff):
    staff = make_staff("support", enrolled=False)
    response = log_in(client, staff.email)
    assert response.status_code == 302
    for path in ("/staff/", "/staff/complaints/", "/staff/borrowers", "/staff/confirm"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.endswith("/staff/second-factor"), path
    assert client.get("/staff/second-factor").status_code == 200


def test_enrolment_shows_the_key_once_and_turns_the_second_factor_on(app, client, make_staff):
    staff = make_staff("support", enrolled=False)
    log_in(client, staff.email)
    first = client.get("/staff/second-factor").text
    again = client.get("/staff/second-factor").text
    key = re.search(r'id="totp-secret">([A-Z2-7]+)<', first).group(1)
    assert key in again  # the same pending key until it is confirmed
    wrong = client.post("/staff/second-factor", data={"code": "000000"})
    assert "This code is not right" in wrong.text
    secret, codes = _enrol(client, app, staff.user_id)
    assert secret == key
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        user = db.session.get(User, staff.user_id)
        assert user.totp_enrolled_at is not None
        stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)
        assert db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "auth.second_factor_enrolled")
        )
    # Enrolled: the staff pages open, and the enrolment page shows the key no more.
    assert client.get("/staff/complaints/").status_code == 200
    response = client.get("/staff/second-factor")
    assert response.status_code == 302 and key not in response.text


def test_staff_log_in_with_password_then_code(client, make_staff):
    staff = make_staff("support")
    response = _password_step(client, staff.email)
    assert response.location.endswith("/login/code")
    # The password alone opens nothing.
    assert client.get("/staff/complaints/").status_code == 302
    assert "/login" in client.get("/staff/complaints/").location
    response = client.post("/login/code", data={"code": totp_code()})
    assert response.status_code == 302
    assert client.get("/staff/complaints/").status_code == 200


def test_a_code_works_only_once(client, app, make_staff):
    staff = make_staff("support")
    code = totp_code()
    _password_step(client, staff.email)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()
    other.post("/language", data={"language": "en"})
    _password_step(other, staff.email)
    response = other.post("/login/code", data={"code": code})
    assert response.status_code == 200
    assert "This code is not right, or it has been used already." in response.text


def test_wrong_codes_lock_the_second_step(client, clock, make_staff):
    staff = make_staff("support")
    _password_step(client, staff.email)
    for _ in range(5):
        response = client.post("/login/code", data={"code": "123456"})
        assert "This code is not right" in response.text
    response = client.post("/login/code", data={"code": totp_code()})
    assert "Too many attempts" in response.text
    clock.shift(timedelta(minutes=16))
    _password_step(client, staff.email)
    assert client.post("/login/code", data={"code": totp_code()}).status_code == 302


def test_a_recovery_code_logs_in_once(app, client, make_staff):
    staff = make_staff("admin", enrolled=False)
    log_in(client, staff.email)
    _secret, codes = _enrol(client, app, staff.user_id)
    client.post("/logout")
    _password_step(client, staff.email)
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    client.post("/logout")
    _password_step(client, staff.email)
    response = client.post("/login/code", data={"code": codes[0]})
    assert response.status_code == 200
    assert "This code is not right" in response.text
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 302


def test_the_second_step_expires(client, clock, make_staff):
    staff = make_staff("support")
    _password_step(client, staff.email)
    clock.shift(timedelta(minutes=6))
    response = client.post("/login/code", data={"code": totp_code()})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert client.get("/staff/complaints/").status_code == 302


def test_borrowers_keep_password_login(client, make_borrower):
    record = make_borrower()
    response = log_in(client, record.phone)
    assert response.status_code == 302 and not response.location.endswith("/login/code")


def test_the_factory_secret_is_the_one_enrolled(app, make_staff):
    staff = make_staff("approver")
    with app.app_context():
        assert db.session.get(User, staff.user_id).totp_secret == STAFF_TOTP_SECRET
