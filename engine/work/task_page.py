"""A task's page in one read: the task, its case and the case at hand (what was submitted so far), its
form and data for whoever may work on it, the history, comments and files of the case, people's
names, whom it may be given to, and its diagram."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine import audit
from engine.cases.attachments import attachment_dict
from engine.cases.case_at_hand import case_events, case_for_task
from engine.context import Context
from engine.definitions.diagrams import with_role_names
from engine.errors import N_, NotFound
from engine.models import (
    Attachment,
    Comment,
    DefinitionFile,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
)
from engine.notify.notices import unread_in
from engine.org.access import load_viewer, visible_task
from engine.org.directory import names_of
from engine.org.holders import Person, holders_of
from engine.runtime.unit_of_work import load_workflow
from engine.states import HumanTaskState
from engine.work.referral import REFERRAL_EVENTS, Candidate, referral_choices, referral_names

_DRAWS = etree.XPath("//*[local-name()='BPMNShape'][@bpmnElement=$id]")


@dataclass(frozen=True)
class TaskPage:
    """What the task page shows. ``form`` and ``data`` only for whoever may work on the task; ``people``
    maps the usernames the page names to full names; ``case_data`` is the case at hand
    (``engine.cases.case_at_hand``), for whoever may see the task; ``reassign_to`` is empty unless the
    viewer may give the task to someone else."""

    task: dict
    case: dict
    can_act: bool
    is_mine: bool
    form: dict | None
    data: dict
    history: list[dict]
    case_data: dict
    comments: list[dict]
    attachments: list[dict]
    people: dict[str, str]
    reassign_to: list[Person]
    has_diagram: bool
    unread: int
    #: Whom the viewer may refer the task to (empty when they may not), and whom to send a copy.
    refer_to: list[Candidate] = field(default_factory=list)
    copy_to: list[Person] = field(default_factory=list)
    #: The viewer reads the case only through a copy (رونوشت) sent to them.
    copy_reader: bool = False


def task_page(ctx: Context, task_id: str, user: str) -> TaskPage:
    """The page of a task for ``user``; not found when they may not see it."""
    catalog = ctx.catalog
    with ctx.db.read() as session:
        now = ctx.clock.now()
        viewer = load_viewer(ctx, session, user, now)
        task = visible_task(session, viewer, task_id)
        instance, process_name, version, unit_fa, unit_en = session.execute(
            select(
                ProcessInstance,
                ProcessDefinition.name,
                ProcessDefinition.version,
                OrgUnit.name_fa,
                OrgUnit.name_en,
            )
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .outerjoin(OrgUnit, OrgUnit.id == task.unit_id)
            .where(ProcessInstance.id == task.instance_id)
            .options(defer(ProcessInstance.state))  # read only if the workflow is not in the cache
        ).one()
        can_act = task.state == HumanTaskState.OPEN and viewer.may_work_on(task)
        form = ctx.form(session, instance.definition_id, task.form_key) if can_act and task.form_key else None
        data = {}
        if can_act:  # the data the task sees, with what was saved of the form so far on top
            data = _task_data(ctx, session, instance, task_id) | (task.draft or {})
        comments = session.scalars(
            select(Comment).where(Comment.instance_id == instance.id).order_by(Comment.created_at, Comment.id)
        ).all()
        events = case_events(session, instance.id, viewer)
        history = [event for event, _ in events]
        case_data = case_for_task(ctx, session, instance, task, events)
        files = session.scalars(
            select(Attachment).where(Attachment.instance_id == instance.id).order_by(Attachment.id)
        ).all()
        may_reassign = task.state == HumanTaskState.OPEN and viewer.may_manage_task(task)
        reassign_to = holders_of(session, task.role_code, task.unit_id, now) if may_reassign else []
        named = [task.assignee, task.completed_by, instance.started_by]
        named += [c.author for c in comments] + [f.uploaded_by for f in files]
        named += [e.actor for e in history] + [
            (e.data or {}).get("to") for e in history if e.kind == "task_assigned"
        ]
        named += [n for e in history if e.kind in REFERRAL_EVENTS for n in referral_names(e.data)]
        choices = referral_choices(session, viewer, task, now)  # it names the active users too
        people = choices.names | names_of(session, [n for n in named if n not in choices.names])
        has_diagram = drawing_file(ctx, session, instance.definition_id, task.element_id) is not None
        unread = unread_in(session, user)
    entry = catalog.get(instance.process_key)
    return TaskPage(
        task={
            "id": task.id,
            "instance_id": task.instance_id,
            "element_id": task.element_id,
            "name": task.name,
            "state": task.state,
            "instructions": task.instructions,
            "assignee": task.assignee,
            "completed_by": task.completed_by,
            "completed_at": task.completed_at,
            "created_at": task.created_at,
            "due_at": task.due_at,
            "overdue": task.state == HumanTaskState.OPEN and task.due_at is not None and task.due_at < now,
            "priority": task.priority,
            "unit_fa": unit_fa,
            "unit_en": unit_en,
            "draft": task.draft if can_act else None,
        },
        case={
            "id": instance.id,
            "process_key": instance.process_key,
            "process_name_fa": (entry.name_fa if entry else "") or process_name,
            "process_name_en": (entry.name_en if entry else "") or process_name,
            "version": version,
            "title": instance.title,
            "business_key": instance.business_key,
            "tracking_code": instance.tracking_code,
            "status": instance.status,
            "started_by": instance.started_by,
            "started_at": instance.started_at,
        },
        can_act=can_act,
        is_mine=task.assignee == user,
        form=form,
        data=data,
        history=[
            {
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor,
                "element_id": e.element_id,
                "element_name": e.element_name,
                "data": e.data,
            }
            for e in history
        ],
        case_data=case_data,
        comments=[{"author": c.author, "body": c.body, "created_at": c.created_at} for c in comments],
        attachments=[attachment_dict(f) | {"uploaded_at": f.uploaded_at} for f in files],
        people=people,
        reassign_to=reassign_to,
        has_diagram=has_diagram,
        unread=unread,
        refer_to=choices.candidates,
        copy_to=choices.copies,
        copy_reader=not viewer.may_see_task(task),
    )


def _task_data(ctx: Context, session: Session, instance: ProcessInstance, task_id: str) -> dict:
    """The data the open task sees (its form starts from it), from the instance's workflow."""
    workflow = load_workflow(ctx, session, instance)
    session.info.setdefault("after_commit", []).append(
        lambda: ctx.workflows.put(instance.id, instance.state_version, workflow)
    )
    spiff_task = workflow.get_task_from_id(UUID(task_id))
    return audit.jsonable(spiff_task.data) if spiff_task is not None else {}


def drawing_file(ctx: Context, session: Session, definition_id: int, element_id: str) -> str | None:
    """The BPMN file of a deployed version that draws the element (the main process's or a called one's)."""
    for name, tree in ctx.parsed(session, definition_id).trees.items():
        if _DRAWS(tree, id=element_id):
            return name
    return None


def task_diagram(ctx: Context, task_id: str, user: str, language: str = "fa") -> str:
    """The BPMN XML that draws the task's element (lanes named by their roles in ``language``), for
    whoever may see the task; else not found."""
    with ctx.db.read() as session:
        task = visible_task(session, load_viewer(ctx, session, user, ctx.clock.now()), task_id)
        definition_id = session.scalar(
            select(ProcessInstance.definition_id).where(ProcessInstance.id == task.instance_id)
        )
        name = drawing_file(ctx, session, definition_id, task.element_id)
        content = (
            session.scalar(
                select(DefinitionFile.content).where(
                    DefinitionFile.definition_id == definition_id, DefinitionFile.name == name
                )
            )
            if name is not None
            else None
        )
        if content is None:
            raise NotFound(N_("No diagram shows the task {id}."), id=task_id)
        return with_role_names(session, content, language)
