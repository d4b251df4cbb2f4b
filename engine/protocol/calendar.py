"""The mayor's calendar (PROTOCOL-1): the occasions the protocol processes record, and their clashes.

The protocol processes write an occasion with the ``mayorCalendar`` property of a user task (see
``engine.duties.completion``): under review once an invitation is assessed, accepted with its exact
hours once it is entered in the calendar, or handed to a representative, or declined.

Two rules flag a clash between accepted occasions (and between a candidate and them, before it is
accepted):

- **overlap**: the two occasions share some time;
- **travel gap**: they are at different places and less than ``TRAVEL_MINUTES`` (60) lie between the
  end of the first and the start of the second — the time the mayor needs to cross Tehran.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.calendar.jalali import (
    TEHRAN,
    from_jalali_str,
    to_jalali_str,
    to_latin_digits,
    to_persian_digits,
)
from engine.errors import N_, InvalidData
from engine.models import MayorEngagement, ProcessInstance
from engine.states import ACTIVE

DEFAULT_MINUTES = 90
TRAVEL_MINUTES = 60
STATUSES = ("pending", "accepted", "representative", "declined")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class Occasion:
    """An occasion on the calendar, or a candidate for it (``instance_id`` None)."""

    instance_id: int | None
    status: str
    title: str
    venue: str
    starts_at: datetime
    ends_at: datetime

    def to_dict(self) -> dict:
        local_start, local_end = self.starts_at.astimezone(TEHRAN), self.ends_at.astimezone(TEHRAN)
        return {
            "instance_id": self.instance_id,
            "status": self.status,
            "title": self.title,
            "venue": self.venue,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "date": to_jalali_str(local_start, persian_digits=False),
            "start": f"{local_start:%H:%M}",
            "end": f"{local_end:%H:%M}",
        }


def parse_day(value) -> date:
    """A day given as a date, an ISO date (``2026-12-03``) or a Jalali one (``۱۴۰۵/۰۹/۱۲``)."""
    if isinstance(value, datetime):
        return value.astimezone(TEHRAN).date()
    if isinstance(value, date):
        return value
    text = to_latin_digits(str(value or "")).strip()
    try:
        return from_jalali_str(text) if int(text[:4]) < 1700 else date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidData(
            N_("The date of the occasion is not valid."), field_errors={"date": N_("Invalid date.")}
        ) from None


def parse_time(value) -> time:
    match = _TIME.fullmatch(to_latin_digits(str(value or "")).strip())
    if match is None:
        raise InvalidData(
            N_("The time of the occasion is not valid."), field_errors={"time": N_("Invalid time.")}
        )
    return time(int(match[1]), int(match[2]))


def moment(day, at) -> datetime:
    """The UTC moment of a local Tehran day and time."""
    return datetime.combine(parse_day(day), parse_time(at), tzinfo=TEHRAN).astimezone(UTC)


def record(session: Session, instance_id: int, values: dict, now: datetime) -> None:
    """Write the occasion of a case as its process now sees it (in the caller's transaction)."""
    if not isinstance(values, dict):
        raise InvalidData(N_("The mayor's calendar entry of this step is not valid."))
    row = session.scalar(select(MayorEngagement).where(MayorEngagement.instance_id == instance_id))
    status = values.get("status", row.status if row else None)
    if status not in STATUSES:
        raise InvalidData(N_("The mayor's calendar entry of this step is not valid."))
    if row is None:
        row = MayorEngagement(instance_id=instance_id)
        session.add(row)
    minutes = int(values.get("minutes") or (_minutes(row) if row.starts_at else DEFAULT_MINUTES))
    if "date" in values or "time" in values or row.starts_at is None:
        local = row.starts_at.astimezone(TEHRAN) if row.starts_at else None
        row.starts_at = moment(
            values.get("date", local.date() if local else None),
            values.get("time", f"{local:%H:%M}" if local else None),
        )
    row.ends_at = row.starts_at + timedelta(minutes=minutes)
    row.status = status
    row.title = str(values.get("title") or row.title or "")[:300]
    row.venue = str(values.get("venue") or row.venue or "")[:300] or None
    row.updated_at = now


def _minutes(row: MayorEngagement) -> int:
    return int((row.ends_at - row.starts_at).total_seconds() // 60)


def occasions(session: Session, start: datetime, end: datetime, statuses=STATUSES) -> list[Occasion]:
    """The occasions that touch [start, end), earliest first. One under review counts only while its
    case is active (a case stopped by a supervisor is no longer a candidate)."""
    rows = session.execute(
        select(MayorEngagement, ProcessInstance.status)
        .join(ProcessInstance, ProcessInstance.id == MayorEngagement.instance_id)
        .where(
            MayorEngagement.starts_at < end,
            MayorEngagement.ends_at > start,
            MayorEngagement.status.in_(statuses),
            or_(MayorEngagement.status != "pending", ProcessInstance.status.in_(ACTIVE)),
        )
        .order_by(MayorEngagement.starts_at, MayorEngagement.id)
    ).all()
    return [
        Occasion(row.instance_id, row.status, row.title, row.venue or "", row.starts_at, row.ends_at)
        for row, _status in rows
    ]


def _same_place(a: Occasion, b: Occasion) -> bool:
    return " ".join(a.venue.split()) == " ".join(b.venue.split())


def clash(a: Occasion, b: Occasion) -> dict | None:
    """How two occasions clash (``overlap`` or ``travel``, with the minutes between them), or None."""
    first, second = (a, b) if a.starts_at <= b.starts_at else (b, a)
    gap = (second.starts_at - first.ends_at).total_seconds() / 60
    if gap < 0:
        return {"kind": "overlap", "gap_minutes": 0}
    if gap < TRAVEL_MINUTES and not _same_place(first, second):
        return {"kind": "travel", "gap_minutes": int(gap)}
    return None


def clashes(items: list[Occasion]) -> list[dict]:
    """Every clash among accepted occasions: the pair (by instance id) and how they clash."""
    accepted = [o for o in items if o.status == "accepted"]
    found = []
    for i, a in enumerate(accepted):
        for b in accepted[i + 1 :]:
            if b.starts_at - a.ends_at >= timedelta(minutes=TRAVEL_MINUTES):
                break
            how = clash(a, b)
            if how is not None:
                found.append({"first": a.instance_id, "second": b.instance_id, **how})
    return found


def check_candidate(
    session: Session, day, at, minutes=DEFAULT_MINUTES, venue: str = "", ignore: int | None = None
) -> list[dict]:
    """The accepted occasions a candidate would clash with, each with how (earliest first)."""
    starts = moment(day, at)
    candidate = Occasion(
        None, "pending", "", str(venue or ""), starts, starts + timedelta(minutes=int(minutes))
    )
    margin = timedelta(minutes=TRAVEL_MINUTES)
    found = []
    for other in occasions(session, candidate.starts_at - margin, candidate.ends_at + margin, ("accepted",)):
        how = clash(candidate, other) if other.instance_id != ignore else None
        if how is not None:
            shown = other.to_dict()
            # for the Persian forms that show it: digits as the reader writes them
            shown |= {key: to_persian_digits(shown[key]) for key in ("date", "start", "end")}
            found.append({**shown, **how, "gap": to_persian_digits(how["gap_minutes"])})
    return found
