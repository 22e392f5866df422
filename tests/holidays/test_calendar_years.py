"""The shipped calendar's dates, and which years are the published schedule or provisional."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from portal.holidays.mainland import OFFICIAL_SOURCES, mainland_calendar
from portal.holidays.models import CalendarYear
from portal.holidays.rules import HOLIDAY, WORKDAY


def _days(year, kind):
    return {day for day, k, _ in mainland_calendar() if day.year == year and k == kind}


def _span(first, last):
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def test_2026_is_the_state_councils_published_schedule():
    # 国办发明电〔2025〕7号: 9 days of Spring Festival, 5 of Labour Day, 7 of National Day, and
    # six make-up working days.
    assert _days(2026, HOLIDAY) == (
        _span(date(2026, 1, 1), date(2026, 1, 3))
        | _span(date(2026, 2, 15), date(2026, 2, 23))
        | _span(date(2026, 4, 4), date(2026, 4, 6))
        | _span(date(2026, 5, 1), date(2026, 5, 5))
        | _span(date(2026, 6, 19), date(2026, 6, 21))
        | _span(date(2026, 9, 25), date(2026, 9, 27))
        | _span(date(2026, 10, 1), date(2026, 10, 7))
    )
    assert _days(2026, WORKDAY) == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    assert set(OFFICIAL_SOURCES) == {2026}


@pytest.mark.parametrize(
    "festival, days",
    [
        ("元旦", {date(2027, 1, 1)}),
        # 除夕 and 正月初一 to 初三: the new moon of 2027-02-06 (UTC+8) begins the year.
        ("春节", _span(date(2027, 2, 5), date(2027, 2, 8))),
        # The sun reaches 15° of ecliptic longitude on 2027-04-05, 08:13 (UTC+8).
        ("清明节", {date(2027, 4, 5)}),
        ("劳动节", {date(2027, 5, 1), date(2027, 5, 2)}),
        # 五月初五: the fifth month begins with the new moon of 2027-06-05.
        ("端午节", {date(2027, 6, 9)}),
        # 八月十五: the eighth month begins with the new moon of 2027-09-01.
        ("中秋节", {date(2027, 9, 15)}),
        ("国庆节", _span(date(2027, 10, 1), date(2027, 10, 3))),
    ],
)
def test_2027_holds_the_statutory_days_on_their_astronomical_dates(festival, days):
    shipped = {
        day for day, _kind, name in mainland_calendar() if day.year == 2027 and name == festival
    }
    assert shipped == days
    assert all(kind == HOLIDAY for day, kind, _ in mainland_calendar() if day in days)


def test_2027_has_no_make_up_working_days_until_they_are_published():
    assert _days(2027, WORKDAY) == set()
    assert len(_days(2027, HOLIDAY)) == 13


def _admin(client, login_as):
    login_as("admin")
    client.post("/language", data={"language": "en", "next": "/"})


def test_the_calendar_page_says_which_years_are_official_and_which_provisional(client, login_as):
    _admin(client, login_as)
    official = client.get("/staff/rules/calendar", query_string={"year": 2026}).text
    assert "2026: official schedule" in official
    assert "国办发明电〔2025〕7号" in official
    provisional = client.get("/staff/rules/calendar", query_string={"year": 2027}).text
    assert "2027: provisional, not the official schedule yet" in provisional
    assert "make-up working days (调休)" in provisional
    assert "Mark 2027 as the official schedule" in provisional
    assert ">2026</a>: official" in provisional
    assert ">2027</a>: <strong>provisional</strong>" in provisional
    empty = client.get("/staff/rules/calendar", query_string={"year": 2030}).text
    assert "No day of 2030 is in the calendar" in empty


def test_an_administrator_marks_a_year_official_once_and_can_take_it_back_audited(
    app, client, login_as
):
    _admin(client, login_as)
    refused = client.post("/staff/rules/calendar/official?year=2027", data={"source": " "})
    assert "Enter where the schedule was published." in refused.text
    marked = client.post(
        "/staff/rules/calendar/official?year=2027", data={"source": "国办发明电〔2026〕9号"}
    )
    assert marked.status_code == 302
    page = client.get("/staff/rules/calendar", query_string={"year": 2027}).text
    assert "2027: official schedule" in page and "国办发明电〔2026〕9号" in page
    again = client.post("/staff/rules/calendar/official?year=2027", data={"source": "x"})
    assert "This year is already marked as the official schedule." in again.text
    taken_back = client.post("/staff/rules/calendar/provisional?year=2027")
    assert taken_back.status_code == 302
    page = client.get("/staff/rules/calendar", query_string={"year": 2027}).text
    assert "2027: provisional" in page
    with app.app_context():
        assert db.session.get(CalendarYear, 2027) is None
        actions = list(
            db.session.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.action.like("calendar.year_%"))
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["calendar.year_official", "calendar.year_provisional"]
    assert client.post("/staff/rules/calendar/provisional?year=2027").status_code == 404


@pytest.mark.parametrize("source", ["\x00国办", "x" * 201, "<script>alert(1)</script>" * 9])
def test_the_official_mark_refuses_unusable_text_with_a_message(client, login_as, source):
    _admin(client, login_as)
    response = client.post("/staff/rules/calendar/official?year=2027", data={"source": source})
    assert response.status_code == 200
    assert 'id="source-error"' in response.text
    page = client.get("/staff/rules/calendar", query_string={"year": 2027}).text
    assert "2027: provisional" in page
