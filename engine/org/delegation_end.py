"""When a delegation ends, what its substitute took through it goes back to the position's group.

A task taken through a delegation (claimed, given or referred to a substitute who holds its position
only by that delegation) remembers it in ``human_task.delegation_id``. The claim lapses the moment
the delegation ends: ``Actor.may_work_on`` stops honouring it at once (read time), and a
``delegation_end`` job at the end time — or the revocation itself — gives the tasks back to the
group, unclaimed, and tells the position's holders.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import Delegation, HumanTask, Job
from engine.notify.notices import notify_returned
from engine.org.actors import Actor
from engine.states import HumanTaskState, JobStatus

JOB_KIND = "delegation_end"


def taken_through(session: Session, actor: Actor, task) -> int | None:
    """The delegation through which ``actor`` takes ``task`` (None when they hold it in their own
    right, or are given it by name); schedules that delegation's end job when there is one."""
    delegation_id = actor.delegation_for(task.role_code, task.unit_id)
    if delegation_id is not None:
        schedule_end(session, delegation_id)
    return delegation_id


def lapsed(session: Session, task, now: datetime) -> bool:
    """The task's assignee took it through a delegation that is no longer running."""
    if task.assignee is None or task.delegation_id is None:
        return False
    running = select(Delegation.id).where(
        Delegation.id == task.delegation_id, Delegation.starts_at <= now, Delegation.ends_at > now
    )
    return session.scalar(running) is None


def schedule_end(session: Session, delegation_id: int) -> None:
    """One pending job at the delegation's end time (not a second one)."""
    delegation = session.get(Delegation, delegation_id)
    if delegation is None:
        return
    for job in session.scalars(select(Job).where(Job.kind == JOB_KIND, Job.status == JobStatus.PENDING)):
        if (job.payload or {}).get("delegation") == delegation_id:
            job.due_at = delegation.ends_at
            return
    session.add(Job(kind=JOB_KIND, due_at=delegation.ends_at, payload={"delegation": delegation_id}))


def release_claims(session: Session, delegation_id: int, now: datetime) -> int:
    """Give back to their group the open tasks taken through the delegation. Returns how many."""
    released = session.scalars(
        select(HumanTask)
        .where(HumanTask.delegation_id == delegation_id, HumanTask.state == HumanTaskState.OPEN)
        .order_by(HumanTask.created_at)
        .with_for_update()
    ).all()
    for task in released:
        substitute, task.assignee, task.delegation_id = task.assignee, None, None
        notify_returned(session, task, now)
        audit.record(
            session,
            "task_released",
            task.instance_id,
            None,
            task.id,
            task.element_id,
            task.name,
            data={"from": substitute, "delegation": delegation_id},
            at=now,
        )
    return len(released)
