"""The one clock: days where a person lives, the business time zone, one time-zone database."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version

import pytest

from portal.clock import business_today, business_zone, today_for, zone
from portal.config import load_config
from tests.helpers import FROZEN_AT, TODAY


@dataclass
class Person:
    time_zone: str | None


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("time_zone", "at", "today"),
    [
        # Shanghai is UTC+8 all year: its day starts at 16:00 UTC the day before.
        ("Asia/Shanghai", utc(2026, 11, 20, 15, 59, 59), date(2026, 11, 20)),
        ("Asia/Shanghai", utc(2026, 11, 20, 16, 0, 0), date(2026, 11, 21)),
        ("Asia/Shanghai", utc(2026, 12, 31, 16, 0, 0), date(2027, 1, 1)),
        # British Columbia keeps UTC-7 all year from November 2026 (tzdata 2026): its day starts
        # at 07:00 UTC, where older time-zone data (UTC-8, PST) would say 08:00.
        ("America/Vancouver", utc(2026, 11, 21, 6, 59, 59), date(2026, 11, 20)),
        ("America/Vancouver", utc(2026, 11, 21, 7, 0, 0), date(2026, 11, 21)),
        ("America/Vancouver", utc(2026, 7, 1, 6, 59, 59), date(2026, 6, 30)),
        ("America/Vancouver", utc(2026, 7, 1, 7, 0, 0), date(2026, 7, 1)),
        # No zone of their own (or one no database knows): the business time zone.
        (None, utc(2026, 11, 20, 16, 0, 0), date(2026, 11, 21)),
        ("Atlantis/Capital", utc(2026, 11, 20, 16, 0, 0), date(2026, 11, 21)),
    ],
)
def test_today_for_a_person_turns_at_their_midnight(time_zone, at, today):
    assert today_for(Person(time_zone), at) == today


def test_today_comes_from_the_frozen_clock_not_the_machine(clock):
    person = Person("Asia/Shanghai")
    assert clock.now() - FROZEN_AT < timedelta(minutes=1)
    assert today_for(person) == TODAY
    clock.move_to(utc(2026, 11, 20, 15, 59, 59), tick=False)
    assert today_for(person) == TODAY
    clock.shift(timedelta(seconds=1))
    assert today_for(person) == TODAY + timedelta(days=1)
    assert today_for(Person("America/Vancouver")) == TODAY


def test_the_business_time_zone_comes_from_the_configuration(app, monkeypatch, tmp_path):
    assert business_zone().key == "Asia/Shanghai"  # outside an app: the default
    with app.app_context():
        assert business_zone().key == "Asia/Shanghai"  # the tests' configuration
        app.config["BUSINESS_TIME_ZONE"] = "America/Vancouver"
        assert business_zone().key == "America/Vancouver"
        assert business_today(utc(2026, 11, 21, 6, 59)) == date(2026, 11, 20)
        assert today_for(Person(None), utc(2026, 11, 21, 7, 0)) == date(2026, 11, 21)
    monkeypatch.setenv("BUSINESS_TIME_ZONE", "America/Vancouver")
    settings = load_config(str(tmp_path))
    assert settings["BUSINESS_TIME_ZONE"] == settings["BABEL_DEFAULT_TIMEZONE"]
    assert settings["BUSINESS_TIME_ZONE"] == "America/Vancouver"


def test_time_zones_come_from_the_pinned_tzdata_package_only():
    assert zoneinfo.TZPATH == ()  # never the operating system's copy
    assert version("tzdata").startswith("2026")
    vancouver = utc(2026, 11, 20, 12).astimezone(zone("America/Vancouver"))
    assert vancouver.utcoffset() == timedelta(hours=-7)
