"""Everything about one instance as plain data: status, current data, open tasks, history and incidents."""

from __future__ import annotations

from sqlalchemy import select

from engine import audit
from engine.context import Context
from engine.errors import N_, NotFound
from engine.letters.registry import letters_of
from engine.models import (
    AuditEvent,
    HumanTask,
    Incident,
    ProcessInstance,
)
from engine.org.access import load_viewer, visible_instance
from engine.runtime.unit_of_work import final_data, load_workflow
from engine.states import HumanTaskState


def show(ctx: Context, instance_id: int, supervisor: str | None = None) -> dict:
    """Everything about one instance: status, current data, open tasks, history and incidents. With
    ``supervisor``, not found unless that user may see it, and without the tasks they may not see."""
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, supervisor, ctx.clock.now()) if supervisor is not None else None
        if viewer is not None:
            instance = visible_instance(session, viewer, instance_id)
        else:
            instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(N_("Process instance {id} does not exist."), id=instance_id)
        workflow = load_workflow(ctx, session, instance)
        data = audit.jsonable(final_data(workflow))
        session.info.setdefault("after_commit", []).append(
            lambda: ctx.workflows.put(instance.id, instance.state_version, workflow)
        )
        tasks = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
        ).all()
        history = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
        ).all()
        incidents = session.scalars(select(Incident).where(Incident.instance_id == instance_id)).all()
        hidden = {t.id for t in tasks if viewer is not None and not viewer.may_see_task(t)}
        return {
            "id": instance.id,
            "process_key": instance.process_key,
            "version": instance.definition.version,
            "title": instance.title,
            "business_key": instance.business_key,
            "tracking_code": instance.tracking_code,
            "status": instance.status,
            "started_by": instance.started_by,
            "started_at": instance.started_at.isoformat(),
            "ended_at": instance.ended_at.isoformat() if instance.ended_at else None,
            "data": data,
            "open_tasks": [
                task_dict(t) for t in tasks if t.state == HumanTaskState.OPEN and t.id not in hidden
            ],
            "history": [event_dict(e) for e in history if e.task_id not in hidden],
            "letters": letters_of(session, instance_id),
            "incidents": [
                {
                    "id": i.id,
                    "element": i.element_id,
                    "message": i.message,
                    "line": i.script_line,
                    "created_at": i.created_at.isoformat(),
                    "attempts": i.attempts,
                    "last_attempt_at": i.last_attempt_at.isoformat() if i.last_attempt_at else None,
                    "resolved": i.resolved_at is not None,
                }
                for i in incidents
            ],
        }


def task_dict(task: HumanTask) -> dict:
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "process_key": task.process_key,
        "element_id": task.element_id,
        "name": task.name,
        "lane": task.lane,
        "role": task.role_code,
        "unit_id": task.unit_id,
        "form_key": task.form_key,
        "state": task.state,
        "assignee": task.assignee,
        "created_at": task.created_at.isoformat(),
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "completed_by": task.completed_by,
    }


def event_dict(event: AuditEvent) -> dict:
    return {
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "element_id": event.element_id,
        "element_name": event.element_name,
        "task_id": event.task_id,
        "data": event.data,
    }
