"""The borrower's account: the one model of what is owed, when, and what collection may do
now, and the borrower's composite pages built on it."""
