"""The business calendar: public holidays and make-up working days (调休) as data."""
