"""Tests for engine.calendar with the real jdatetime and holidays packages (no mocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime
import pytest

from engine.calendar import working
from engine.calendar.jalali import (
    from_jalali_str,
    jalali_today,
    to_jalali_str,
    to_latin_digits,
    to_persian_digits,
)
from engine.calendar.script_helpers import script_helpers
from engine.calendar.working import WorkingCalendar, add_working_days, is_working_day, working_days_between

TEHRAN = ZoneInfo("Asia/Tehran")


def j(s: str) -> date:
    """Shorthand: Latin-digit Jalali string to Gregorian date."""
    return from_jalali_str(s)


def jstr(value: date | datetime) -> str:
    return to_jalali_str(value, persian_digits=False)


# --------------------------------------------------------------------------- the real holiday data


def test_holidays_package_gives_nowruz_and_farvardin_holidays() -> None:
    cal = WorkingCalendar(language="en_US")
    for day in ("1405/01/01", "1405/01/02", "1405/01/03", "1405/01/04"):
        assert "Nowruz" in cal.holiday_name(j(day))
        assert not cal.is_working_day(j(day))
    assert cal.holiday_name(j("1405/01/12")) == "Islamic Republic Day"
    assert cal.holiday_name(j("1405/01/13")) == "Nature's Day"
    # An Islamic (lunar) holiday: Ashura 1405/04/04.
    assert "Ashura" in cal.holiday_name(j("1405/04/04"))
    # Persian names by default.
    assert WorkingCalendar().holiday_name(j("1405/01/12")) == "روز جمهوری اسلامی"


def test_jalali_dates_of_the_examples() -> None:
    assert j("1405/01/12") == date(2026, 4, 1)
    assert j("1405/01/12").weekday() == 2  # Wednesday
    assert j("1404/12/27") == date(2026, 3, 18)
    assert j("1405/09/05") == date(2026, 11, 26)


# --------------------------------------------------------------------------- working days


def test_weekly_pattern() -> None:
    # A week without holidays: Saturday 1405/07/04 (2026-09-26) .. Friday 07/10.
    sat = j("1405/07/04")
    assert sat.weekday() == 5
    week = [sat + timedelta(days=k) for k in range(7)]
    off, half, full = (WorkingCalendar(thursday=m) for m in ("off", "half", "full"))
    assert [off.is_working_day(d) for d in week] == [True] * 5 + [False, False]
    assert [half.is_working_day(d) for d in week] == [True] * 6 + [False]
    assert [full.is_working_day(d) for d in week] == [True] * 6 + [False]
    thu = week[5]
    assert half.working_hours(thu) == (
        datetime.combine(thu, time(8), tzinfo=TEHRAN),
        datetime.combine(thu, time(12), tzinfo=TEHRAN),
    )
    assert full.end_of_working_day(thu) == datetime.combine(thu, time(16), tzinfo=TEHRAN)
    assert off.working_hours(thu) is None
    # Weekends are not holidays.
    assert off.holiday_name(week[6]) is None
    assert off.is_weekend(week[6]) and not off.is_holiday(week[6])


def test_invalid_thursday_mode() -> None:
    with pytest.raises(ValueError, match="thursday"):
        WorkingCalendar(thursday="sometimes")


def test_five_working_days_from_wednesday_1405_01_12() -> None:
    # Start: Wednesday 1405/01/12 (2026-04-01), Islamic Republic Day, itself a holiday.
    # Day 1 is the first working day after the start day:
    #   01/13 Thursday  Nature's Day (and Thursday is off by default)  -> skipped
    #   01/14 Friday    weekend                                          -> skipped
    #   01/15 Saturday  day 1
    #   01/16 Sunday    day 2
    #   01/17 Monday    day 3
    #   01/18 Tuesday   day 4
    #   01/19 Wednesday day 5  -> due 1405/01/19 16:00 Tehran (2026-04-08 12:30 UTC)
    start = j("1405/01/12")
    due = add_working_days(start, 5)
    assert to_jalali_str(due, with_time=True) == "۱۴۰۵/۰۱/۱۹ ۱۶:۰۰"
    assert due == datetime(2026, 4, 8, 16, 0, tzinfo=TEHRAN)
    assert due.utcoffset() == timedelta(hours=3, minutes=30)
    assert due.astimezone(UTC) == datetime(2026, 4, 8, 12, 30, tzinfo=UTC)
    assert working_days_between(start, due) == 5

    # A datetime start: only the Tehran-local date counts, not the time of day.
    assert add_working_days(datetime(2026, 4, 1, 15, 59, tzinfo=TEHRAN), 5) == due
    # Naive datetimes are UTC: 2026-03-31 21:00 UTC is already 1405/01/12 00:30 in Tehran ...
    assert add_working_days(datetime(2026, 3, 31, 21, 0), 5) == due
    # ... but 20:00 UTC is 23:30 on Tuesday 1405/01/11 (a working day): n=0 is that day's end.
    assert jstr(add_working_days(datetime(2026, 3, 31, 20, 0), 0)) == "1405/01/11"
    # The Jalali calendar type is accepted too.
    assert add_working_days(jdatetime.date(1405, 1, 12), 5) == due


def test_five_working_days_with_full_thursday() -> None:
    # With Thursday a full working day, 01/13 is still Nature's Day (a Thursday holiday), so
    # 5 working days still land on Wednesday 1405/01/19 ...
    cal = WorkingCalendar(thursday="full")
    start = j("1405/01/12")
    assert jstr(cal.add_working_days(start, 5)) == "1405/01/19"
    # ... but day 6 is Thursday 1405/01/20 (16:00), where Thursday 'off' gives Saturday 01/22.
    assert cal.add_working_days(start, 6) == datetime(2026, 4, 9, 16, 0, tzinfo=TEHRAN)
    assert jstr(cal.add_working_days(start, 6)) == "1405/01/20"
    assert jstr(add_working_days(start, 6)) == "1405/01/22"
    # A half Thursday ends at 12:00.
    half = WorkingCalendar(thursday="half")
    assert half.add_working_days(start, 6) == datetime(2026, 4, 9, 12, 0, tzinfo=TEHRAN)


def test_five_working_days_with_an_extra_closure() -> None:
    # Closing Sunday 1405/01/16: day 1 Sat 01/15, (01/16 closed), days 2-4 Mon 01/17 .. Wed 01/19,
    # Thursday 01/20 off, Friday 01/21 weekend, day 5 is Saturday 1405/01/22.
    cal = WorkingCalendar(extra_closures=[j("1405/01/16")])
    start = j("1405/01/12")
    due = cal.add_working_days(start, 5)
    assert jstr(due) == "1405/01/22"
    assert due == datetime(2026, 4, 11, 16, 0, tzinfo=TEHRAN)
    assert cal.working_days_between(start, due) == 5
    assert cal.holiday_name(j("1405/01/16")) == "تعطیلی اداری"
    # Closures may be given as Jalali strings, or as a mapping with names.
    named = WorkingCalendar(extra_closures={j("1405/01/16"): "Municipal election"})
    assert named.holiday_name(j("1405/01/16")) == "Municipal election"
    assert WorkingCalendar(extra_closures=["۱۴۰۵/۰۱/۱۶"]).extra_closures == {j("1405/01/16")}
    # A closure on a holiday keeps both names.
    both = WorkingCalendar(extra_closures={j("1405/01/13"): "X"}, language="en_US")
    assert both.holiday_name(j("1405/01/13")) == "Nature's Day; X"


def test_across_nowruz() -> None:
    # Start Wednesday 1404/12/27 (2026-03-18). Skipped: 12/28 Thursday (off), 12/29 Friday (and Oil
    # Nationalization Day), 1405/01/01-01/04 Nowruz (Sat-Tue), so day 1 is Wednesday 1405/01/05.
    # Then 01/06 Thursday and 01/07 Friday are off; days 2-5 are Sat 01/08 .. Tue 01/11.
    # Day 6: 01/12 and 01/13 are holidays, 01/14 is Friday, so Saturday 1405/01/15.
    start = j("1404/12/27")
    assert start.weekday() == 2
    assert jstr(add_working_days(start, 0)) == "1404/12/27"
    assert jstr(add_working_days(start, 1)) == "1405/01/05"
    assert jstr(add_working_days(start, 2)) == "1405/01/08"
    assert jstr(add_working_days(start, 5)) == "1405/01/11"
    assert jstr(add_working_days(start, 6)) == "1405/01/15"
    assert working_days_between(start, j("1405/01/15")) == 6
    # With Thursday full, 12/28 becomes day 1.
    assert jstr(WorkingCalendar(thursday="full").add_working_days(start, 1)) == "1404/12/28"


def test_zero_and_non_working_start() -> None:
    friday = j("1405/07/10")
    assert friday.weekday() == 4
    # n=0 on a working day: the end of that day.
    assert add_working_days(j("1405/07/08"), 0) == datetime.combine(j("1405/07/08"), time(16), tzinfo=TEHRAN)
    # A non-working start counts from the next working day (Saturday), which is day 1; n=0 also
    # gives that day.
    saturday_end = datetime.combine(j("1405/07/11"), time(16), tzinfo=TEHRAN)
    assert add_working_days(friday, 0) == saturday_end
    assert add_working_days(friday, 1) == saturday_end
    assert add_working_days(friday, 2) == saturday_end + timedelta(days=1)


def test_add_working_days_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 4, 1), -1)
    with pytest.raises(TypeError):
        add_working_days(date(2026, 4, 1), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_days(date(2026, 4, 1), True)
    with pytest.raises(ValueError, match="at most"):
        add_working_days(date(2026, 4, 1), working.MAX_WORKING_DAYS + 1)
    with pytest.raises(TypeError):
        add_working_days("2026-04-01", 1)  # type: ignore[arg-type]


def test_next_working_day_is_strictly_after() -> None:
    cal = WorkingCalendar()
    assert jstr(cal.next_working_day(j("1405/07/07"))) == "1405/07/08"  # Tue -> Wed
    assert jstr(cal.next_working_day(j("1405/07/08"))) == "1405/07/11"  # Wed -> Sat
    assert jstr(cal.next_working_day(j("1405/07/10"))) == "1405/07/11"  # Fri -> Sat
    assert jstr(cal.next_working_day(j("1404/12/27"))) == "1405/01/05"  # over Nowruz


@pytest.mark.parametrize(
    "cal",
    [
        WorkingCalendar(),
        WorkingCalendar(thursday="half"),
        WorkingCalendar(thursday="full", extra_closures=[date(2025, 5, 5), date(2026, 1, 6)]),
    ],
    ids=["off", "half", "full+closures"],
)
def test_between_is_consistent_with_add(cal: WorkingCalendar) -> None:
    first = date(2025, 3, 1)
    for i in range(400):
        start = first + timedelta(days=i)
        n = 1 + (i * 7) % 23
        due = cal.add_working_days(start, n)
        assert cal.working_days_between(start, due) == n, (start, n)
        assert cal.working_days_between(due, start) == -n
        # Every whole day before the due day gives fewer than n working days.
        assert cal.working_days_between(start, due - timedelta(days=1)) == n - 1
        zero = cal.add_working_days(start, 0)
        expected_zero = 0 if cal.is_working_day(start) else 1
        assert cal.working_days_between(start, zero) == expected_zero
        # A datetime start on the same Tehran day gives the same result.
        assert cal.add_working_days(datetime.combine(start, time(23, 59), tzinfo=TEHRAN), n) == due


def test_between_matches_brute_force_over_long_spans() -> None:
    cal = WorkingCalendar(extra_closures=[date(2024, 6, 2), date(2031, 1, 1)])
    a, b = date(2023, 12, 30), date(2032, 2, 7)
    brute = sum(cal.is_working_day(a + timedelta(days=k)) for k in range(1, (b - a).days + 1))
    assert cal.working_days_between(a, b) == brute
    assert cal.working_days_between(b, a) == -brute
    assert cal.working_days_between(a, a) == 0
    # Datetimes: the Tehran-local date counts.
    late = datetime(2026, 4, 7, 23, 0, tzinfo=TEHRAN)  # Tuesday 1405/01/18
    assert working_days_between(j("1405/01/17"), late) == 1
    assert working_days_between(j("1405/01/17"), datetime(2026, 4, 7, 21, 0)) == 2  # 00:30 Wed, UTC naive
    # Outside the years the holidays package knows, only weekdays count (and it stays fast).
    assert cal.working_days_between(date(2200, 1, 1), date(2200, 1, 8)) == 5


def test_module_level_is_working_day() -> None:
    assert is_working_day(j("1405/01/15"))
    assert not is_working_day(j("1405/01/12"))
    assert not is_working_day(datetime(2026, 3, 31, 21, 0))  # 1405/01/12 00:30 Tehran


def test_holiday_lookups_are_cached_per_year() -> None:
    lookup = working._official_holidays_for_year
    assert lookup(2026, "fa_IR") is lookup(2026, "fa_IR")
    before = lookup.cache_info().hits
    WorkingCalendar().working_days_between(date(2026, 1, 1), date(2026, 12, 31))
    assert lookup.cache_info().hits > before


def test_add_working_hours() -> None:
    cal = WorkingCalendar()
    # Tuesday 1405/01/11 15:00: 1 h left that day; 01/12-01/14 closed; 2 h more on Sat 01/15.
    start = datetime.combine(j("1405/01/11"), time(15), tzinfo=TEHRAN)
    assert cal.add_working_hours(start, 3) == datetime.combine(j("1405/01/15"), time(10), tzinfo=TEHRAN)
    # Ending exactly at the end of the day stays on that day.
    assert cal.add_working_hours(start, 1) == datetime.combine(j("1405/01/11"), time(16), tzinfo=TEHRAN)
    # Before working hours and a plain date start at 08:00; a full day is 8 hours.
    assert cal.add_working_hours(j("1405/01/15"), timedelta(hours=8)) == datetime.combine(
        j("1405/01/15"), time(16), tzinfo=TEHRAN
    )
    # Naive UTC input: 2026-04-04 05:30 UTC = 09:00 Tehran.
    assert cal.add_working_hours(datetime(2026, 4, 4, 5, 30), 0.5) == datetime.combine(
        j("1405/01/15"), time(9, 30), tzinfo=TEHRAN
    )
    with pytest.raises(ValueError):
        cal.add_working_hours(start, -1)


# --------------------------------------------------------------------------- digits and Jalali strings


def test_digit_conversion() -> None:
    assert to_persian_digits("1405/01/12") == "۱۴۰۵/۰۱/۱۲"
    assert to_persian_digits(2026) == "۲۰۲۶"
    assert to_latin_digits("۱۴۰۵/۰۱/۱۲") == "1405/01/12"
    assert to_latin_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"  # Arabic-Indic
    assert to_persian_digits("٠١٢٣٤٥٦٧٨٩") == "۰۱۲۳۴۵۶۷۸۹"
    text = "پرونده 123 در ۱۴۰۵"
    assert to_persian_digits(to_latin_digits(text)) == "پرونده ۱۲۳ در ۱۴۰۵"
    assert to_latin_digits(to_persian_digits("0123456789")) == "0123456789"


def test_to_jalali_str() -> None:
    assert to_jalali_str(date(2026, 4, 1)) == "۱۴۰۵/۰۱/۱۲"
    assert to_jalali_str(date(2026, 4, 1), persian_digits=False) == "1405/01/12"
    assert to_jalali_str(date(2026, 4, 1), with_time=True) == "۱۴۰۵/۰۱/۱۲"  # no time on a date
    utc = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert to_jalali_str(utc, with_time=True) == "۱۴۰۵/۰۹/۰۵ ۱۳:۳۰"
    assert to_jalali_str(utc, with_time=True, persian_digits=False) == "1405/09/05 13:30"
    assert to_jalali_str(datetime(2026, 11, 26, 10, 0), with_time=True) == "۱۴۰۵/۰۹/۰۵ ۱۳:۳۰"  # naive = UTC
    assert to_jalali_str(utc) == "۱۴۰۵/۰۹/۰۵"
    # 21:00 UTC is already the next day in Tehran.
    assert to_jalali_str(datetime(2026, 11, 26, 21, 0, tzinfo=UTC), True, False) == "1405/09/06 00:30"
    assert to_jalali_str(jdatetime.date(1405, 1, 12), persian_digits=False) == "1405/01/12"
    with pytest.raises(TypeError):
        to_jalali_str("1405/01/12")  # type: ignore[arg-type]


def test_from_jalali_str_accepts_variants() -> None:
    expected = date(2026, 4, 1)
    for text in (
        "۱۴۰۵/۰۱/۱۲",
        "1405/01/12",
        "1405-01-12",
        "۱۴۰۵-۰۱-۱۲",
        "1405/1/12",
        " ١٤٠٥/٠١/١٢ ",
        "\u200f1405/01/12",
    ):
        assert from_jalali_str(text) == expected, text
    assert from_jalali_str("1403/12/30") == date(2025, 3, 20)  # 1403 is a leap year


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected YYYY/MM/DD"),
        ("hello", "expected YYYY/MM/DD"),
        ("1405/01-12", "expected YYYY/MM/DD"),  # mixed separators
        ("05/01/12", "expected YYYY/MM/DD"),
        ("1405/01/12 10:00", "expected YYYY/MM/DD"),
        ("1405/13/01", "month must be between 1 and 12"),
        ("1405/00/01", "month must be between 1 and 12"),
        ("1405/01/32", "day must be between 1 and 31"),
        ("1405/07/31", "day must be between 1 and 30"),
        ("1404/12/30", "day must be between 1 and 29"),  # 1404 is not a leap year
        ("0000/01/01", "year 0 is out of range"),
    ],
)
def test_from_jalali_str_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        from_jalali_str(text)
    assert repr(text) in str(info.value)


def test_from_jalali_str_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        from_jalali_str(None)  # type: ignore[arg-type]


def test_jalali_round_trip_over_several_years() -> None:
    day = date(2024, 1, 1)
    while day < date(2028, 1, 1):
        assert from_jalali_str(to_jalali_str(day)) == day
        assert from_jalali_str(to_jalali_str(day, persian_digits=False)) == day
        day += timedelta(days=1)


# --------------------------------------------------------------------------- script helpers


def test_script_helpers_names_and_plain_values() -> None:
    helpers = script_helpers()
    assert set(helpers) == {
        "add_working_days",
        "working_days_between",
        "to_jalali_str",
        "from_jalali_str",
        "is_working_day",
        "jalali_today",
        "working_days_later",
    }
    assert all(fn.__name__ == name for name, fn in helpers.items())
    due = helpers["add_working_days"]("۱۴۰۵/۰۱/۱۲", "۵")
    assert isinstance(due, datetime)
    assert helpers["to_jalali_str"](due, True) == "۱۴۰۵/۰۱/۱۹ ۱۶:۰۰"
    assert helpers["add_working_days"]("2026-04-01", 5.0) == due  # ISO Gregorian string
    assert helpers["add_working_days"](date(2026, 4, 1), 5) == due
    assert helpers["working_days_between"]("1405/01/12", due) == 5
    assert helpers["working_days_between"]("2026-04-01T10:00:00+00:00", "1405/01/19") == 5
    assert helpers["is_working_day"]("1405/01/15") is True
    assert helpers["is_working_day"]("1405-01-13") is False
    assert helpers["from_jalali_str"]("1405/01/12") == date(2026, 4, 1)
    assert helpers["to_jalali_str"]("2026-11-26T10:00:00", True, False) == "1405/09/05 13:30"
    with pytest.raises(ValueError):
        helpers["add_working_days"]("1405/01/12", "five")
    with pytest.raises(ValueError):
        helpers["add_working_days"]("not a date", 1)


def test_script_helpers_calendar_and_default() -> None:
    full = script_helpers(WorkingCalendar(thursday="full"))
    assert to_jalali_str(full["add_working_days"]("1405/01/12", 6), persian_digits=False) == "1405/01/20"
    default = script_helpers()
    assert to_jalali_str(default["add_working_days"]("1405/01/12", 6), persian_digits=False) == "1405/01/22"
    # With calendar=None the current default calendar is used at call time.
    working.set_default_calendar(WorkingCalendar(thursday="full"))
    try:
        assert (
            to_jalali_str(default["add_working_days"]("1405/01/12", 6), persian_digits=False) == "1405/01/20"
        )
        assert jstr(add_working_days(j("1405/01/12"), 6)) == "1405/01/20"
    finally:
        working.set_default_calendar(None)
    assert jstr(add_working_days(j("1405/01/12"), 6)) == "1405/01/22"


def test_jalali_today() -> None:
    before = to_jalali_str(datetime.now(TEHRAN).date())
    value = script_helpers()["jalali_today"]()
    after = to_jalali_str(datetime.now(TEHRAN).date())
    assert value in {before, after}
    assert len(value) == 10 and value[4] == "/"
    assert to_latin_digits(jalali_today()) == jalali_today(persian_digits=False)
