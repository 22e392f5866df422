"""Logging in and out: sessions, remember-me, lockouts and safe redirects."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.auth.models import AuthFailure, LoginSession, User
from portal.extensions import db
from tests.helpers import TEST_PASSWORD, csrf_token, log_in, log_out, submit_form

WRONG = "The mobile number, e-mail or password is not right"
EN = {"Accept-Language": "en"}


def test_borrower_logs_in_with_phone(client, make_borrower):
    record = make_borrower(language="en")
    response = log_in(client, record.phone)
    assert response.status_code == 302 and response.location == "/"
    assert record.loan_number in client.get("/loans").text


@pytest.mark.parametrize("typed", ["+86 {phone}", "{phone} ", "0086-{phone}"])
def test_phone_may_be_typed_with_country_code_and_spaces(client, make_borrower, typed):
    record = make_borrower()
    assert log_in(client, typed.format(phone=record.phone)).status_code == 302


def test_borrower_logs_in_with_email_in_any_case(client, make_borrower):
    record = make_borrower()
    assert log_in(client, record.email.upper()).status_code == 302


def test_staff_log_in_and_land_on_their_home(client, make_staff):
    staff = make_staff("admin")
    response = log_in(client, staff.email)
    assert response.status_code == 302
    assert client.get("/").location == "/staff/"
    assert client.get("/staff/").location == "/staff/admin"


@pytest.mark.parametrize("case", ["wrong password", "unknown account", "not activated"])
def test_failures_all_get_the_same_message(client, make_borrower, case):
    record = make_borrower(activated=case != "not activated")
    identifier = "13999999999" if case == "unknown account" else record.phone
    password = "not the password" if case == "wrong password" else TEST_PASSWORD
    response = submit_form(
        client, "/login", {"identifier": identifier, "password": password}, headers=EN
    )
    assert response.status_code == 200
    assert WRONG in response.text
    assert f'value="{identifier}"' in response.text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"identifier": "", "password": "x"}, "Enter your mobile number or e-mail"),
        ({"identifier": "a" * 255, "password": "x"}, "longer than any account name"),
        ({"identifier": "13800000000", "password": ""}, "Enter your password"),
        ({"identifier": "13800000000", "password": "p" * 129}, "longer than any password"),
        ({"identifier": "' OR 1=1 --", "password": "x"}, WRONG),
        ({"identifier": "<script>alert(1)</script>", "password": "x"}, WRONG),
    ],
)
def test_bad_login_input_gets_a_clear_message_never_a_500(client, data, message):
    response = submit_form(client, "/login", data, headers=EN)
    assert response.status_code == 200
    assert message in response.text
    assert "<script>alert(1)</script>" not in response.text


def test_account_locks_after_five_failures_even_with_the_right_password(client, make_borrower):
    record = make_borrower(language="en")
    for _ in range(5):
        log_in(client, record.phone, "wrong password!")
    response = submit_form(
        client, "/login", {"identifier": record.phone, "password": TEST_PASSWORD}, headers=EN
    )
    assert "Too many attempts" in response.text
    assert client.get("/").status_code == 200 and "My loans" not in client.get("/").text


def test_unknown_accounts_lock_exactly_like_real_ones(client):
    for _ in range(5):
        log_in(client, "13900000000", "wrong password!")
    response = submit_form(
        client, "/login", {"identifier": "13900000000", "password": "x"}, headers=EN
    )
    assert "Too many attempts" in response.text


def test_lock_ends_after_the_window(app, client, make_borrower):
    record = make_borrower()
    for _ in range(5):
        log_in(client, record.phone, "wrong password!")
    with app.app_context():
        for failure in db.session.scalars(sa.select(AuthFailure)):
            failure.at -= timedelta(minutes=16)
        db.session.commit()
    assert log_in(client, record.phone).status_code == 302


def test_an_address_locks_after_twenty_failures_across_accounts(client, make_borrower):
    record = make_borrower(language="en")
    for n in range(20):
        log_in(client, f"1390000{n:04d}", "wrong password!")
    response = submit_form(
        client, "/login", {"identifier": record.phone, "password": TEST_PASSWORD}, headers=EN
    )
    assert "Too many attempts" in response.text
    other_address = submit_form(
        client,
        "/login",
        {"identifier": record.phone, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other_address.status_code == 302


def test_success_clears_earlier_failures(app, client, make_borrower):
    record = make_borrower()
    for _ in range(4):
        log_in(client, record.phone, "wrong password!")
    assert log_in(client, record.phone).status_code == 302
    log_out(client)
    for _ in range(4):
        log_in(client, record.phone, "wrong password!")
    assert log_in(client, record.phone).status_code == 302


def test_logout_ends_the_session_on_the_server(app, client, make_borrower):
    record = make_borrower(language="en")
    log_in(client, record.phone)
    stolen = client.get_cookie("session", domain="portal.test").value
    assert log_out(client).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(LoginSession)).one().revoked_at is not None
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["auth.login", "auth.logout"]
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="portal.test")
    page = thief.get("/loans")
    assert record.loan_number not in page.text
    assert thief.get("/staff/").status_code == 302  # sent to the login page


def test_remember_me_survives_the_browser_closing_but_not_logout(app, client, make_borrower):
    record = make_borrower(language="en")
    log_in(client, record.phone, remember="y")
    remember = client.get_cookie("remember_token", domain="portal.test")
    assert remember is not None
    fresh = app.test_client()  # a new browser session: only the remember cookie is kept
    fresh.set_cookie("remember_token", remember.value, domain="portal.test")
    assert record.loan_number in fresh.get("/loans").text
    log_out(fresh)
    again = app.test_client()
    again.set_cookie("remember_token", remember.value, domain="portal.test")
    assert record.loan_number not in again.get("/loans").text


def test_without_remember_me_there_is_no_remember_cookie(client, make_borrower):
    record = make_borrower()
    log_in(client, record.phone)
    assert client.get_cookie("remember_token", domain="portal.test") is None


def test_idle_session_expires(app, client, make_borrower):
    record = make_borrower(language="en")
    log_in(client, record.phone)
    with app.app_context():
        login = db.session.scalars(sa.select(LoginSession)).one()
        login.last_seen_at -= timedelta(minutes=31)
        db.session.commit()
    assert record.loan_number not in client.get("/loans").text


def test_session_is_renewed_at_login(client, make_borrower):
    record = make_borrower()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, record.phone)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_disabled_account_cannot_log_in_and_loses_its_session(app, client, make_borrower):
    record = make_borrower(language="en")
    log_in(client, record.phone)
    with app.app_context():
        user = db.session.get(User, record.user_id)
        user.disabled_at = user.activated_at
        db.session.commit()
    assert record.loan_number not in client.get("/loans").text
    assert (
        WRONG
        in submit_form(
            client, "/login", {"identifier": record.phone, "password": TEST_PASSWORD}, headers=EN
        ).text
    )


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/staff/", "/staff/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, make_borrower, target, expected):
    record = make_borrower()
    response = log_in(client, record.phone, next=target)
    assert response.location == expected


def test_login_page_keeps_next_from_the_query(client):
    response = client.get("/staff/admin")
    assert response.status_code == 302 and "/login?next=" in response.location
    page = client.get(response.location)
    assert 'value="/staff/admin"' in page.text


def test_logout_needs_a_post(client, make_borrower):
    record = make_borrower()
    log_in(client, record.phone)
    assert client.get("/logout").status_code == 405


def test_a_refused_login_is_recorded_although_the_page_just_shows_the_error(
    app, client, make_borrower
):
    record = make_borrower()
    response = log_in(client, record.phone, "wrong password!")
    assert response.status_code == 200  # the request edge commits: the failure is kept
    with app.app_context():
        # One failure against the account name and one against the address.
        assert db.session.scalar(sa.select(sa.func.count(AuthFailure.id))) == 2


def test_the_lockout_page_keeps_what_was_counted(app, client, make_borrower):
    record = make_borrower(language="en")
    for _ in range(5):
        log_in(client, record.phone, "wrong password!")
    response = submit_form(
        client, "/login", {"identifier": record.phone, "password": TEST_PASSWORD}, headers=EN
    )
    assert response.status_code == 200 and "Too many attempts" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuthFailure.id))) == 10


def test_the_user_loader_does_not_commit(app, client, make_borrower):
    from portal.auth.service import load_login_session

    record = make_borrower()
    log_in(client, record.phone)
    with app.app_context():
        login = db.session.scalars(sa.select(LoginSession)).one()
        login.last_seen_at -= timedelta(minutes=5)
        db.session.commit()
        before = login.last_seen_at
        with client.session_transaction() as session:
            token = session["_user_id"]
        assert load_login_session(token).id == record.user_id
        db.session.rollback()  # what a refused request does: nothing the loader set is kept
        assert db.session.scalars(sa.select(LoginSession)).one().last_seen_at == before
    client.get("/loans")  # a successful page commits the new "last seen"
    with app.app_context():
        assert db.session.scalars(sa.select(LoginSession)).one().last_seen_at > before


def test_tick_forgets_failures_older_than_the_window(app, runner, client, make_borrower):
    record = make_borrower()
    log_in(client, record.phone, "wrong password!")
    log_in(client, "13900000000", "wrong password!")
    with app.app_context():
        old = db.session.scalars(sa.select(AuthFailure).order_by(AuthFailure.id).limit(2)).all()
        for failure in old:
            failure.at -= timedelta(minutes=16)
        db.session.commit()
    result = runner.invoke(args=["portal", "tick"])
    assert result.exit_code == 0 and "login_failures_purged 2" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuthFailure.id))) == 2


NUL_REMOVED = "An invisible character that cannot be saved was removed from this text."


def test_a_nul_character_is_refused_before_the_database_and_the_rest_kept(app, client):
    typed = {"identifier": "138\x000013\x008000", "password": "whatever it is"}
    response = submit_form(client, "/login", typed, headers=EN)
    assert response.status_code == 200 and NUL_REMOVED in response.text
    assert 'value="13800138000"' in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuthFailure.id))) == 0


def test_a_body_that_is_not_a_form_is_read_as_an_empty_form(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        json={"identifier": [1, 2], "password": {"a": 1}},
        headers={"X-CSRFToken": token, **EN},
    )
    assert response.status_code == 200
    assert "Enter your mobile number or e-mail address." in response.text
