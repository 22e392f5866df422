"""Administrators manage staff accounts: invite, change role, disable, reset the second factor."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.auth.models import LoginSession, User
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from tests.helpers import TEST_PASSWORD, log_in, totp_code

NEW_PASSWORD = "a long staff pass phrase"


@pytest.fixture
def admin(app, client, login_as):
    client.post("/language", data={"language": "en"})
    return login_as("admin")


def _actions(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def _invitation_link(app, email):
    with app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMessage.body).where(OutboxMessage.recipient == email)
        )
    return re.search(r"https?://\S+(/invitation/\S+)", body).group(1)


def test_the_list_shows_status_and_last_login(client, admin, make_staff):
    make_staff("support", "never@staff.example", enrolled=False)
    page = client.get("/staff/admin/accounts")
    assert page.status_code == 200
    assert "never@staff.example" in page.text
    assert "No second factor yet" in page.text and "Never" in page.text


def test_an_invitee_sets_a_password_once_and_enrols(app, client, admin):
    response = client.post(
        "/staff/admin/accounts/invite",
        data={"email": "New@Staff.example", "display_name": "Wang", "role": "support"},
    )
    assert response.status_code == 302
    link = _invitation_link(app, "new@staff.example")
    assert _actions(app, "staff.invited")[0].details == {"role": "support"}
    invitee = app.test_client()
    assert invitee.get(link).status_code == 200
    response = invitee.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert invitee.get(link).status_code == 410  # single use
    log_in(invitee, "new@staff.example", NEW_PASSWORD)
    assert invitee.get("/staff/complaints/").location.endswith("/staff/second-factor")
    assert _actions(app, "staff.invitation_accepted")


def test_an_invitation_expires(app, client, admin, clock):
    client.post(
        "/staff/admin/accounts/invite", data={"email": "late@staff.example", "role": "support"}
    )
    link = _invitation_link(app, "late@staff.example")
    clock.shift(timedelta(days=3, minutes=1))
    assert app.test_client().get(link).status_code == 410


def test_an_invitation_to_a_known_address_is_refused(client, admin, make_staff):
    make_staff("support", "taken@staff.example")
    response = client.post(
        "/staff/admin/accounts/invite", data={"email": "taken@staff.example", "role": "support"}
    )
    assert response.status_code == 200
    assert "An account with this e-mail address exists already." in response.text


def test_change_role(app, client, admin, make_staff):
    other = make_staff("support")
    response = client.post(f"/staff/admin/accounts/{other.user_id}/role", data={"role": "approver"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, other.user_id).role == "approver"
    assert _actions(app, "staff.role_changed")[0].details == {
        "before": "support",
        "after": "approver",
    }


def test_an_administrator_cannot_change_their_own_account(app, client, admin):
    client.post(f"/staff/admin/accounts/{admin.user_id}/role", data={"role": "support"})
    client.post(f"/staff/admin/accounts/{admin.user_id}/disable")
    page = client.get("/staff/admin/accounts")
    assert "You cannot do this to your own account" in page.text
    with app.app_context():
        user = db.session.get(User, admin.user_id)
        assert user.role == "admin" and user.disabled_at is None


def test_disabling_ends_the_sessions_at_once(app, client, admin, make_staff):
    other = make_staff("support")
    their_client = app.test_client()
    log_in(their_client, other.email)
    assert their_client.get("/staff/complaints/").status_code == 200
    assert client.post(f"/staff/admin/accounts/{other.user_id}/disable").status_code == 302
    response = their_client.get("/staff/complaints/")
    assert response.status_code == 302 and "/login" in response.location
    with app.app_context():
        live = db.session.scalar(
            sa.select(sa.func.count()).where(
                LoginSession.user_id == other.user_id, LoginSession.revoked_at.is_(None)
            )
        )
        assert live == 0
    assert _actions(app, "staff.disabled")


def test_a_disabled_account_cannot_log_in(app, client, admin, make_staff):
    other = make_staff("support")
    client.post(f"/staff/admin/accounts/{other.user_id}/disable")
    response = app.test_client().post(
        "/login", data={"identifier": other.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200


def test_reset_second_factor_sends_the_account_to_enrol_again(app, client, admin, make_staff):
    other = make_staff("support")
    client.post(f"/staff/admin/accounts/{other.user_id}/second-factor/reset")
    with app.app_context():
        user = db.session.get(User, other.user_id)
        assert user.totp_secret is None and user.totp_enrolled_at is None
    their_client = app.test_client()
    log_in(their_client, other.email)
    assert their_client.get("/staff/").location.endswith("/staff/second-factor")
    assert _actions(app, "staff.second_factor_reset")


def test_sensitive_actions_ask_for_both_factors_again_after_a_while(app, client, admin, clock):
    clock.shift(timedelta(minutes=16))
    data = {"email": "later@staff.example", "role": "support"}
    response = client.post("/staff/admin/accounts/invite", data=data)
    assert response.status_code == 302 and "/staff/confirm" in response.location
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "later@staff.example")) is None
    wrong = client.post("/staff/confirm", data={"password": TEST_PASSWORD, "code": "000000"})
    assert "This code is not right" in wrong.text
    response = client.post(
        "/staff/confirm",
        data={"password": TEST_PASSWORD, "code": totp_code(), "next": "/staff/admin/accounts"},
    )
    assert response.status_code == 302 and response.location.endswith("/staff/admin/accounts")
    assert client.post("/staff/admin/accounts/invite", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "later@staff.example"))


@pytest.mark.parametrize("role", ["support", "approver"])
def test_other_roles_do_not_reach_the_accounts(client, login_as, role):
    login_as(role)
    assert client.get("/staff/admin/accounts").status_code == 404
