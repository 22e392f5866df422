"""The days on which the business calendar differs from Monday-to-Friday."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.columns import UTCDateTime, one_of
from portal.extensions import db
from portal.holidays.rules import KINDS


class CalendarDay(db.Model):
    """A public holiday, or a weekend day that is a working day (调休)."""

    __tablename__ = "calendar_days"
    __table_args__ = (sa.CheckConstraint(one_of("kind", KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class CalendarYear(db.Model):
    """A year whose calendar is the official schedule (a year without a row is provisional)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Where the schedule comes from, e.g. the State Council notice's number.
    source: Mapped[str] = mapped_column(sa.String(200))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # None for the years shipped with the portal.
    marked_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
