"""The balance journal: entry rules, and the balance always equal to the sum of the journal."""

import contextlib
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.loans.journal import Components, JournalError, apply_entry, balance_of, check_entry
from portal.loans.models import Borrower, JournalEntry, Loan
from portal.loans.service import journal_balance, loan_balance, post_entry, reverse_entry


@pytest.mark.parametrize(
    "kind, change, allowed",
    [
        ("charge", Components(principal=100), True),
        ("charge", Components(fee=-1), False),
        ("payment", Components(principal=-100, interest=-5), True),
        ("payment", Components(principal=100), False),
        ("waiver", Components(fee=-300), True),
        ("waiver", Components(interest=1), False),
        ("adjustment", Components(principal=10, fee=-10), True),
        ("reversal", Components(principal=-100), True),
        ("charge", Components(), False),
        ("refund", Components(principal=1), False),
    ],
)
def test_entry_kinds_move_the_balance_only_their_way(kind, change, allowed):
    if allowed:
        check_entry(kind, change)
    else:
        with pytest.raises(JournalError):
            check_entry(kind, change)


@pytest.mark.parametrize("value", [1.5, "100", None])
def test_amounts_must_be_integer_minor_units(value):
    with pytest.raises(JournalError):
        Components(principal=value)


def test_an_entry_cannot_take_a_component_below_zero():
    with pytest.raises(JournalError, match="below zero"):
        apply_entry(Components(principal=100, fee=5), "payment", Components(fee=-6))
    assert apply_entry(Components(principal=100, fee=5), "payment", Components(fee=-5)) == (
        Components(principal=100)
    )


def test_balance_of_sums_the_changes():
    changes = [Components(100, 10, 1), Components(-50, -10, 0), Components(0, 0, 4)]
    assert balance_of(changes) == Components(50, 0, 5)
    assert balance_of([]).total == 0


def _new_loan() -> int:
    n = db.session.scalar(sa.select(sa.func.count(Borrower.id))) + 1
    borrower = Borrower(
        customer_ref=f"J{n}", full_name="测试", id_last4="0000", phone=f"1370000{n:04d}"
    )
    db.session.add(borrower)
    db.session.flush()
    loan = Loan(
        borrower_id=borrower.id,
        loan_number=f"J-{n}",
        product="personal",
        currency="CNY",
        opened_on=date(2026, 1, 1),
    )
    db.session.add(loan)
    db.session.flush()
    return loan.id


entry_strategy = st.tuples(
    st.sampled_from(["charge", "payment", "waiver", "adjustment"]),
    st.integers(-50_000, 50_000),
    st.integers(-5_000, 5_000),
    st.integers(-2_000, 2_000),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(entry_strategy, max_size=25), reverse_some=st.booleans())
def test_loan_balance_always_equals_the_sum_of_its_journal(app, entries, reverse_some):
    with app.app_context():
        loan_id = _new_loan()
        posted = []
        for kind, principal, interest, fee in entries:
            # A refused entry must leave no trace, which the assertion below checks.
            with contextlib.suppress(JournalError):
                posted.append(post_entry(loan_id, kind, Components(principal, interest, fee)))
            loan = db.session.get(Loan, loan_id)
            assert loan_balance(loan) == journal_balance(loan_id)
        if reverse_some:
            for entry in posted[::3]:
                with contextlib.suppress(JournalError):
                    reverse_entry(entry)
        db.session.commit()
        loan = db.session.get(Loan, loan_id)
        assert loan_balance(loan) == journal_balance(loan_id)
        assert min(loan.principal_minor, loan.interest_minor, loan.fee_minor) >= 0
        db.session.rollback()


def test_journal_entries_cannot_be_changed_or_deleted(app):
    with app.app_context():
        loan_id = _new_loan()
        entry = post_entry(
            loan_id,
            "charge",
            Components(principal=1000),
            posted_at=datetime(2026, 1, 2, tzinfo=UTC),
            reference="X1",
        )
        db.session.commit()
        entry.principal_minor = 1
        with pytest.raises(JournalError, match="immutable"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(JournalEntry, entry.id))
        with pytest.raises(JournalError):
            db.session.commit()
        db.session.rollback()
        assert journal_balance(loan_id) == Components(principal=1000)


def test_a_reversal_undoes_an_entry_once(app):
    with app.app_context():
        loan_id = _new_loan()
        charge = post_entry(loan_id, "charge", Components(principal=1000, fee=50))
        fee = post_entry(loan_id, "charge", Components(fee=25))
        reverse_entry(fee)
        assert journal_balance(loan_id) == Components(principal=1000, fee=50)
        with pytest.raises(JournalError, match="already"):
            reverse_entry(fee)
        assert db.session.get(Loan, loan_id).fee_minor == 50
        assert charge.id != fee.id


def test_the_same_lender_reference_cannot_post_twice(app):
    with app.app_context():
        loan_id = _new_loan()
        post_entry(loan_id, "charge", Components(principal=1000), reference="LENDER-1")
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            post_entry(loan_id, "charge", Components(principal=1000), reference="LENDER-1")
        db.session.rollback()
        assert journal_balance(loan_id) == Components(principal=1000)
