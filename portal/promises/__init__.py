"""Promises to pay: the borrower names an amount and a date; escalation waits until then."""
