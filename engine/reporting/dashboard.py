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
from engine.reporting.job_list import count_jobs
from engine.reporting.task_list import NO_DEPARTMENT


def dashboard(ctx: Context, username: str, start: date, end: date, rollout: str | None = None) -> dict:
    """The dashboard's figures for ``username``'s scope between the two Tehran days, with the names the
    page shows (unit codes, people's names, the processes the scope covers)."""
    departments = ctx.departments()
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, username, ctx.clock.now())
        scope = viewer.scope
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
            "jobs": count_jobs(viewer, session, ctx.clock.now()),
        }
        unit_codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        add_links(figures, unit_codes)
        return {
            "figures": figures,
            "unit_codes": unit_codes,
            "people": dict(session.execute(select(User.username, User.full_name)).all()),
            "unread": unread_in(session, username),
            "processes": processes.visible_processes(ctx, scope, session=session),
        }


def link(to: str, **args: object) -> dict:
    """Where a figure leads: the list (``instances``, ``tasks`` or ``jobs``) and its filters, which
    select exactly what the figure counts."""
    return {"list": to, "args": {k: v for k, v in args.items() if v is not None}}


def add_links(figures: dict, unit_codes: dict[int, str]) -> None:
    """The link of every figure the dashboard shows as a number: the top cards, instances per process
    and status, open and overdue tasks per department, unit and person."""
    totals, overdue = figures["totals"], sum(row["overdue"] for row in figures["tasks_by_unit"])
    figures["cards"] = [
        {"key": key, "count": totals[key], "link": link("instances", status=key)}
        for key in ("running", "incident", "suspended")
    ] + [
        {"key": "overdue", "count": overdue, "link": link("tasks", overdue=1)},
        {"key": "failed_jobs", "count": figures["jobs"]["failed"], "link": link("jobs", show="failed")},
    ]
    for row in figures["instances"]:
        row["links"] = {s: link("instances", process=row["process_key"], status=s) for s in STATUSES}
    groups = {
        "tasks_by_department": lambda key: {"department": key or NO_DEPARTMENT},
        "tasks_by_unit": lambda key: {"unit": unit_codes[key]} if key in unit_codes else None,
        "tasks_by_person": lambda key: {"assignee": key} if key else {"unclaimed": 1},
    }
    for name, args_of in groups.items():
        for row in figures[name]:
            args = args_of(row["key"])
            row["links"] = (
                {"open": link("tasks", **args), "overdue": link("tasks", overdue=1, **args)}
                if args is not None
                else {}
            )
