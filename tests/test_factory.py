"""The application factory and its configuration."""

import pytest

from portal import ConfigError, create_app


def test_factory_applies_test_config():
    assert not create_app().testing
    assert create_app({"TESTING": True}).testing


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/portal.sqlite3")


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_postgres_urls_use_psycopg_3(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize("secret", [None, "", "dev", "short-key"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, secret):
    monkeypatch.setenv("PORTAL_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_real_secret_and_hardens_cookies(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert not app.config["DEV_OUTBOX_PAGE"]


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "staging-ish")
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        create_app()


def test_bad_number_setting_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        create_app()


def test_production_is_the_default(monkeypatch):
    """A deployment that forgets PORTAL_ENV is production: no weak secret, no outbox page."""
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="set PORTAL_ENV=development"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["PRODUCTION"] and app.config["SESSION_COOKIE_SECURE"]
    assert not app.config["DEV_OUTBOX_PAGE"]
    assert app.test_client().get("/dev/outbox").status_code == 404


def test_development_without_secret_gets_a_random_one(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "development")
    first, second = create_app(), create_app()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


def test_wsgi_module_exposes_app():
    import wsgi

    assert wsgi.app.name == "portal"


def test_upload_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "files"))
    app = create_app()
    with app.app_context():
        from portal.uploads import upload_folder

        assert upload_folder() == str(tmp_path / "files")
