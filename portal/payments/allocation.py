"""How a payment is split over what a loan owes. Plain values only."""

from __future__ import annotations

from dataclasses import dataclass

from portal.loans.journal import Components

# The default waterfall: fees first, then interest, then principal.
DEFAULT_WATERFALL = ("fee", "interest", "principal")


@dataclass(frozen=True)
class Allocation:
    applied: Components  # positive amounts taken off each component
    credit: int  # what was left over: kept as a credit, never lost

    @property
    def change(self) -> Components:
        """The journal change: the applied amounts as reductions."""
        return -self.applied


def allocate_payment(
    amount: int, balance: Components, waterfall: tuple[str, ...] = DEFAULT_WATERFALL
) -> Allocation:
    """Split `amount` (minor units) over the balance in waterfall order."""
    if type(amount) is not int or amount <= 0:
        raise ValueError("a payment is a positive whole number of minor units")
    if sorted(waterfall) != sorted(DEFAULT_WATERFALL):
        raise ValueError("the waterfall must name fee, interest and principal once each")
    remaining = amount
    applied = {"principal": 0, "interest": 0, "fee": 0}
    for component in waterfall:
        owed = max(getattr(balance, component), 0)
        take = min(owed, remaining)
        applied[component] = take
        remaining -= take
    return Allocation(Components(**applied), remaining)
