"""What people read about a task: answered in one read-only transaction, after the visibility rule."""

from __future__ import annotations

from sqlalchemy import select

from engine.cases.attachments import attachment_dict
from engine.cases.case_at_hand import case_events, case_for_task
from engine.cases.show import task_dict
from engine.context import Context
from engine.models import Attachment, ProcessInstance
from engine.org.access import load_viewer, visible_task


def task_document(ctx: Context, task_id: str, user: str) -> dict:
    """One task with its instructions, its form (form-js schema), the case at hand (what was submitted
    so far, ``engine.cases.case_at_hand``), the case's attachments and — for whoever may work on it —
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
            "case": case_for_task(ctx, session, instance, task, case_events(session, instance.id, viewer)),
            "attachments": [
                attachment_dict(f)
                for f in session.scalars(
                    select(Attachment).where(Attachment.instance_id == instance.id).order_by(Attachment.id)
                )
            ],
        }
