"""A small server-drawn SVG chart of a loan's balance over time (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WIDTH = 600
HEIGHT = 180
TOP = 10
BOTTOM = 10


@dataclass(frozen=True)
class BalanceChart:
    width: int
    height: int
    line: str  # SVG path of the balance as steps
    area: str  # the same path closed to the baseline, for a light fill
    highest: int  # minor units at the top of the chart
    starts_at: datetime
    ends_at: datetime


def balance_chart(points: list[tuple[datetime, int]], until: datetime) -> BalanceChart | None:
    """Steps of the total balance after each journal entry, from the first entry until `until`.

    None when there is nothing to draw.
    """
    if not points:
        return None
    start = points[0][0]
    end = max(until, points[-1][0])
    span = max((end - start).total_seconds(), 1.0)
    highest = max(max(value for _at, value in points), 1)
    usable = HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        return round((at - start).total_seconds() / span * WIDTH, 1)

    def y(value: int) -> float:
        return round(TOP + usable - max(value, 0) / highest * usable, 1)

    commands = [f"M{x(points[0][0])},{y(points[0][1])}"]
    for at, value in points[1:]:
        commands.append(f"H{x(at)}")
        commands.append(f"V{y(value)}")
    commands.append(f"H{WIDTH}")
    line = " ".join(commands)
    baseline = TOP + usable
    area = f"{line} V{baseline} H{x(points[0][0])} Z"
    return BalanceChart(WIDTH, HEIGHT, line, area, highest, start, end)
