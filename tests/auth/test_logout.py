"""Logging out ends the login in the browser too: no remember-me cookie is left behind."""

from tests.helpers import log_in


def test_logout_deletes_the_remember_cookie(client, make_borrower):
    record = make_borrower(language="en")
    log_in(client, record.phone, remember="y")
    assert client.get_cookie("remember_token", domain="portal.test") is not None
    response = client.post("/logout")
    assert response.status_code == 302
    assert "remember_token=;" in " ".join(response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("remember_token", domain="portal.test") is None
