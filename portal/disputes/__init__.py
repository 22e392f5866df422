"""Disputes of a debt or an amount: the borrower's statement and evidence, the lender's answer."""
