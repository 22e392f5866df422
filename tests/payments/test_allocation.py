"""The allocation waterfall, table-driven."""

import pytest

from portal.loans.journal import Components
from portal.payments.allocation import allocate_payment

BALANCE = Components(principal=100_000, interest=5_000, fee=2_000)


@pytest.mark.parametrize(
    "amount, applied, credit",
    [
        (1_000, Components(0, 0, 1_000), 0),
        (2_000, Components(0, 0, 2_000), 0),
        (2_001, Components(0, 1, 2_000), 0),
        (7_000, Components(0, 5_000, 2_000), 0),
        (7_001, Components(1, 5_000, 2_000), 0),
        (107_000, Components(100_000, 5_000, 2_000), 0),
        (107_050, Components(100_000, 5_000, 2_000), 50),
    ],
)
def test_fees_then_interest_then_principal_then_credit(amount, applied, credit):
    allocation = allocate_payment(amount, BALANCE)
    assert allocation.applied == applied and allocation.credit == credit
    assert allocation.applied.total + allocation.credit == amount
    assert allocation.change == -applied


def test_a_configured_waterfall_order():
    allocation = allocate_payment(3_000, BALANCE, ("principal", "interest", "fee"))
    assert allocation.applied == Components(3_000, 0, 0)


def test_nothing_owed_means_all_credit():
    assert allocate_payment(500, Components()).credit == 500


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100"])
def test_only_positive_whole_amounts(amount):
    with pytest.raises(ValueError):
        allocate_payment(amount, BALANCE)


def test_the_waterfall_must_be_complete():
    with pytest.raises(ValueError):
        allocate_payment(100, BALANCE, ("fee", "interest"))
