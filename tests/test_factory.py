"""The application factory and its configuration."""

import pytest

from portal import ConfigError, create_app


def name_the_lender(monkeypatch):
    monkeypatch.setenv("LENDER_NAME", "某某消费金融有限公司")
    monkeypatch.setenv("LENDER_PHONE", "400-111-2222")


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
    name_the_lender(monkeypatch)
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_real_secret_and_hardens_cookies(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    name_the_lender(monkeypatch)
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
    name_the_lender(monkeypatch)
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


@pytest.mark.parametrize("missing", ["LENDER_NAME", "LENDER_PHONE"])
def test_production_refuses_to_start_without_naming_the_lender(monkeypatch, missing):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    name_the_lender(monkeypatch)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        create_app()


def test_the_lender_is_named_in_each_language_with_the_chinese_name_as_fallback(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    name_the_lender(monkeypatch)
    monkeypatch.setenv("LENDER_NAME_EN", "Mou Consumer Finance")
    monkeypatch.setenv("LENDER_HOURS", "工作日 09:00–18:00")
    config = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config
    assert config["LENDER_NAME"] == {
        "zh_Hans": "某某消费金融有限公司",
        "zh_Hant": "某某消费金融有限公司",
        "en": "Mou Consumer Finance",
    }
    assert config["LENDER_PHONE"] == "400-111-2222"
    assert config["LENDER_HOURS"]["en"] == "工作日 09:00–18:00"


def test_development_names_the_demo_lender(monkeypatch):
    for name in ("LENDER_NAME", "LENDER_NAME_EN", "LENDER_PHONE", "LENDER_HOURS_EN"):
        monkeypatch.delenv(name, raising=False)
    config = create_app().config
    assert config["LENDER_NAME"]["en"] == "Example Consumer Finance Co., Ltd."
    assert config["LENDER_PHONE"] == "400-800-1234"
    assert config["LENDER_HOURS"]["en"] == "Every day, 09:00–21:00"
