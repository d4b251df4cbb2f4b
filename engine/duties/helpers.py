"""The functions BPMN scripts may call to read the departments' tools (each in its own read-only
transaction, so a script sees what other cases have committed and changes nothing):

- ``mayor_calendar_check(date, time, minutes=90, venue='', case=None)``: the accepted occasions a
  candidate would clash with (``engine.protocol.calendar``), ``case`` being the candidate's own
  tracking code (its own entry is no clash);
- ``poll_results(code)``: a published poll's results so far (``engine.polls.tally``);
- ``unit_scorecard(unit, year, period)``: a unit's figures for a Jalali period
  (``engine.scorecards.figures``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from engine import clock
from engine.calendar.jalali import to_jalali_str
from engine.calendar.working import WorkingCalendar
from engine.db import Database
from engine.errors import N_, NotFound
from engine.models import OrgUnit, ProcessInstance
from engine.polls.tally import results_for_process
from engine.protocol.calendar import DEFAULT_MINUTES, check_candidate
from engine.scorecards.figures import unit_figures
from engine.scorecards.periods import period_bounds


def duty_helpers(db: Database, calendar: Callable[[], WorkingCalendar]) -> dict[str, Callable]:
    def mayor_calendar_check(date, time, minutes=DEFAULT_MINUTES, venue="", case=None) -> dict:
        """The clashes of a candidate occasion with the mayor's accepted ones."""
        with db.read() as session:
            ignore = (
                session.scalar(select(ProcessInstance.id).where(ProcessInstance.tracking_code == str(case)))
                if case
                else None
            )
            found = check_candidate(session, date, time, minutes or DEFAULT_MINUTES, venue, ignore)
        return {
            "checked_at": to_jalali_str(clock.current().now(), with_time=True),
            "count": len(found),
            "overlaps": sum(1 for c in found if c["kind"] == "overlap"),
            "travel": sum(1 for c in found if c["kind"] == "travel"),
            "clashes": found,
        }

    def poll_results(code) -> dict:
        """A published poll's results so far."""
        with db.read() as session:
            return results_for_process(session, code)

    def unit_scorecard(unit, year, period) -> dict:
        """A unit's scorecard for a Jalali period (``first_half``, ``second_half`` or ``year``)."""
        start, end = period_bounds(year, period)
        with db.read() as session:
            row = session.scalar(select(OrgUnit).where(OrgUnit.code == str(unit)))
            if row is None:
                raise NotFound(N_("Unknown unit '{unit}'."), unit=unit)
            return unit_figures(session, calendar(), row, start, end, clock.current().now())

    return {
        "mayor_calendar_check": mayor_calendar_check,
        "poll_results": poll_results,
        "unit_scorecard": unit_scorecard,
    }
