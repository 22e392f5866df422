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


LONGEST_LADDER_DAYS = 3650


def ladder_problems(ladder: list[Rung]) -> list[tuple[str, dict]]:
    """What is wrong with a proposed ladder: each stage starts on a day past due from 0 to
    LONGEST_LADDER_DAYS, later than the stage before it."""
    problems = []
    previous = None
    for rung in ladder:
        if not 0 <= rung.min_days_past_due <= LONGEST_LADDER_DAYS:
            problems.append(("threshold_out_of_range", {"stage": rung.code}))
        elif previous is not None and rung.min_days_past_due <= previous.min_days_past_due:
            problems.append(
                ("threshold_not_increasing", {"stage": rung.code, "previous": previous.code})
            )
        previous = rung
    return problems
