"""The calendar functions BPMN scripts may call by name."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from engine import clock
from engine.calendar.jalali import (
    _BIDI_MARKS,
    from_jalali_str,
    to_gregorian,
    to_jalali_str,
    to_latin_digits,
)
from engine.calendar.working import (
    WorkingCalendar,
    get_default_calendar,
)


def _coerce_temporal(value: Any) -> date | datetime:
    """Script inputs: date/datetime/jdatetime, a Jalali string, or an ISO-8601 Gregorian string.

    A string whose year is below 1700 is read as Jalali ('1405/01/12', '۱۴۰۵-۰۱-۱۲'), otherwise
    as ISO ('2026-04-01', '2026-04-01T10:00:00+00:00'; a naive ISO datetime is UTC).
    """
    if not isinstance(value, str):
        return to_gregorian(value)
    text = to_latin_digits(value.translate(_BIDI_MARKS)).strip()
    head = re.match(r"[0-9]{4}", text)
    if head is not None and int(head[0]) < 1700:
        return from_jalali_str(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"invalid date {value!r}: expected a Jalali date (1405/01/12) or an ISO date"
        ) from None
    is_date_only = len(text) == 10 and parsed.time() == time(0) and parsed.tzinfo is None
    return parsed.date() if is_date_only else parsed


def _coerce_count(n: Any) -> int:
    """Script inputs: an int, an integral float or a digit string (Persian digits allowed)."""
    if isinstance(n, str):
        text = to_latin_digits(n).strip()
        if not re.fullmatch(r"[0-9]+", text):
            raise ValueError(f"invalid number of working days: {n!r}")
        return int(text)
    if isinstance(n, float) and n.is_integer():
        return int(n)
    return n


def script_helpers(
    calendar: WorkingCalendar | Callable[[], WorkingCalendar] | None = None,
) -> dict[str, Callable[..., Any]]:
    """Functions that BPMN scripts may call by name; they take and return plain values.

    Date arguments may be date/datetime values or strings (Jalali or ISO). ``calendar`` is a calendar,
    or a function giving the current one at each call (the context's, which follows closures); with
    ``None`` the default calendar is looked up at each call. "Now" is the clock of the running unit of
    work (``engine.clock.current()``).
    """

    def cal() -> WorkingCalendar:
        if calendar is None:
            return get_default_calendar()
        return calendar() if callable(calendar) else calendar

    def add_working_days(start: Any, n: Any) -> datetime:
        """Due moment (aware, Tehran) n working days after start."""
        return cal().add_working_days(_coerce_temporal(start), _coerce_count(n))

    def working_days_between(a: Any, b: Any) -> int:
        """Working days after a up to and including b (negative if b < a)."""
        return cal().working_days_between(_coerce_temporal(a), _coerce_temporal(b))

    def is_working_day(d: Any) -> bool:
        """True if d is a working day."""
        return cal().is_working_day(_coerce_temporal(d))

    def to_jalali_str_(value: Any, with_time: bool = False, persian_digits: bool = True) -> str:
        """Jalali 'YYYY/MM/DD' (optionally with ' HH:MM' in Tehran time)."""
        return to_jalali_str(_coerce_temporal(value), with_time=with_time, persian_digits=persian_digits)

    def from_jalali_str_(s: str) -> date:
        """Parse a Jalali date string into a date."""
        return from_jalali_str(s)

    def jalali_today_(persian_digits: bool = True) -> str:
        """Today's Jalali date in Tehran."""
        return to_jalali_str(clock.current().now(), persian_digits=persian_digits)

    def working_days_later(n: Any) -> str:
        """The due moment n working days from now, as an ISO string: usable as a BPMN timeDate."""
        return cal().add_working_days(clock.current().now(), _coerce_count(n)).isoformat()

    to_jalali_str_.__name__ = "to_jalali_str"
    from_jalali_str_.__name__ = "from_jalali_str"
    jalali_today_.__name__ = "jalali_today"
    return {
        "add_working_days": add_working_days,
        "working_days_between": working_days_between,
        "to_jalali_str": to_jalali_str_,
        "from_jalali_str": from_jalali_str_,
        "is_working_day": is_working_day,
        "jalali_today": jalali_today_,
        "working_days_later": working_days_later,
    }
