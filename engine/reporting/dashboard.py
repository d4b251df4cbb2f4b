"""The monitor's dashboard in one read: every figure for the supervisor's scope and a period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.context import Context
from engine.models import OrgUnit, User
from engine.notify.notices import unread_in
from engine.org.access import load_viewer
from engine.org.scopes import STATUSES
from engine.reporting import flow, instances, processes, regions, tasks


def dashboard(ctx: Context, username: str, start: date, end: date, rollout: str | None = None) -> dict:
    """The dashboard's figures for ``username``'s scope between the two Tehran days, with the names the
    page shows (unit codes, people's names, the processes the scope covers)."""
    departments = ctx.departments()
    with ctx.db.read() as session:
        scope = load_viewer(ctx, session, username, ctx.clock.now()).scope
        rollout = rollout or regions.busiest_unit_process(ctx, scope, session=session)
        counts = instances.instance_counts(ctx, scope, session=session)
        figures = {
            "instances": counts,
            "totals": {s: sum(row[s] for row in counts) for s in STATUSES},
            "tasks_by_department": tasks.open_task_counts(
                ctx, scope, "department", departments=departments, session=session
            ),
            "tasks_by_unit": tasks.open_task_counts(ctx, scope, "unit", session=session),
            "tasks_by_person": tasks.open_task_counts(ctx, scope, "person", session=session),
            "overdue_tasks": tasks.overdue_tasks(ctx, scope, limit=50, session=session),
            "sla_by_process": tasks.sla_compliance(ctx, scope, start, end, by="process", session=session),
            "sla_by_unit": tasks.sla_compliance(ctx, scope, start, end, by="unit", session=session),
            "weeks": flow.weekly_flow(ctx, scope, start, end, session=session),
            "regions": (
                regions.unit_comparison(ctx, scope, rollout, start, end, session=session) if rollout else None
            ),
        }
        return {
            "figures": figures,
            "unit_codes": dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all()),
            "people": dict(session.execute(select(User.username, User.full_name)).all()),
            "unread": unread_in(session, username),
            "processes": processes.visible_processes(ctx, scope, session=session),
        }
