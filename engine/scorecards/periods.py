"""The Jalali periods a scorecard covers: a half year (the evaluation's periods) or a whole year."""

from __future__ import annotations

from datetime import UTC, datetime, time

import jdatetime

from engine.calendar.jalali import TEHRAN, to_latin_digits
from engine.errors import N_, InvalidData

PERIODS = ("first_half", "second_half", "year")


def period_bounds(year, period: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a Jalali period: ``first_half`` is Farvardin to Shahrivar, ``second_half``
    Mehr to Esfand, ``year`` the whole year."""
    try:
        year = int(to_latin_digits(str(year)))
        if period not in PERIODS or not 1300 <= year <= 1500:
            raise ValueError
    except ValueError:
        raise InvalidData(
            N_("Choose a Jalali year and a period."), field_errors={"period": N_("Invalid period.")}
        ) from None
    first, after = {
        "first_half": ((year, 1), (year, 7)),
        "second_half": ((year, 7), (year + 1, 1)),
        "year": ((year, 1), (year + 1, 1)),
    }[period]
    return _start_of(*first), _start_of(*after)


def _start_of(year: int, month: int) -> datetime:
    day = jdatetime.date(year, month, 1).togregorian()
    return datetime.combine(day, time(0), tzinfo=TEHRAN).astimezone(UTC)


def current_period(now: datetime) -> tuple[int, str]:
    """The Jalali year and half year of a moment (in Tehran)."""
    today = jdatetime.date.fromgregorian(date=now.astimezone(TEHRAN).date())
    return today.year, "first_half" if today.month <= 6 else "second_half"
