"""The mayor's calendar as people read it: a Jalali month, a week (Saturday to Friday), an iCalendar file.

Each is one read model in one read-only transaction; who may read it is ``Viewer.may_oversee`` of the
mayor's calendar process (the protocol department, the deputy, supervisors whose scope covers it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import jdatetime
from icalendar import Calendar, Event

from engine.calendar.jalali import TEHRAN
from engine.context import Context
from engine.errors import N_, Forbidden, InvalidData
from engine.org.access import load_viewer
from engine.protocol.calendar import Occasion, clashes, occasions

PROCESS = "mayor_calendar"
READERS = ("protocol_expert", "protocol_head", "deputy")


def _check_reader(ctx: Context, session, user: str) -> None:
    if not load_viewer(ctx, session, user, ctx.clock.now()).may_oversee(PROCESS, READERS):
        raise Forbidden(N_("The mayor's calendar is for the protocol department and the deputy."))


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TEHRAN).astimezone(UTC)


def _days(ctx: Context, user: str, first: date, last: date) -> tuple[dict[date, list[dict]], list[dict]]:
    """The occasions of each day from ``first`` to ``last`` and the clashes among them."""
    with ctx.db.read() as session:
        _check_reader(ctx, session, user)
        items = occasions(session, _local_start(first), _local_start(last + timedelta(days=1)))
    found = clashes(items)
    flagged: dict[int, set[str]] = {}
    for c in found:
        for instance_id in (c["first"], c["second"]):
            flagged.setdefault(instance_id, set()).add(c["kind"])
    by_day: dict[date, list[dict]] = {}
    for item in items:
        shown = item.to_dict() | {"clashes": sorted(flagged.get(item.instance_id, ()))}
        by_day.setdefault(item.starts_at.astimezone(TEHRAN).date(), []).append(shown)
    return by_day, found


def _day_cell(day: date, by_day: dict, today: date, in_range: bool = True) -> dict:
    jday = jdatetime.date.fromgregorian(date=day)
    return {
        "date": day.isoformat(),
        "jalali": f"{jday.year:04d}/{jday.month:02d}/{jday.day:02d}",
        "day": jday.day,
        "weekday": jday.weekday(),  # 0 is Saturday
        "in_range": in_range,
        "today": day == today,
        "occasions": by_day.get(day, []),
    }


def month(ctx: Context, user: str, year: int, month_number: int) -> dict:
    """A Jalali month in weeks from Saturday to Friday, with every occasion and clash."""
    try:
        first_j = jdatetime.date(year, month_number, 1)
    except ValueError:
        raise InvalidData(
            N_("There is no such Jalali month."), field_errors={"month": N_("Invalid month.")}
        ) from None
    next_j = jdatetime.date(year + (month_number == 12), month_number % 12 + 1, 1)
    first, after = first_j.togregorian(), next_j.togregorian()
    grid_start = first - timedelta(days=first_j.weekday())
    grid_end = after + timedelta(days=(7 - next_j.weekday()) % 7) - timedelta(days=1)
    by_day, found = _days(ctx, user, grid_start, grid_end)
    today = ctx.clock.now().astimezone(TEHRAN).date()
    cells = [
        _day_cell(
            grid_start + timedelta(days=n), by_day, today, first <= grid_start + timedelta(days=n) < after
        )
        for n in range((grid_end - grid_start).days + 1)
    ]
    previous_j = jdatetime.date(year - (month_number == 1), (month_number - 2) % 12 + 1, 1)
    return {
        "year": year,
        "month": month_number,
        "weeks": [cells[i : i + 7] for i in range(0, len(cells), 7)],
        "clashes": found,
        "previous": {"year": previous_j.year, "month": previous_j.month},
        "next": {"year": next_j.year, "month": next_j.month},
    }


def week(ctx: Context, user: str, day: date) -> dict:
    """The week (Saturday to Friday) holding ``day``, with every occasion and clash."""
    saturday = day - timedelta(days=jdatetime.date.fromgregorian(date=day).weekday())
    friday = saturday + timedelta(days=6)
    by_day, found = _days(ctx, user, saturday, friday)
    today = ctx.clock.now().astimezone(TEHRAN).date()
    jsat = jdatetime.date.fromgregorian(date=saturday)
    return {
        "days": [_day_cell(saturday + timedelta(days=n), by_day, today) for n in range(7)],
        "clashes": found,
        "previous": (saturday - timedelta(days=7)).isoformat(),
        "next": (saturday + timedelta(days=7)).isoformat(),
        "year": jsat.year,
        "month": jsat.month,
    }


def ics(ctx: Context, user: str, first: date, last: date) -> bytes:
    """The accepted (CONFIRMED) and reviewed (TENTATIVE) occasions from ``first`` to ``last`` as an
    iCalendar file (RFC 5545), times in UTC."""
    with ctx.db.read() as session:
        _check_reader(ctx, session, user)
        items = occasions(
            session, _local_start(first), _local_start(last + timedelta(days=1)), ("pending", "accepted")
        )
    calendar = Calendar()
    calendar.add("prodid", "-//Ravand//Mayor's calendar//FA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "تقویم حضور شهردار")
    stamp = ctx.clock.now().astimezone(UTC)
    for item in items:
        calendar.add_component(_event(item, stamp))
    return calendar.to_ical()


def _event(item: Occasion, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"mayor-calendar-{item.instance_id}@ravand")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("dtend", item.ends_at.astimezone(UTC))
    event.add("summary", item.title)
    if item.venue:
        event.add("location", item.venue)
    event.add("status", "CONFIRMED" if item.status == "accepted" else "TENTATIVE")
    return event
