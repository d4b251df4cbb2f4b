"""A case as it goes on paper (the printed case file, for the archive and for letters).

Everything comes from the database in one read-only transaction, for whoever may see the case: the
case itself, its history, every form submitted in it with the labels of the form that collected it
(the start form's and each completed task's, as snapshotted with the case's version), and its letters.
Values stay values: the printout formats dates, digits and yes/no in the reader's language.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.cases.submissions import submitted_sections
from engine.context import Context
from engine.letters.registry import letters_of
from engine.models import AuditEvent, HumanTask, OrgUnit, User
from engine.org.access import load_viewer, visible_instance

HISTORY_KINDS = (
    "started",
    "task_completed",
    "task_claimed",
    "task_assigned",
    "message_received",
    "timer_fired",
    "incident",
    "completed",
    "terminated",
    "error_uncaught",
    "suspended",
    "resumed",
)


def case_file(ctx: Context, user: str, instance_id: int) -> dict:
    """The case's file: its header, history, labelled submissions and letters (without the steps the
    user may not see)."""
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, user, ctx.clock.now())
        instance = visible_instance(session, viewer, instance_id)
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.kind.in_(HISTORY_KINDS))
            .order_by(AuditEvent.id)
        ).all()
        steps = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()
        form_keys = {t.id: t.form_key for t in steps}
        # What was done in a step the reader may not see (another region's report) is not in their file.
        hidden = {t.id for t in steps if not viewer.may_see_task(t)}
        events = [e for e in events if e.task_id not in hidden]
        people = dict(
            session.execute(
                select(User.username, User.full_name).where(
                    User.username.in_({e.actor for e in events if e.actor})
                )
            ).all()
        )
        entry = ctx.catalog.get(instance.process_key)
        sections = submitted_sections(ctx, session, instance, events, form_keys)
        unit = session.get(OrgUnit, instance.unit_id) if instance.unit_id else None
        return {
            "id": instance.id,
            "process_key": instance.process_key,
            "process_name_fa": entry.name_fa if entry else instance.definition.name,
            "process_name_en": entry.name_en if entry else instance.definition.name,
            "version": instance.definition.version,
            "title": instance.title,
            "tracking_code": instance.tracking_code,
            "status": instance.status,
            "unit_fa": unit.name_fa if unit else None,
            "unit_en": unit.name_en if unit else None,
            "started_at": instance.started_at,
            "ended_at": instance.ended_at,
            "started_by": instance.started_by,
            "history": [
                {"kind": e.kind, "at": e.at, "actor": e.actor, "element_name": e.element_name} for e in events
            ],
            "sections": sections,
            "letters": letters_of(session, instance.id),
            "people": people,
        }
