"""The monitor's page of one instance in one read: the case, its diagram's markers, the open tasks
with whom each may be given to, comments, incidents, the history the supervisor may see, and the
diagrams of its bundle. Each row is read once."""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import audit
from engine.cases.show import event_dict, task_dict
from engine.context import Context
from engine.errors import N_, Forbidden
from engine.models import (
    AuditEvent,
    Comment,
    HumanTask,
    Incident,
    Job,
    MessageSubscription,
    OrgUnit,
    ProcessDefinition,
    User,
)
from engine.notify.notices import unread_in
from engine.org.access import load_viewer, visible_instance
from engine.org.holders import holders_of
from engine.reporting.diagrams import diagram_choice
from engine.runtime.unit_of_work import final_data, load_workflow
from engine.states import HumanTaskState, JobStatus

DONE_EVENTS = ("element", "task_completed", "timer_fired", "message_received")


@dataclass(frozen=True)
class InstancePage:
    """What the monitor's instance page shows; ``status`` is "waiting" for a running case with no open
    task the supervisor sees; ``may_manage``: the supervisor may suspend, resume or terminate it;
    ``unread``: the menu's notification badge."""

    instance: dict
    status: str
    unit: dict | None
    definition: dict
    markers: dict[str, list[str]]
    open_tasks: list[dict]
    units: dict[int, str]
    users: list[tuple[str, str]]
    comments: list[dict]
    incidents: list[dict]
    events: list[dict]
    shown_diagram: str
    diagrams: dict[str, str]
    may_manage: bool
    unread: int


def instance_page(ctx: Context, instance_id: int, username: str, diagram: str | None = None) -> InstancePage:
    """The page of an instance for a supervisor: not found for whoever may not see it, forbidden for
    someone who sees it but supervises nothing; tasks and their comments they may not see left out."""
    with ctx.db.read() as session:
        now = ctx.clock.now()
        viewer = load_viewer(ctx, session, username, now)
        instance = visible_instance(session, viewer, instance_id)
        if not viewer.supervises:
            raise Forbidden(N_("The monitor is for supervisors."))
        definition = session.get(ProcessDefinition, instance.definition_id)
        workflow = load_workflow(ctx, session, instance)
        session.info.setdefault("after_commit", []).append(
            lambda: ctx.workflows.put(instance.id, instance.state_version, workflow)
        )
        task_rows = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.created_at)
        ).all()
        hidden = {t.id for t in task_rows if not viewer.may_see_task(t)}
        # The case's data hold every step's submissions: for those with authority over it (a region's
        # manager reads their own steps of the deputy's rollout, not the others' reports).
        may_manage = viewer.may_manage_instance(instance)
        open_tasks = [
            task_dict(t)
            | {
                "due": t.due_at,
                "created": t.created_at,
                "holders": [
                    (p.username, p.full_name) for p in holders_of(session, t.role_code, t.unit_id, now)
                ],
            }
            for t in task_rows
            if t.state == HumanTaskState.OPEN and t.id not in hidden
        ]
        units = {row.id: row for row in session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name_fa))}
        users = [
            (u, n)
            for u, n in session.execute(
                select(User.username, User.full_name).where(User.is_active).order_by(User.full_name)
            )
        ]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
        ).all()
        comments = session.scalars(
            select(Comment).where(Comment.instance_id == instance_id).order_by(Comment.created_at)
        ).all()
        incidents = session.scalars(
            select(Incident).where(Incident.instance_id == instance_id).order_by(Incident.id)
        ).all()
        shown_diagram, diagrams = diagram_choice(session, definition.id, definition.key, diagram)
        markers = _markers(session, instance_id, task_rows, events, incidents, _running(workflow))
        status = instance.status
        if status == "running" and not open_tasks:
            status = "waiting"
        unit = units.get(instance.unit_id)
        return InstancePage(
            instance={
                "id": instance.id,
                "process_key": instance.process_key,
                "version": definition.version,
                "title": instance.title,
                "business_key": instance.business_key,
                "tracking_code": instance.tracking_code,
                "status": instance.status,
                "started_by": instance.started_by,
                "started_at": instance.started_at,
                "ended_at": instance.ended_at,
                "unit_id": instance.unit_id,
                "data": audit.jsonable(final_data(workflow)) if may_manage else {},
            },
            status=status,
            unit={"id": unit.id, "code": unit.code, "name_fa": unit.name_fa} if unit else None,
            definition={"id": definition.id, "key": definition.key, "name": definition.name},
            markers=markers,
            open_tasks=open_tasks,
            units={u.id: u.name_fa for u in units.values()},
            users=users,
            comments=[
                {"author": c.author, "body": c.body, "created_at": c.created_at}
                for c in comments
                if c.task_id not in hidden
            ],
            incidents=[
                {
                    "id": i.id,
                    "element_id": i.element_id,
                    "message": i.message,
                    "script_line": i.script_line,
                    "created_at": i.created_at,
                    "attempts": i.attempts,
                    "last_attempt_at": i.last_attempt_at,
                    "job_id": i.job_id,
                    "resolved_at": i.resolved_at,
                }
                for i in incidents
            ],
            events=[event_dict(e) | {"at": e.at} for e in events if e.task_id not in hidden],
            shown_diagram=shown_diagram,
            diagrams=diagrams,
            may_manage=may_manage,
            unread=unread_in(session, username),
        )


def _running(workflow) -> set[str]:
    """The elements the workflow is inside now: a multi-instance step (a call per unit) runs while any
    of its units still works, though the history already names it for the units that finished."""
    unfinished = workflow.get_tasks(state=TaskState.STARTED | TaskState.WAITING | TaskState.READY)
    return {bpmn_id for t in unfinished if (bpmn_id := getattr(t.task_spec, "bpmn_id", None))}


def _markers(
    session, instance_id: int, task_rows, events, incidents, running: set[str]
) -> dict[str, list[str]]:
    """Elements done, active and failed: from the history, the open tasks, the waits and the incidents
    already read, what the workflow is inside, and the instance's pending timers and message
    subscriptions."""
    done = {e.element_id for e in events if e.kind in DONE_EVENTS and e.element_id}
    active = running | {t.element_id for t in task_rows if t.state == HumanTaskState.OPEN}
    active |= set(
        session.scalars(
            select(MessageSubscription.element_id).where(MessageSubscription.instance_id == instance_id)
        )
    )
    active |= set(
        session.scalars(
            select(Job.element_id).where(
                Job.instance_id == instance_id,
                Job.kind == "timer",
                Job.status == JobStatus.PENDING,
                Job.element_id.is_not(None),
            )
        )
    )
    failed = {i.element_id for i in incidents if i.resolved_at is None and i.element_id}
    return {
        "done": sorted(done - active - failed),
        "active": sorted(active - failed),
        "failed": sorted(failed),
    }
