"""Corrections of personal data (PIPL Art. 46): the borrower asks, support accepts or refuses."""
