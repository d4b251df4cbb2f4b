"""What people read about a task: answered in one read-only transaction, after the visibility rule."""

from __future__ import annotations

from uuid import UUID

from engine import audit
from engine.cases.show import task_dict
from engine.context import Context
from engine.models import ProcessInstance
from engine.org.access import load_viewer, visible_task
from engine.runtime.unit_of_work import final_data, load_workflow
from engine.work.tasks import get_task


def task_document(ctx: Context, task_id: str, user: str) -> dict:
    """One task with its instructions, its form (form-js schema) and — for whoever may work on it —
    the draft saved so far; not found for a user who may not see it."""
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, user, ctx.clock.now())
        task = visible_task(session, viewer, task_id)
        instance = session.get(ProcessInstance, task.instance_id)
        form = ctx.form(session, instance.definition_id, task.form_key) if task.form_key else None
        return {
            **task_dict(task),
            "instructions": task.instructions,
            "instance_title": instance.title,
            "form": form,
            "draft": task.draft if viewer.may_work_on(task) else None,
        }


def task_data(ctx: Context, task_id: str) -> dict:
    """The data an open task sees (its form starts from it), from the instance's workflow."""
    with ctx.db.read() as session:
        row = get_task(session, task_id)
        instance = session.get(ProcessInstance, row.instance_id)
        workflow = load_workflow(ctx, session, instance)
        session.info.setdefault("after_commit", []).append(
            lambda: ctx.workflows.put(instance.id, instance.state_version, workflow)
        )
        spiff_task = workflow.get_task_from_id(UUID(task_id)) if row.state == "open" else None
        return audit.jsonable(spiff_task.data if spiff_task is not None else final_data(workflow))
