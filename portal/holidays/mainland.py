"""The mainland-China business calendar shipped with the portal.

2026: the State Council's schedule (国办发明电〔2025〕7号, 2025-11-04), holidays and make-up working
days. 2027: the statutory holidays only (全国年节及纪念日放假办法 as amended in 2024: 元旦 1 day,
春节 4 days from the eve, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3), on the dates of the
astronomical calendar: 春节 2027-02-06 (除夕 02-05), 清明 04-05, 端午 06-09, 中秋 09-15.
The State Council publishes the 2027 bridge days and make-up working days late in 2026;
administrators enter them on the calendar page and mark the year official there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.holidays.rules import HOLIDAY, WORKDAY

# The years whose shipped days are the State Council's published schedule, with its notice.
# The other shipped years (2027) are provisional: statutory holidays by rule, no bridge days and
# no make-up working days, until an administrator enters the published schedule.
OFFICIAL_SOURCES = {2026: "国办发明电〔2025〕7号"}
# When that schedule was published (the time the shipped year counts as marked official).
OFFICIAL_SINCE = {2026: datetime(2025, 11, 4, tzinfo=UTC)}


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def mainland_calendar() -> list[tuple[date, str, str]]:
    """(day, kind, name) for every exception to Monday-to-Friday in 2026 and 2027."""
    holidays = {
        "元旦": _span(date(2026, 1, 1), date(2026, 1, 3)) + [date(2027, 1, 1)],
        "春节": _span(date(2026, 2, 15), date(2026, 2, 23))
        + _span(date(2027, 2, 5), date(2027, 2, 8)),
        "清明节": _span(date(2026, 4, 4), date(2026, 4, 6)) + [date(2027, 4, 5)],
        "劳动节": _span(date(2026, 5, 1), date(2026, 5, 5))
        + _span(date(2027, 5, 1), date(2027, 5, 2)),
        "端午节": _span(date(2026, 6, 19), date(2026, 6, 21)) + [date(2027, 6, 9)],
        "中秋节": _span(date(2026, 9, 25), date(2026, 9, 27)) + [date(2027, 9, 15)],
        "国庆节": _span(date(2026, 10, 1), date(2026, 10, 7))
        + _span(date(2027, 10, 1), date(2027, 10, 3)),
    }
    workdays = {
        "元旦": [date(2026, 1, 4)],
        "春节": [date(2026, 2, 14), date(2026, 2, 28)],
        "劳动节": [date(2026, 5, 9)],
        "国庆节": [date(2026, 9, 20), date(2026, 10, 10)],
    }
    return sorted(
        [(day, HOLIDAY, name) for name, days in holidays.items() for day in days]
        + [(day, WORKDAY, name) for name, days in workdays.items() for day in days]
    )
