"""The dashboard on a phone: what to pay, how much, by when, and the two actions are in the first
screen (no scrolling) in every language, even with a long contact history; with several loans
the total comes first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext

from portal.extensions import db
from portal.loans.journal import Components
from portal.loans.models import ContactLogEntry, Loan, LoanDueDate
from portal.loans.service import post_entry
from tests.browser.conftest import PHONE
from tests.browser.test_plan_journey import log_in
from tests.helpers import TODAY, shanghai

pytestmark = pytest.mark.browser


def words(app, language) -> dict[str, str]:
    """The names of the two actions in `language`, from the catalogs."""
    with app.test_request_context(), force_locale(language):
        return {"pay": gettext("Pay"), "plan": gettext("Ask for more time or a plan")}


def overdue_with_history(app, make_borrower, language, *, loans=1):
    """A borrower 12 days late on a 5,000.00 loan, with 40 contacts (reminders and calls)."""
    record = make_borrower(language=language)
    with app.app_context():
        loan_ids = [record.loan_id]
        for n in range(1, loans):
            loan = Loan(
                borrower_id=record.borrower_id,
                loan_number=f"{record.loan_number}-{n}",
                product="consumer",
                currency="CNY",
                opened_on=TODAY - timedelta(days=200),
            )
            db.session.add(loan)
            db.session.flush()
            post_entry(loan.id, "charge", Components(principal=120_000), reference=f"D{loan.id}")
            loan_ids.append(loan.id)
        for loan_id in loan_ids:
            for days, principal in ((-12, 250_000 if loan_id == record.loan_id else 60_000),):
                db.session.add(
                    LoanDueDate(
                        loan_id=loan_id,
                        due_on=TODAY + timedelta(days=days),
                        principal_minor=principal,
                        interest_minor=0,
                    )
                )
            db.session.add(
                LoanDueDate(
                    loan_id=loan_id,
                    due_on=TODAY + timedelta(days=18),
                    principal_minor=250_000 if loan_id == record.loan_id else 60_000,
                    interest_minor=0,
                )
            )
        for n in range(40):
            day = TODAY - timedelta(days=12 - n // 4)
            db.session.add(
                ContactLogEntry(
                    loan_id=record.loan_id,
                    reference=f"H{record.loan_id}-{n}",
                    contacted_at=shanghai(day, 9 + n % 4 * 2),
                    channel="sms" if n % 2 else "call",
                    party="borrower",
                    agent="SYSTEM" if n % 2 else "A017",
                    outcome="delivered" if n % 2 else "unanswered",
                )
            )
        db.session.commit()
    return record


def log_in_speaking(page, base, identifier, language):
    """Choose the language on the login page, then log in."""
    page.goto(base + "/login")
    with page.expect_navigation():
        page.locator(f"form.language-switcher button[value={language}]").click()
    log_in(page, base, identifier)
    page.wait_for_url("**/loans")


def _in_first_screen(page, locator) -> None:
    """The element is laid out entirely inside the phone's first screen, with no scrolling."""
    assert page.evaluate("window.scrollY") == 0
    box = locator.bounding_box()
    assert box is not None, "not visible"
    assert box["y"] >= 0 and box["x"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert box["x"] + box["width"] <= PHONE["width"], box


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
def test_the_next_step_is_in_the_first_phone_screen(
    app, live_server, phone, screenshot, make_borrower, language
):
    record = overdue_with_history(app, make_borrower, language)
    log_in_speaking(phone, live_server, record.phone, language)
    step = phone.locator("article.loan-card .next-step").first
    text = step.inner_text()
    assert "2,500.00" in text  # what to pay, and how much
    assert str(TODAY.day) in text  # by when (today: it is overdue)
    _in_first_screen(phone, step)
    names = words(app, language)
    _in_first_screen(phone, step.get_by_role("link", name=names["pay"], exact=True))
    _in_first_screen(phone, step.get_by_role("link", name=names["plan"], exact=True))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "first-screen")
    # Scrolled down to the contact log, the actions are still at hand.
    phone.locator("article.loan-card .contacts").first.scroll_into_view_if_needed()
    assert phone.evaluate("window.scrollY") > 0
    pay = step.get_by_role("link", name=names["pay"], exact=True)
    box = pay.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def test_with_two_loans_the_total_comes_first(app, live_server, phone, screenshot, make_borrower):
    record = overdue_with_history(app, make_borrower, "zh_Hans", loans=2)
    log_in(phone, live_server, record.phone)
    phone.wait_for_url("**/loans")
    total = phone.locator(".loans-total")
    text = total.inner_text()
    assert "¥3,100.00" in text  # 2,500.00 + 600.00 to pay now
    assert "¥6,200.00" in text  # 5,000.00 + 1,200.00 outstanding
    _in_first_screen(phone, total)
    first_loan = phone.locator("article.loan-card").first.bounding_box()
    assert total.bounding_box()["y"] < first_loan["y"]
    screenshot(phone, "two-loans")
