"""Extra non-working days that administrators add to Iran's official holidays (e.g. a snow closure)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.calendar.jalali import from_jalali_str, to_jalali_str
from engine.context import Context
from engine.errors import N_, Conflict, InvalidData
from engine.models import CalendarClosure


def parse_day(text: str) -> date:
    try:
        return from_jalali_str(text)
    except (TypeError, ValueError) as exc:
        raise InvalidData(N_("'{text}' is not a Jalali date like 1405/01/12."), text=text) from exc


def add_closure(ctx: Context, day: date, reason: str) -> dict:
    with ctx.db.transaction() as session:
        if session.get(CalendarClosure, day) is not None:
            raise Conflict(N_("{day} is already a closure."), day=to_jalali_str(day, persian_digits=False))
        session.add(CalendarClosure(day=day, reason=reason))
    ctx.refresh_calendar()
    return {"day": to_jalali_str(day, persian_digits=False), "reason": reason}


def list_closures(ctx: Context) -> list[dict]:
    with ctx.db.read() as session:
        rows = session.scalars(select(CalendarClosure).order_by(CalendarClosure.day)).all()
        return [{"day": to_jalali_str(r.day, persian_digits=False), "reason": r.reason} for r in rows]
