"""Solar Hijri (Jalali) dates and Persian digits: conversions, parsing and formatting."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import jdatetime

TEHRAN = ZoneInfo("Asia/Tehran")
_PERSIAN_DIGITS = "".join(chr(0x06F0 + i) for i in range(10))
_ARABIC_INDIC_DIGITS = "".join(chr(0x0660 + i) for i in range(10))
_LATIN_DIGITS = "0123456789"
_TO_PERSIAN = str.maketrans(_LATIN_DIGITS + _ARABIC_INDIC_DIGITS, _PERSIAN_DIGITS * 2)
_TO_LATIN = str.maketrans(_PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, _LATIN_DIGITS * 2)
# Invisible bidi/format characters that often come along with copy-pasted Persian text.
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"), None)
_BIDI_MARKS.update(dict.fromkeys(range(0x2066, 0x206A)))


_JALALI_RE = re.compile(r"([0-9]{4})([/-])([0-9]{1,2})\2([0-9]{1,2})")


def to_persian_digits(s: str | int) -> str:
    """Replace Latin (0-9) and Arabic-Indic digits with Persian digits; ints are formatted first."""
    return str(s).translate(_TO_PERSIAN)


def to_latin_digits(s: str | int) -> str:
    """Replace Persian and Arabic-Indic digits with Latin digits 0-9."""
    return str(s).translate(_TO_LATIN)


def to_gregorian(value: Any) -> date | datetime:
    """Turn ``jdatetime`` values into stdlib ones; reject anything that is not a date."""
    if isinstance(value, jdatetime.datetime):
        return value.togregorian()
    if isinstance(value, jdatetime.date):
        return value.togregorian()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")


def as_aware(value: datetime) -> datetime:
    """Naive datetimes are UTC by convention."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def local_date(value: Any, tz: tzinfo) -> date:
    """The local calendar day of a date/datetime (naive datetimes are UTC)."""
    value = to_gregorian(value)
    if isinstance(value, datetime):
        return as_aware(value).astimezone(tz).date()
    return value


def to_jalali_str(value: date | datetime, with_time: bool = False, persian_digits: bool = True) -> str:
    """Format as a Jalali date 'YYYY/MM/DD', e.g. '۱۴۰۵/۰۱/۱۲' (or '1405/01/12').

    Datetimes are shown in Tehran time (naive ones are taken as UTC); with ``with_time`` a
    datetime gets ' HH:MM' appended. ``with_time`` has no effect on a plain date.
    """
    value = to_gregorian(value)
    if isinstance(value, datetime):
        local = as_aware(value).astimezone(TEHRAN)
        day: date = local.date()
    else:
        local, day = None, value
    jd = jdatetime.date.fromgregorian(date=day)
    text = f"{jd.year:04d}/{jd.month:02d}/{jd.day:02d}"
    if with_time and local is not None:
        text += f" {local:%H:%M}"
    return to_persian_digits(text) if persian_digits else text


def _jalali_month_length(year: int, month: int) -> int:
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def from_jalali_str(s: str) -> date:
    """Parse a Jalali date 'YYYY/MM/DD' (Persian, Arabic-Indic or Latin digits; '/' or '-').

    Returns the Gregorian ``date``. Raises ValueError with a clear message on bad input.
    """
    if not isinstance(s, str):
        raise TypeError(f"expected a Jalali date string, got {type(s).__name__}")
    text = to_latin_digits(s.translate(_BIDI_MARKS)).strip()
    match = _JALALI_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid Jalali date {s!r}: expected YYYY/MM/DD such as 1405/01/12 or ۱۴۰۵-۰۱-۱۲")
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    if not 1 <= year <= jdatetime.MAXYEAR - 1:
        raise ValueError(f"invalid Jalali date {s!r}: year {year} is out of range")
    if not 1 <= month <= 12:
        raise ValueError(f"invalid Jalali date {s!r}: month must be between 1 and 12, got {month}")
    last = _jalali_month_length(year, month)
    if not 1 <= day <= last:
        raise ValueError(
            f"invalid Jalali date {s!r}: day must be between 1 and {last} in {year}/{month:02d}, got {day}"
        )
    return jdatetime.date(year, month, day).togregorian()


def tehran_today() -> date:
    """Today in Tehran, which from 20:30 UTC on is already the server's tomorrow."""
    return datetime.now(TEHRAN).date()


def jalali_today(persian_digits: bool = True) -> str:
    """Today's Jalali date in Tehran, e.g. '۱۴۰۵/۰۹/۰۵'."""
    return to_jalali_str(tehran_today(), persian_digits=persian_digits)
