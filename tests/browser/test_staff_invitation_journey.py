"""An administrator invites a support colleague, who chooses a password, sets up the second
factor and reaches the complaint queue (desktop)."""

import re

import pyotp
import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.outbox.models import OutboxMessage
from tests.browser.test_plan_journey import log_in

pytestmark = pytest.mark.browser

PASSWORD = "a long support pass phrase"


def test_admin_invites_support_who_enrols_and_reaches_the_queue(
    app, live_server, browser, desktop, screenshot, make_staff
):
    admin = make_staff("admin")
    log_in(desktop, live_server, admin.email)
    desktop.wait_for_url("**/staff/admin")
    desktop.get_by_role("link", name="Manage staff accounts").click()
    desktop.wait_for_url("**/staff/admin/accounts")
    desktop.locator("#email").fill("li.support@lender.example")
    desktop.locator("#display_name").fill("Li")
    desktop.locator("#role").select_option("support")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Send the invitation").click()
    sent = "The invitation to li.support@lender.example is on its way."
    assert desktop.get_by_text(sent).is_visible()
    assert desktop.get_by_text("li.support@lender.example").first.is_visible()
    screenshot(desktop, "1-invited")

    # The link from the outbox (the dev outbox page shows the same message).
    with app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMessage.body).where(
                OutboxMessage.recipient == "li.support@lender.example"
            )
        )
    path = re.search(r"https?://[^/\s]+(/invitation/\S+)", body).group(1)

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    invitee = context.new_page()
    try:
        invitee.goto(live_server + path)
        invitee.locator("#password").fill(PASSWORD)
        invitee.locator("#confirm").fill(PASSWORD)
        with invitee.expect_navigation():
            invitee.get_by_role("button", name="Save my password").click()
        invitee.wait_for_url("**/login")
        log_in(invitee, live_server, "li.support@lender.example", PASSWORD)
        invitee.wait_for_url("**/staff/second-factor")
        assert invitee.locator("img.qr-code").is_visible()
        secret = invitee.locator("#totp-secret").inner_text().strip()
        screenshot(invitee, "2-enrol")
        invitee.locator("#code").fill(pyotp.TOTP(secret).now())
        with invitee.expect_navigation():
            invitee.get_by_role("button", name="Turn on the second factor").click()
        assert invitee.locator(".recovery-codes li").count() == 10
        screenshot(invitee, "3-recovery-codes")
        invitee.get_by_role("link", name="I have kept them, continue").click()
        invitee.wait_for_url("**/staff/complaints/")
        assert invitee.locator("h1").first.is_visible()
        screenshot(invitee, "4-queue")
    finally:
        context.close()
