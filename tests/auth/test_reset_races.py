"""A reset link changes the password once, and a changed password ends every other link."""

import threading

import pytest

from tests.auth.test_reset import EN, NEW, request_link
from tests.helpers import log_in


def test_an_older_link_stops_working_once_a_newer_one_changed_the_password(
    app, client, make_borrower
):
    record = make_borrower(language="en")
    older = request_link(app, client, record.phone)
    newer = request_link(app, client, record.phone)
    assert older != newer
    assert client.post(newer, data={"password": NEW, "confirm": NEW}).status_code == 302
    reused = client.get(older, headers=EN)
    assert reused.status_code == 410 and "no longer works" in reused.text
    other = "another brand new phrase"
    assert client.post(older, data={"password": other, "confirm": other}).status_code == 410
    assert log_in(client, record.phone, other).status_code == 200
    assert log_in(client, record.phone, NEW).status_code == 302


def _post_at_once(app, posts):
    """POST each (url, password) from its own client at the same moment; the status codes."""
    start = threading.Barrier(len(posts))
    statuses = [None] * len(posts)

    def run(n):
        url, password = posts[n]
        each = app.test_client()
        start.wait()
        statuses[n] = each.post(url, data={"password": password, "confirm": password}).status_code

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _passwords_that_work(app, record, passwords):
    return [p for p in passwords if log_in(app.test_client(), record.phone, p).status_code == 302]


@pytest.mark.postgres
def test_one_link_used_five_times_at_once_changes_the_password_once(app, client, make_borrower):
    record = make_borrower(language="en")
    link = request_link(app, client, record.phone)
    passwords = [f"new passphrase number {n}" for n in range(5)]
    statuses = _post_at_once(app, [(link, password) for password in passwords])
    assert sorted(statuses) == [302] + [410] * 4
    assert _passwords_that_work(app, record, passwords) == [passwords[statuses.index(302)]]


@pytest.mark.postgres
def test_two_links_used_at_once_change_the_password_once(app, client, make_borrower):
    record = make_borrower(language="en")
    links = [request_link(app, client, record.phone) for _ in range(2)]
    passwords = ["first new passphrase", "second new passphrase"]
    statuses = _post_at_once(app, list(zip(links, passwords, strict=True)))
    assert sorted(statuses) == [302, 410]
    assert _passwords_that_work(app, record, passwords) == [passwords[statuses.index(302)]]
