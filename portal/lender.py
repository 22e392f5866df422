"""The lender the portal belongs to, as a borrower's page names it (see config LENDER_*)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.i18n import current_language


@dataclass(frozen=True)
class Lender:
    name: str
    phone: str
    hours: str

    @property
    def phone_link(self) -> str:
        """The number for a tel: link (digits and a leading +)."""
        return "".join(c for c in self.phone if c.isdigit() or c == "+")


def lender(language: str | None = None) -> Lender:
    """The lender's name, customer service number and hours in `language` (the page's)."""
    config = current_app.config
    language = language or current_language()
    names, hours = config["LENDER_NAME"], config["LENDER_HOURS"]
    return Lender(
        names.get(language) or names["zh_Hans"],
        config["LENDER_PHONE"],
        hours.get(language) or hours["zh_Hans"],
    )
