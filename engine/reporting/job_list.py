"""The monitor's jobs: what the queue holds that a supervisor should see — failed jobs, and jobs past
their due moment that nobody ran (no worker running, a suspended case) — with their attempts, last
error, case and whether the viewer may retry them.

A job's case is its own instance or the one that sent it (an SMS, a message); a job of no case (a
timer start, a signal from nowhere) is seen by those who see everything and retried by an
administrator only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import Incident, Job, ProcessDefinition, ProcessInstance
from engine.notify.notices import unread_in
from engine.org.access import Viewer, load_viewer
from engine.reporting.common import process_names, reading
from engine.runtime.jobs import owner_of
from engine.states import JobStatus

SHOWS = ("failed", "overdue", "pending", "running")


def _shown_as(job: Job, now: datetime) -> set[str]:
    if job.status == JobStatus.PENDING:
        return {"pending", "overdue"} if job.due_at < now else {"pending"}
    return {str(job.status)}


def _visible(viewer: Viewer, session: Session) -> tuple[list[Job], dict[int, int | None], dict]:
    """The jobs the viewer may see, each one's case id, and those cases (two statements)."""
    jobs = session.scalars(select(Job).order_by(Job.due_at, Job.id)).all()
    owners = {job.id: owner_of(job) for job in jobs}
    wanted = sorted({o for o in owners.values() if o is not None})
    cases = (
        {
            row.id: row
            for row in session.execute(
                select(
                    ProcessInstance.id,
                    ProcessInstance.title,
                    ProcessInstance.process_key,
                    ProcessInstance.unit_id,
                    ProcessInstance.status,
                ).where(ProcessInstance.id.in_(wanted), viewer.scope.instances())
            )
        }
        if wanted
        else {}
    )
    everything = viewer.scope.everything or viewer.actor.is_admin
    shown = [
        job
        for job in jobs
        if (owners[job.id] is None and everything) or (owners[job.id] is not None and owners[job.id] in cases)
    ]
    return shown, owners, cases


def count_jobs(viewer: Viewer, session: Session, now: datetime) -> dict[str, int]:
    """How many jobs the viewer sees in each list (the dashboard's figure)."""
    jobs, _owners, _cases = _visible(viewer, session)
    return {show: sum(show in _shown_as(job, now) for job in jobs) for show in SHOWS}


def visible_jobs(ctx: Context, viewer: Viewer, session: Session, now: datetime) -> list[dict]:
    """Every job in the queue the viewer may see, as rows, soonest due first."""
    jobs, owners, cases = _visible(viewer, session)
    incidents = dict(
        session.execute(
            select(Incident.job_id, Incident.id).where(
                Incident.job_id.in_([j.id for j in jobs]), Incident.resolved_at.is_(None)
            )
        ).all()
    )
    definitions = dict(session.execute(select(ProcessDefinition.id, ProcessDefinition.key)).all())
    names = process_names(session)
    admin = viewer.actor.is_admin
    rows = []
    for job in jobs:
        owner = owners[job.id]
        case = cases.get(owner) if owner is not None else None
        key = case.process_key if case is not None else definitions.get(job.definition_id)
        authority = admin if owner is None else viewer.may_manage_instance(case)
        rows.append(
            {
                "id": job.id,
                "kind": job.kind,
                "status": job.status,
                "shown_as": sorted(_shown_as(job, now)),
                "due_at": job.due_at,
                "overdue": job.status == JobStatus.PENDING and job.due_at < now,
                "attempts": job.attempts,
                "last_error": job.last_error,
                "element_id": job.element_id,
                "instance_id": owner,
                "instance_title": case.title if case is not None else None,
                "process_key": key,
                "process_name": names.get(key, key) if key else None,
                "incident_id": incidents.get(job.id),
                "may_retry": job.status == JobStatus.FAILED and authority,
            }
        )
    return rows


def job_list(
    ctx: Context,
    username: str,
    show: str = "failed",
    limit: int | None = 50,
    offset: int = 0,
    session: Session | None = None,
) -> dict:
    """One page of the jobs shown as ``show`` (failed, overdue, pending, running), how many there are,
    and the count of each kind of list."""
    if show not in SHOWS:
        show = "failed"
    now = ctx.clock.now()
    with reading(ctx, session) as session:
        viewer = load_viewer(ctx, session, username, now)
        rows = visible_jobs(ctx, viewer, session, now)
        unread = unread_in(session, username)
    chosen = [row for row in rows if show in row["shown_as"]]
    if show == "failed":
        chosen.sort(key=lambda row: (row["due_at"], row["id"]), reverse=True)
    end = None if limit is None else offset + limit
    counts = {name: sum(name in row["shown_as"] for row in rows) for name in SHOWS}
    return {
        "show": show,
        "total": len(chosen),
        "counts": counts,
        "rows": chosen[offset:end],
        "unread": unread,
    }
