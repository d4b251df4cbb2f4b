"""The letter registry (دبیرخانه): registry numbers and Jalali dates for the letters processes produce.

Each issuing unit has one numbering series per Jalali year; a letter's number is the series' next one,
``۱۴۰۵/ت/۱۲۳`` (year / unit / sequence). The series row is created if missing (INSERT … ON CONFLICT DO
NOTHING) and then advanced by one UPDATE … RETURNING, which holds the row's lock until the transaction
ends: two letters issued at once wait for each other and get consecutive numbers, on PostgreSQL (row
lock) as on SQLite (one writer). A rolled-back step rolls its number back with it: no gaps.
"""

from __future__ import annotations

from datetime import datetime

import jdatetime
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.calendar.jalali import TEHRAN, to_persian_digits
from engine.errors import N_, Conflict
from engine.models import Letter, LetterSeries, OrgUnit

# The short names the registry writes for the PR Deputy's own units; a region is م and its number.
_PREFIXES = {
    "center": "م‌ا",
    "pr_deputy": "ر",
    "dept_coord": "ه",
    "dept_social": "اج",
    "dept_opinion": "اف",
    "dept_protocol": "ت",
}


def unit_prefix(unit: OrgUnit) -> str:
    """The unit's part of a registry number: ت for protocol, م۵ for region 5, else the unit's code."""
    if unit.code in _PREFIXES:
        return _PREFIXES[unit.code]
    if unit.kind == "region" and unit.code.rsplit("-", 1)[-1].isdigit():
        return "م" + to_persian_digits(int(unit.code.rsplit("-", 1)[-1]))
    return unit.code


def jalali_year_and_date(now: datetime) -> tuple[int, str]:
    """The Jalali year and date (``1405/09/05``, Latin digits) of a moment, in Tehran."""
    day = jdatetime.date.fromgregorian(date=now.astimezone(TEHRAN).date())
    return day.year, f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def _insert_series(session: Session):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(LetterSeries.__table__)


def next_number(session: Session, unit: OrgUnit, year: int) -> tuple[int, str, int]:
    """(series id, prefix, number) of the next letter of ``unit`` in ``year``; locks the series row."""
    prefix = unit_prefix(unit)
    session.execute(
        _insert_series(session)
        .values(unit_id=unit.id, year=year, prefix=prefix, last_number=0)
        .on_conflict_do_nothing(index_elements=["unit_id", "year"])
    )
    series = LetterSeries.__table__
    row = session.execute(
        update(series)
        .where(series.c.unit_id == unit.id, series.c.year == year)
        .values(last_number=series.c.last_number + 1)
        .returning(series.c.id, series.c.prefix, series.c.last_number)
    ).one()
    return row.id, row.prefix, row.last_number


def issue(
    session: Session,
    unit_id: int | None,
    instance_id: int,
    kind: str,
    now: datetime,
    subject: str | None = None,
    task_id: str | None = None,
    element_name: str | None = None,
    actor: str | None = None,
) -> dict:
    """Give a letter its registry number and date in the caller's transaction; returns the letter."""
    unit = session.get(OrgUnit, unit_id) if unit_id is not None else None
    if unit is None:
        raise Conflict(N_("No unit issues letters for this task."))
    year, jalali_date = jalali_year_and_date(now)
    series_id, prefix, number = next_number(session, unit, year)
    letter = Letter(
        series_id=series_id,
        number=number,
        registry_number=f"{to_persian_digits(year)}/{prefix}/{to_persian_digits(number)}",
        jalali_date=jalali_date,
        kind=kind,
        subject=(subject or "")[:300] or None,
        instance_id=instance_id,
        task_id=task_id,
        element_name=element_name,
        issued_by=actor,
        issued_at=now,
    )
    session.add(letter)
    session.flush()
    return letter_dict(letter)


def letter_dict(letter: Letter) -> dict:
    return {
        "id": letter.id,
        "number": letter.registry_number,
        "date": to_persian_digits(letter.jalali_date),
        "kind": letter.kind,
        "subject": letter.subject,
        "task_id": letter.task_id,
        "element_name": letter.element_name,
        "issued_by": letter.issued_by,
        "issued_at": letter.issued_at.isoformat(),
    }


def letters_of(session: Session, instance_id: int) -> list[dict]:
    """The letters of a case, in the order they were issued."""
    rows = session.scalars(select(Letter).where(Letter.instance_id == instance_id).order_by(Letter.id))
    return [letter_dict(letter) for letter in rows]
