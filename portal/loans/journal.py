"""Balance arithmetic: a loan's balance is the sum of its journal entries.

Plain values only; no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass


class JournalError(ValueError):
    """An entry that the journal rules do not allow."""


@dataclass(frozen=True)
class Components:
    """Amounts in minor units split into the parts a balance is made of."""

    principal: int = 0
    interest: int = 0
    fee: int = 0

    def __post_init__(self):
        # One test for the usual case: a page builds hundreds of these.
        if type(self.principal) is int and type(self.interest) is int and type(self.fee) is int:
            return
        for name in ("principal", "interest", "fee"):
            if type(getattr(self, name)) is not int:
                raise JournalError(f"{name} must be an integer number of minor units")

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fee

    def __add__(self, other: Components) -> Components:
        return Components(
            self.principal + other.principal, self.interest + other.interest, self.fee + other.fee
        )

    def __neg__(self) -> Components:
        return Components(-self.principal, -self.interest, -self.fee)

    def is_zero(self) -> bool:
        return self.principal == 0 and self.interest == 0 and self.fee == 0


ZERO = Components()

# Which way each kind of entry may move each component of the balance.
_SIGN_RULES = {
    "charge": lambda v: v >= 0,
    "payment": lambda v: v <= 0,
    "waiver": lambda v: v <= 0,
    "adjustment": lambda v: True,
    "reversal": lambda v: True,
}


def check_entry(kind: str, change: Components) -> None:
    """Refuse an entry whose kind and amounts do not fit together."""
    rule = _SIGN_RULES.get(kind)
    if rule is None:
        raise JournalError(f"unknown journal entry kind {kind!r}")
    if change.is_zero():
        raise JournalError("a journal entry must change the balance")
    if not all(rule(v) for v in (change.principal, change.interest, change.fee)):
        raise JournalError(f"a {kind} cannot move the balance that way")


def apply_entry(balance: Components, kind: str, change: Components) -> Components:
    """Return the balance after an entry, refusing one that leaves a component below zero."""
    check_entry(kind, change)
    after = balance + change
    if min(after.principal, after.interest, after.fee) < 0:
        raise JournalError("an entry cannot take a balance component below zero")
    return after


def balance_of(changes) -> Components:
    """Sum a sequence of entry changes into a balance."""
    total = ZERO
    for change in changes:
        total = total + change
    return total


# What the portal itself writes on the entries it posts (a payment made through it, a refund of
# one). They are not the lender's words: pages show the entry's translated wording instead.
ONLINE_PAYMENT_DESCRIPTION = "Online payment"
REFUND_DESCRIPTION = "Refund"
PORTAL_DESCRIPTIONS = frozenset({ONLINE_PAYMENT_DESCRIPTION, REFUND_DESCRIPTION})


def entry_wording(kind: str, change: Components, reversed_kind: str | None = None) -> str:
    """What an entry did, as a code a page translates, when the lender gave no description.

    A charge of principal alone is the loan paid out, of interest alone interest, of fees alone
    a fee; a reversal of a payment is a refund of it.
    """
    if kind == "charge":
        if change.principal and not change.interest and not change.fee:
            return "payout"
        if change.interest and not change.principal and not change.fee:
            return "interest"
        if change.fee and not change.principal and not change.interest:
            return "fee"
        return "charge"
    if kind == "reversal":
        return "refund" if reversed_kind == "payment" else "reversal"
    return kind
