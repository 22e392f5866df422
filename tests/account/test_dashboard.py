"""The borrower's dashboard and loan page: the next step first, a calm tone (red only for a
broken rule), "notices" for a borrower who is up to date, no internal codes, and a journal that
says why each amount was charged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.extensions import db
from portal.loans.journal import (
    ONLINE_PAYMENT_DESCRIPTION,
    REFUND_DESCRIPTION,
    Components,
)
from portal.loans.models import JournalEntry, Loan
from portal.loans.service import post_entry
from tests.helpers import TODAY, log_in, shanghai
from tests.loans.test_pages import add_contact, add_schedule

EN = {"Accept-Language": "en"}
CSS = Path(__file__).resolve().parents[2] / "portal" / "static" / "css" / "portal.css"


def red_selectors() -> list[list[set[str]]]:
    """Each CSS selector drawn in the danger colours, as the classes of its compound parts."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if "--danger" not in body or selectors.strip().startswith(":root"):
            continue
        for selector in selectors.split(","):
            parts = [set(re.findall(r"\.([\w-]+)", c)) for c in re.split(r"[\s>+~]+", selector)]
            found.append([classes for classes in parts if classes])
    return found


def red_elements(page: str) -> list[str]:
    """The class attributes on the page that a red selector picks out (each of its parts
    matched by some element: near enough for these pages)."""
    elements = [set(classes.split()) for classes in re.findall(r'class="([^"]*)"', page)]
    red = []
    for parts in red_selectors():
        if parts and all(any(p <= e for e in elements) for p in parts):
            red += [" ".join(sorted(e)) for e in elements if parts[-1] <= e]
    return red


def late(app, make_borrower, days: int, language="en"):
    """A borrower whose 5,000.00 loan has an installment of 2,500.00 `days` late, with the
    routine automatic reminders (SYSTEM) and an agent's call (A017), none breaking a rule."""
    record = make_borrower(language=language)
    add_schedule(
        app,
        record.loan_id,
        (TODAY - timedelta(days=days), 250_000, 0),
        (TODAY + timedelta(days=30 - days), 250_000, 0),
    )
    for day in range(days + 1):
        when = TODAY - timedelta(days=days - day)
        add_contact(
            app, record.loan_id, shanghai(when, 9), "sms", outcome="delivered", agent="SYSTEM"
        )
    add_contact(app, record.loan_id, shanghai(TODAY - timedelta(days=1), 15), agent="A017")
    return record


def current(app, make_borrower, language="en"):
    """A borrower who paid the first installment on time; the next is ahead."""
    record = make_borrower(language=language)
    add_schedule(
        app,
        record.loan_id,
        (TODAY - timedelta(days=25), 250_000, 0),
        (TODAY + timedelta(days=5), 250_000, 0),
    )
    add_contact(
        app,
        record.loan_id,
        shanghai(TODAY - timedelta(days=25), 9),
        "sms",
        "borrower",
        "delivered",
        "SYSTEM",
    )
    with app.app_context():
        post_entry(record.loan_id, "payment", Components(principal=-250_000), reference="P1")
        db.session.commit()
    return record


def test_the_next_step_comes_right_under_the_amount(app, client, make_borrower):
    record = late(app, make_borrower, 12)
    log_in(client, record.phone)
    page = client.get("/loans", headers=EN).text
    amount = page.index("¥2,500.00")
    step = page.index("Pay ¥2,500.00 today, 20 November 2026.")
    pay = page.index(f'<a class="button primary" href="/loans/{record.loan_id}/pay"')
    plan = page.index(f'href="/loans/{record.loan_id}/request"')
    assert amount < step < pay < plan
    assert plan < page.index("Collection stage") < page.index("Latest contacts")
    # Nothing else to press in between: the two actions come first after the amount.
    assert "<a " not in page[amount:pay] and "<button" not in page[amount:plan]


def test_with_several_loans_the_total_comes_first(app, client, make_borrower):
    record = late(app, make_borrower, 12)
    with app.app_context():
        loan = Loan(
            borrower_id=record.borrower_id,
            loan_number=record.loan_number + "-2",
            product="consumer",
            currency="CNY",
            opened_on=TODAY - timedelta(days=90),
        )
        db.session.add(loan)
        db.session.flush()
        post_entry(loan.id, "charge", Components(principal=120_000), reference="D2")
        db.session.commit()
        second = loan.id
    add_schedule(
        app, second, (TODAY - timedelta(days=3), 60_000, 0), (TODAY + timedelta(days=27), 60_000, 0)
    )
    log_in(client, record.phone)
    page = client.get("/loans", headers=EN).text
    total = page.index("Your 2 loans in total")
    assert total < page.index('class="card loan-card"')
    assert "¥3,100.00" in page[total : page.index('class="card loan-card"')]  # to pay now
    assert "¥6,200.00" in page[total : page.index('class="card loan-card"')]  # outstanding


def test_one_loan_has_no_total(app, client, make_borrower):
    record = late(app, make_borrower, 12)
    log_in(client, record.phone)
    assert "loans-total" not in client.get("/loans", headers=EN).text


@pytest.mark.parametrize("path", ["/loans", "/loans/{loan_id}"])
def test_two_days_late_is_not_shown_in_red(app, client, make_borrower, path):
    record = late(app, make_borrower, 2)
    log_in(client, record.phone)
    page = client.get(path.format(loan_id=record.loan_id), headers=EN).text
    assert "2 days past due" in page or "Overdue" in page
    assert red_elements(page) == []


@pytest.mark.parametrize("path", ["/loans", "/loans/{loan_id}"])
def test_a_contact_that_broke_a_rule_is_red(app, client, make_borrower, path):
    record = late(app, make_borrower, 2)
    add_contact(app, record.loan_id, shanghai(TODAY - timedelta(days=1), 23, 10))  # quiet hours
    log_in(client, record.phone)
    page = client.get(path.format(loan_id=record.loan_id), headers=EN).text
    assert red_elements(page)
    assert any("breach" in classes.split() for classes in red_elements(page))


def test_the_current_and_next_stage_are_shown_the_rest_folded(app, client, make_borrower):
    record = late(app, make_borrower, 12)
    log_in(client, record.phone)
    page = client.get("/loans", headers=EN).text
    folded = re.search(r'<details class="all-stages">.*?</details>', page, re.S).group(0)
    outside = page.replace(folded, "")
    assert "Phone contact" in outside  # the current stage
    assert "the next stage, Third-party agency, starts on" in outside
    for later in ("Lawyer", "Litigation"):
        assert later not in outside, later
        assert later in folded, later


def test_a_current_borrower_gets_notices_not_collection_contacts(app, client, make_borrower):
    record = current(app, make_borrower)
    log_in(client, record.phone)
    dashboard = client.get("/loans", headers=EN).text
    assert "Your payments are up to date." in dashboard
    assert "Latest notices" in dashboard and "Loan details and all notices" in dashboard
    assert "Latest contacts" not in dashboard and "contact log" not in dashboard
    detail = client.get(f"/loans/{record.loan_id}", headers=EN).text
    assert '<h2 id="contacts">Notices</h2>' in detail
    assert "Contact log" not in detail and "collection contact" not in detail


def test_a_late_borrower_sees_the_collection_contacts(app, client, make_borrower):
    record = late(app, make_borrower, 12)
    log_in(client, record.phone)
    assert "Latest contacts" in client.get("/loans", headers=EN).text
    assert "Contact log" in client.get(f"/loans/{record.loan_id}", headers=EN).text


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
def test_no_agent_code_on_the_pages(app, client, make_borrower, language):
    record = late(app, make_borrower, 12, language=language)
    add_contact(app, record.loan_id, shanghai(TODAY, 8, 30), agent="明德律师事务所")
    log_in(client, record.phone)
    for path in ("/loans", f"/loans/{record.loan_id}"):
        page = client.get(path).text
        assert "SYSTEM" not in page and "A017" not in page, path
        assert "明德律师事务所" in page  # a firm's name is shown as it is
    if language == "en":
        assert "Automatic reminder" in page and "The lender&#39;s staff" in page


def test_the_complaint_form_names_the_contact_without_a_code(app, client, make_borrower):
    record = late(app, make_borrower, 12)
    log_in(client, record.phone)
    with app.app_context():
        from portal.loans.models import ContactLogEntry

        contact = db.session.query(ContactLogEntry).filter_by(agent="A017").one()
    page = client.get(f"/complaints/new?contact={contact.id}", headers=EN).text
    assert "A017" not in page and "The lender&#39;s staff" in page


def test_the_journal_says_why_each_amount_was_charged(app, client, make_borrower):
    record = make_borrower(language="en")  # its payout has no description
    with app.app_context():
        post_entry(record.loan_id, "charge", Components(interest=30_000), reference="I")
        post_entry(
            record.loan_id,
            "charge",
            Components(fee=5_000),
            reference="F",
            description="Late fee of 2026-11-03",
        )
        paid = post_entry(
            record.loan_id,
            "payment",
            Components(interest=-10_000),
            reference="pi_1",
            description=ONLINE_PAYMENT_DESCRIPTION,
        )
        post_entry(
            record.loan_id,
            "reversal",
            Components(interest=10_000),
            reference="refund-pi_1",
            description=REFUND_DESCRIPTION,
            reverses=paid,
        )
        db.session.commit()
        assert db.session.query(JournalEntry).filter_by(loan_id=record.loan_id).count() == 5
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}", headers=EN).text
    kinds = re.findall(r'<span class="journal-kind">([^<]*)</span>', page)
    assert kinds == [
        "Payment refunded",
        "Payment received",
        "Late fee of 2026-11-03",  # the lender's words
        "Interest charged",
        "Loan paid out",
    ]
    assert "Charge" not in kinds and "Online payment" not in page


def test_the_journal_in_chinese_has_no_generic_charge(app, client, make_borrower):
    record = make_borrower(language="zh_Hans")
    with app.app_context():
        post_entry(record.loan_id, "charge", Components(interest=30_000), reference="I")
        db.session.commit()
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}").text
    kinds = re.findall(r'<span class="journal-kind">([^<]*)</span>', page)
    assert kinds == ["计收利息", "贷款发放"]


def test_each_installment_shows_its_status(app, client, make_borrower):
    record = make_borrower(language="en")
    add_schedule(
        app,
        record.loan_id,
        (TODAY - timedelta(days=40), 100_000, 0),
        (TODAY - timedelta(days=10), 100_000, 0),
        (TODAY + timedelta(days=20), 300_000, 0),
    )
    with app.app_context():
        post_entry(
            record.loan_id,
            "payment",
            Components(principal=-100_000),
            posted_at=datetime(2026, 10, 12, tzinfo=UTC),
            reference="P",
        )
        db.session.commit()
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}", headers=EN).text
    states = re.findall(r'<span class="state state-(\w+)">([^<]*)</span>', page)
    assert [state for state, _ in states] == ["paid", "overdue", "upcoming"]
    assert [text for _, text in states] == ["Paid", "Overdue by 10 days", "Upcoming"]
    assert "table-scroll" not in page  # nothing to scroll sideways: cards on phones
