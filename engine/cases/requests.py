"""What staff follow of cases: the ones they started ("my requests") and where one case stands (the
API's instance status). Each is one read-only transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from engine.cases.attachments import attachment_dict
from engine.cases.show import task_dict
from engine.context import Context
from engine.models import Attachment, AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from engine.notify.notices import unread_in
from engine.org.access import load_viewer, visible_instance
from engine.states import HumanTaskState


@dataclass(frozen=True)
class RequestsPage:
    """A page of the cases a user started, newest first, how many there are in all, and the number on
    the user's notification badge."""

    rows: list[dict]
    total: int
    unread: int = 0


def my_requests(ctx: Context, user: str, limit: int = 20, offset: int = 0) -> RequestsPage:
    """The cases ``user`` started, with their process's names and the names of their open steps."""
    catalog = ctx.catalog
    with ctx.db.read() as session:
        mine = ProcessInstance.started_by == user
        total = session.scalar(select(func.count()).select_from(ProcessInstance).where(mine))
        found = session.execute(
            select(ProcessInstance, ProcessDefinition.name)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(mine)
            .options(defer(ProcessInstance.state))
            .order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        steps = _open_steps(session, [instance.id for instance, _name in found])
        unread = unread_in(session, user)
    rows = []
    for instance, name in found:
        entry = catalog.get(instance.process_key)
        rows.append(
            summary(instance, steps.get(instance.id, []))
            | {
                "process_name_fa": (entry.name_fa if entry else "") or name,
                "process_name_en": (entry.name_en if entry else "") or name,
            }
        )
    return RequestsPage(rows, total, unread)


def instance_status(ctx: Context, user: str, instance_id: int) -> dict:
    """Where a case stands: its status, tasks, history (without the engine's own steps) and files;
    not found for a user who may not see it. Tasks they may not see (and their history) are left out;
    the names of the open steps stay, as the case's own list shows them."""
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, user, ctx.clock.now())
        instance = visible_instance(session, viewer, instance_id)
        version = session.scalar(
            select(ProcessDefinition.version).where(ProcessDefinition.id == instance.definition_id)
        )
        tasks = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
        ).all()
        history = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.kind != "element")
            .order_by(AuditEvent.id)
        ).all()
        files = session.scalars(
            select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id)
        ).all()
        hidden = {t.id for t in tasks if not viewer.may_see_task(t)}  # another region's, say
        return summary(instance, [t.name for t in tasks if t.state == HumanTaskState.OPEN]) | {
            "version": version,
            "tasks": [task_dict(t) for t in tasks if t.id not in hidden],
            "history": [
                {"kind": e.kind, "at": e.at.isoformat(), "actor": e.actor, "element_name": e.element_name}
                for e in history
                if e.task_id not in hidden
            ],
            "attachments": [attachment_dict(a) for a in files],
        }


def _open_steps(session, instance_ids: list[int]) -> dict[int, list[str]]:
    steps: dict[int, list[str]] = {}
    if not instance_ids:
        return steps
    for instance_id, name in session.execute(
        select(HumanTask.instance_id, HumanTask.name)
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.state == HumanTaskState.OPEN)
        .order_by(HumanTask.created_at)
    ):
        steps.setdefault(instance_id, []).append(name)
    return steps


def summary(instance: ProcessInstance, open_steps: list[str]) -> dict:
    """A case as lists show it (times as ISO 8601 strings)."""
    return {
        "id": instance.id,
        "process_key": instance.process_key,
        "title": instance.title,
        "business_key": instance.business_key,
        "tracking_code": instance.tracking_code,
        "status": instance.status,
        "started_by": instance.started_by,
        "started_at": instance.started_at.isoformat(),
        "ended_at": instance.ended_at.isoformat() if instance.ended_at else None,
        "open_tasks": open_steps,
    }
