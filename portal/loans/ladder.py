"""The collection stage ladder: which stage a number of days past due falls in."""

from __future__ import annotations

from dataclasses import dataclass

# The default ladder from the product guide: (stage code, first day past due of the stage).
DEFAULT_LADDER: tuple[tuple[str, int], ...] = (
    ("due_reminder", 0),
    ("early_warning", 1),
    ("phone_contact", 4),
    ("agency", 31),
    ("lawyer_letter", 91),
    ("litigation", 121),
)


@dataclass(frozen=True)
class Rung:
    code: str
    min_days_past_due: int


def stage_for(days_past_due: int, ladder: list[Rung]) -> Rung | None:
    """Return the stage a loan this many days past due is in (None before the first rung)."""
    current = None
    for rung in sorted(ladder, key=lambda r: r.min_days_past_due):
        if days_past_due >= rung.min_days_past_due:
            current = rung
    return current
