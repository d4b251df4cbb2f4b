"""Working-day calendar and Solar Hijri (Jalali) date helpers.

A plain library (no Flask, no database): Ravand uses it for SLA due dates, timers and form/script
date handling.

Conventions used throughout this module:

* Local time is ``Asia/Tehran`` (``zoneinfo``) unless a calendar is built with another ``tz``.
* A **naive datetime is taken as UTC** (the engine stores UTC); an aware datetime is converted to
  local time. A plain ``date`` is already a local calendar day. ``jdatetime.date`` and
  ``jdatetime.datetime`` values are accepted wherever a date/datetime is.
* The working week is Saturday to Wednesday. Thursday is configurable (``'off'``, ``'half'`` or
  ``'full'``), Friday is always the weekend. Iran's official holidays (from the ``holidays``
  package, cached per year) and administrator closures are not working days.

Semantics of "n working days" (``WorkingCalendar.add_working_days``), SLA style:

* Only the **local date** of the start matters, never its time of day: a case started on
  Wednesday at 08:05 and one started on Wednesday at 23:50 get the same due moment.
* ``n >= 1``: day 1 is the first working day strictly *after* the start date, day k the k-th; the
  result is the end of working hours (e.g. 16:00, 12:00 on a half Thursday) of day n, as an aware
  datetime in local time. The handler therefore always gets n whole working days. A start on a
  non-working day (Friday, a holiday) thus counts from the next working day, which is day 1.
* ``n == 0``: the end of the start date if it is a working day, else the end of the next working
  day (so for a non-working start, ``n=0`` and ``n=1`` give the same moment).
* Example (default calendar, Thursday off): Wednesday 1405/01/12 (itself a holiday) + 5 working
  days: 01/13 Thursday (Nature's Day), 01/14 Friday are skipped; days 1-5 are Saturday 01/15 to
  Wednesday 01/19, so the due moment is 1405/01/19 16:00 Tehran time.
* ``working_days_between(a, b)`` counts the working days d with ``date(a) < d <= date(b)``
  (negative, ``-working_days_between(b, a)``, when b is before a), so
  ``working_days_between(s, add_working_days(s, n)) == n`` for every start s and every n >= 1
  (and for n == 0 when s is on a working day)."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import holidays

from engine.calendar.jalali import TEHRAN, as_aware, from_jalali_str, local_date, to_gregorian

THURSDAY_MODES = ("off", "half", "full")
#: Upper bound for ``n`` in ``add_working_days`` (about 40 years); protects the script sandbox.
MAX_WORKING_DAYS = 10_000
#: ``next_working_day`` gives up after this many consecutive non-working days.
_MAX_SEARCH_DAYS = 3 * 366
_FRIDAY = 4
_THURSDAY = 3
_DEFAULT_CLOSURE_NAME = "تعطیلی اداری"  # "administrative closure"
_EMPTY: Mapping[date, str] = MappingProxyType({})


def _check_count(n: Any, limit: int = MAX_WORKING_DAYS) -> int:
    if isinstance(n, bool):
        raise TypeError("the number of working days must be an integer, not bool")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"the number of working days must be an integer, got {type(n).__name__}") from None
    if n < 0:
        raise ValueError(f"the number of working days must not be negative, got {n}")
    if n > limit:
        raise ValueError(f"the number of working days must be at most {limit}, got {n}")
    return n


@lru_cache(maxsize=128)
def _official_holidays_for_year(year: int, language: str) -> Mapping[date, str]:
    """Iran's official holidays of one Gregorian year (cached: building them is slowish)."""
    start = getattr(holidays.Iran, "start_year", 1980)
    end = getattr(holidays.Iran, "end_year", 2100)
    if not start <= year <= end:
        return _EMPTY
    return MappingProxyType(dict(holidays.Iran(years=year, language=language).items()))


def _official_holidays(year: int, language: str) -> Mapping[date, str]:
    if not 1 <= year <= 9999:
        return _EMPTY
    return _official_holidays_for_year(year, language)


class WorkingCalendar:
    """Iranian working-day calendar: Sat-Wed working, Thursday configurable, Friday weekend.

    ``extra_closures`` are additional non-working dates (administrator closures). Items may be
    dates, jdatetime dates or Jalali strings; if a mapping ``{date: name}`` is given, the names are
    used by ``holiday_name``. ``language`` selects the language of official holiday names
    (``'fa_IR'`` or ``'en_US'``). Instances are immutable and thread-safe.
    """

    def __init__(
        self,
        thursday: str = "off",
        extra_closures: Iterable[date] | Mapping[date, str] = (),
        tz: tzinfo = TEHRAN,
        work_start: time = time(8, 0),
        work_end: time = time(16, 0),
        half_day_end: time = time(12, 0),
        language: str = "fa_IR",
        closure_name: str = _DEFAULT_CLOSURE_NAME,
    ) -> None:
        if thursday not in THURSDAY_MODES:
            raise ValueError(f"thursday must be one of {', '.join(THURSDAY_MODES)}; got {thursday!r}")
        if not work_start < work_end:
            raise ValueError("work_start must be before work_end")
        if not work_start < half_day_end <= work_end:
            raise ValueError("half_day_end must be after work_start and not after work_end")
        self._thursday = thursday
        self._tz = tz
        self._work_start = work_start
        self._work_end = work_end
        self._half_day_end = half_day_end
        self._language = language
        names: dict[date, str] = {}
        for item in extra_closures:
            label = extra_closures[item] if isinstance(extra_closures, Mapping) else None
            day = from_jalali_str(item) if isinstance(item, str) else local_date(item, tz)
            names[day] = str(label) if label else closure_name
        self._closures: Mapping[date, str] = MappingProxyType(names)
        working = {5, 6, 0, 1, 2}  # Saturday .. Wednesday (date.weekday(): Monday == 0)
        if thursday != "off":
            working.add(_THURSDAY)
        self._working_weekdays = frozenset(working)

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(thursday={self._thursday!r}, extra_closures={len(self._closures)} dates, "
            f"tz={self._tz!s}, hours={self._work_start:%H:%M}-{self._work_end:%H:%M})"
        )

    # ----------------------------------------------------------------- properties

    @property
    def thursday(self) -> str:
        """``'off'``, ``'half'`` or ``'full'``."""
        return self._thursday

    @property
    def tz(self) -> tzinfo:
        """The local time zone of this calendar."""
        return self._tz

    @property
    def extra_closures(self) -> frozenset[date]:
        """The administrator closures."""
        return frozenset(self._closures)

    # ----------------------------------------------------------------- days

    def local_date(self, value: date | datetime) -> date:
        """The local calendar day of ``value`` (naive datetimes are UTC)."""
        return local_date(value, self._tz)

    def today(self) -> date:
        """Today's date in local time."""
        return datetime.now(self._tz).date()

    def is_weekend(self, d: date | datetime) -> bool:
        """Friday, and Thursday when ``thursday='off'``."""
        return self.local_date(d).weekday() not in self._working_weekdays

    def official_holiday_name(self, d: date | datetime) -> str | None:
        """Name of Iran's official holiday on ``d`` (several joined by '; '), or None."""
        day = self.local_date(d)
        return _official_holidays(day.year, self._language).get(day)

    def holiday_name(self, d: date | datetime) -> str | None:
        """Name of the official holiday or administrator closure on ``d``, or None.

        Ordinary weekends (Friday, an off Thursday) are not holidays and give None.
        """
        day = self.local_date(d)
        names = [n for n in (self.official_holiday_name(day), self._closures.get(day)) if n]
        return "; ".join(names) if names else None

    def is_holiday(self, d: date | datetime) -> bool:
        """True on an official holiday or an administrator closure."""
        day = self.local_date(d)
        return day in self._closures or day in _official_holidays(day.year, self._language)

    def is_working_day(self, d: date | datetime) -> bool:
        """True if ``d`` (its local date) is neither a weekend day nor a holiday/closure."""
        day = self.local_date(d)
        return day.weekday() in self._working_weekdays and not self.is_holiday(day)

    def next_working_day(self, d: date | datetime) -> date:
        """The first working day strictly after the local date of ``d``."""
        day = self.local_date(d)
        for _ in range(_MAX_SEARCH_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days after {self.local_date(d)}")

    def working_hours(self, d: date | datetime) -> tuple[datetime, datetime] | None:
        """Aware (start, end) of the working hours on the local date of ``d``; None if not working."""
        day = self.local_date(d)
        if not self.is_working_day(day):
            return None
        end = (
            self._half_day_end if day.weekday() == _THURSDAY and self._thursday == "half" else self._work_end
        )
        return (
            datetime.combine(day, self._work_start, tzinfo=self._tz),
            datetime.combine(day, end, tzinfo=self._tz),
        )

    def end_of_working_day(self, d: date | datetime) -> datetime:
        """End of working hours on ``d``; ValueError if it is not a working day."""
        hours = self.working_hours(d)
        if hours is None:
            raise ValueError(f"{self.local_date(d)} is not a working day")
        return hours[1]

    # ----------------------------------------------------------------- arithmetic

    def add_working_days(self, start: datetime | date, n: int) -> datetime:
        """Due moment n working days after ``start`` (see the module docstring for the exact rule).

        Day 1 is the first working day after the start's local date; returns the end of working
        hours of day n as an aware local datetime. ``n=0`` gives the end of the start day if it is
        a working day, else the end of the next working day. ``0 <= n <= MAX_WORKING_DAYS``.
        """
        n = _check_count(n)
        day = self.local_date(start)
        if n == 0:
            if not self.is_working_day(day):
                day = self.next_working_day(day)
        else:
            for _ in range(n):
                day = self.next_working_day(day)
        return self.end_of_working_day(day)

    def working_days_between(self, a: datetime | date, b: datetime | date) -> int:
        """Number of working days d with ``date(a) < d <= date(b)``; negative if b is before a.

        Computed arithmetically (weekday counting minus holidays), so long spans are cheap.
        """
        lo, hi = self.local_date(a), self.local_date(b)
        if hi < lo:
            return -self._count_working_days(hi, lo)
        return self._count_working_days(lo, hi)

    def _count_working_days(self, lo: date, hi: date) -> int:
        """Working days in the half-open interval (lo, hi]."""
        weeks, rest = divmod((hi - lo).days, 7)
        count = weeks * len(self._working_weekdays)
        count += sum(
            1 for k in range(1, rest + 1) if (hi - timedelta(days=k - 1)).weekday() in self._working_weekdays
        )
        closed = {d for d in self._closures if lo < d <= hi}
        for year in range(lo.year, hi.year + 1):
            closed.update(d for d in _official_holidays(year, self._language) if lo < d <= hi)
        return count - sum(1 for d in closed if d.weekday() in self._working_weekdays)

    def add_working_hours(self, start: datetime | date, hours: float | timedelta) -> datetime:
        """Moment after spending ``hours`` of working time from ``start`` (an aware local datetime).

        A date starts at its midnight; a start outside working hours begins at the next working
        hours. Ending exactly at the end of a working day returns that end (not the next start).
        """
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError("hours must not be negative")
        if remaining > timedelta(days=MAX_WORKING_DAYS):
            raise ValueError("hours is too large")
        value = to_gregorian(start)
        if isinstance(value, datetime):
            moment = as_aware(value).astimezone(self._tz)
        else:
            moment = datetime.combine(value, time(0), tzinfo=self._tz)
        day = moment.date()
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        while True:
            begin, end = self.working_hours(day)  # type: ignore[misc]  # day is a working day
            current = max(moment, begin)
            if current < end:
                if remaining <= end - current:
                    return current + remaining
                remaining -= end - current
            day = self.next_working_day(day)


_default_calendar: WorkingCalendar | None = None


def get_default_calendar() -> WorkingCalendar:
    """The calendar used by the module-level functions (Thursday off, no closures until set)."""
    global _default_calendar
    if _default_calendar is None:
        _default_calendar = WorkingCalendar()
    return _default_calendar


def set_default_calendar(calendar: WorkingCalendar | None) -> None:
    """Replace the default calendar (e.g. with closures loaded from the database); None resets it."""
    global _default_calendar
    _default_calendar = calendar


def add_working_days(start: datetime | date, n: int) -> datetime:
    """``WorkingCalendar.add_working_days`` on the default calendar."""
    return get_default_calendar().add_working_days(start, n)


def working_days_between(a: datetime | date, b: datetime | date) -> int:
    """``WorkingCalendar.working_days_between`` on the default calendar."""
    return get_default_calendar().working_days_between(a, b)


def is_working_day(d: date | datetime) -> bool:
    """``WorkingCalendar.is_working_day`` on the default calendar."""
    return get_default_calendar().is_working_day(d)
