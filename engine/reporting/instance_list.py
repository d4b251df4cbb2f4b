"""The monitor's instance list in one read: a page of the instances the filters select, and the
choices its filter form offers (the processes of the scope, the units)."""

from __future__ import annotations

from sqlalchemy import select

from engine.context import Context
from engine.models import OrgUnit
from engine.notify.notices import unread_in
from engine.org.access import load_viewer
from engine.reporting.instances import InstanceFilter, list_instances
from engine.reporting.processes import visible_processes

UNITS = select(OrgUnit.code, OrgUnit.name_fa).order_by(OrgUnit.id)


def instance_list(ctx: Context, username: str, filters: InstanceFilter, limit: int, offset: int) -> dict:
    """``rows`` and ``total`` of the list for ``username``'s scope, ``processes`` and ``units`` to choose."""
    with ctx.db.read() as session:
        scope = load_viewer(ctx, session, username, ctx.clock.now()).scope
        rows, total = list_instances(ctx, scope, filters, limit, offset, session=session)
        return {
            "rows": rows,
            "total": total,
            "unread": unread_in(session, username),
            "processes": visible_processes(ctx, scope, session=session),
            "units": [tuple(u) for u in session.execute(UNITS)],
        }
