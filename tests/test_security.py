"""Security headers, CSRF, size limits and error pages."""

import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from portal import create_app
from portal.auth.models import LoginSession
from portal.extensions import db
from portal.security import CONTENT_SECURITY_POLICY, is_safe_next
from tests.conftest import TEST_CONFIG
from tests.helpers import submit_form


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_or_styles(client):
    for url in ("/", "/login", "/activate", "/reset"):
        html = client.get(url).text
        # The one script is a file of this site (portal/static/js/forms.js), never inline.
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
        assert re.findall(r"<script ([^>]*)>", html) == [
            'src="/static/js/forms.js" defer'
        ] and scripts == [""]
        assert "style=" not in html and "<style" not in html
        assert "onclick" not in html


def test_forms_need_a_csrf_token(app):
    client = app.test_client()
    response = client.post(
        "/login",
        data={"identifier": "x", "password": "y", "csrf_token": ""},  # a form without its token
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "The form had expired" in response.text
    page = client.get("/login")
    assert 'name="csrf_token"' in page.text


def test_logout_and_language_forms_carry_csrf_tokens(app, client, login_as):
    login_as("borrower")
    html = client.get("/loans").text
    assert html.count('name="csrf_token"') >= 2


def test_oversized_request_gets_a_friendly_413(client):
    response = client.post(
        "/login", data={"identifier": "x" * (2 * 1024 * 1024)}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "too large" in response.text


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_only_views_that_take_uploads_accept_large_bodies(large_bodies, app, client, login_as):
    login_as("borrower")
    big = {"reason": "x" * (2 * 1024 * 1024)}
    response = submit_form(client, "/complaints", big, to="/complaints/1/dispute")
    assert response.status_code == 413
    # A visitor who is not logged in cannot send a large body to an upload address either.
    anonymous = app.test_client()
    files = {"attachments": [(io.BytesIO(b"0" * (2 * 1024 * 1024)), "a.png")]}
    response = submit_form(
        anonymous, "/", files, to="/complaints/new", content_type="multipart/form-data"
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "language, text",
    [("en", "We could not find that page"), ("zh_Hans", "找不到"), ("zh_Hant", "找不到")],
)
def test_404_page_is_translated(client, language, text):
    submit_form(client, "/", to="/language", data={"language": language})
    response = client.get("/no/such/page")
    assert response.status_code == 404 and text in response.text


def test_500_page_is_friendly_and_translated():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom-for-test", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "RuntimeError" not in response.text


def test_405_is_friendly(client):
    assert client.put("/login").status_code == 405


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/", True),
        ("/staff/?a=1", True),
        ("//evil", False),
        ("http://evil", False),
        ("/\\evil", False),
        ("evil", False),
        (None, False),
        ("/a\nb", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


def test_dev_outbox_is_hidden_when_disabled(app, client):
    app.config["DEV_OUTBOX_PAGE"] = False
    assert client.get("/dev/outbox").status_code == 404


def test_health_check(client):
    assert client.get("/healthz").json == {"status": "ok"}


@pytest.mark.parametrize("number", [0, 2**31, 2**63, 10**30, "9" * 5000, "１２"])
def test_ids_beyond_the_columns_range_match_no_route(app, number):
    adapter = app.url_map.bind("portal.test")
    with_ids = [rule for rule in app.url_map.iter_rules() if rule.arguments & {"loan_id"}]
    numbered = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert with_ids and len(numbered) > len(with_ids)
    for rule in numbered:
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", str(number))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            with pytest.raises(NotFound):
                adapter.match(url, method=method)


@pytest.fixture
def proxied_app(app, database_url):
    """The application behind one trusted proxy, on the test database."""
    proxied = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXY_COUNT": 1}
    )
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "forwarded, recorded",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("1" * 100, "127.0.0.1"),  # not an address: the peer's is recorded
        ("203.0.113.7, <script>", "127.0.0.1"),
        ("", "127.0.0.1"),
    ],
)
def test_the_client_address_is_always_an_ip_address(
    proxied_app, make_borrower, forwarded, recorded
):
    record = make_borrower()
    client = proxied_app.test_client()
    credentials = {"identifier": record.phone, "password": record.password}
    response = submit_form(client, "/login", credentials, headers={"X-Forwarded-For": forwarded})
    assert response.status_code == 302
    with proxied_app.app_context():
        assert db.session.scalars(sa.select(LoginSession.ip_address)).one() == recorded
