"""The scorecards as people read them: every subsidiary unit for a period, or one unit's report.

The coordination department, the deputy and the supervisors whose scope covers the manager evaluation
read every unit's (``Viewer.may_oversee``); a unit's PR manager reads their own unit's only.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.context import Context
from engine.errors import N_, Forbidden, NotFound
from engine.models import OrgUnit
from engine.org.access import load_viewer
from engine.scorecards.figures import unit_figures
from engine.scorecards.periods import period_bounds

PROCESS = "manager_evaluation"
READERS = ("coord_head", "coord_expert", "deputy")
SUBSIDIARY_KINDS = ("region", "subsidiary_deputy", "organisation", "company")


def scorecards(ctx: Context, user: str, year, period: str, unit: str | None = None) -> dict:
    """The figures of every subsidiary unit the user may read (or of the unit with code ``unit``)."""
    start, end = period_bounds(year, period)
    calendar, now = ctx.calendar, ctx.clock.now()
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, user, now)
        query = select(OrgUnit).where(OrgUnit.kind.in_(SUBSIDIARY_KINDS)).order_by(OrgUnit.id)
        if unit is not None:
            query = query.where(OrgUnit.code == unit)
        units = session.scalars(query).all()
        if unit is not None and not units:
            raise NotFound(N_("Unknown unit '{unit}'."), unit=unit)
        if not viewer.may_oversee(PROCESS, READERS):
            units = [u for u in units if u.id in viewer.scope.unit_ids]
            if not units:
                raise Forbidden(
                    N_("The scorecards are for the coordination department and the units' managers.")
                )
        rows = [unit_figures(session, calendar, u, start, end, now) for u in units]
    return {
        "year": int(str(year)),
        "period": period,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "units": rows,
    }
