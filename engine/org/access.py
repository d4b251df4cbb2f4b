"""Who may see and who may do what: every rule about access, written once.

A ``Viewer`` is a user with their positions now and their supervisor's scope. Its rules are the only
ones: pages, the API and the CLI all reach tasks and cases through engine services that ask them.
Seeing is not acting: whatever a user may not see is "not found" (its existence is none of their
business); what they may see but not change is "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.errors import N_, Forbidden, NotFound
from engine.models import Attachment, CaseCopy, HumanTask, Incident, ProcessInstance
from engine.org.actors import Actor, load_actor
from engine.org.holders import task_filter
from engine.org.scopes import MONITOR_ROLES, Scope, scope_of


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    scope: Scope

    @property
    def username(self) -> str:
        return self.actor.username

    def may_work_on(self, task) -> bool:
        return self.actor.may_work_on(task)

    @property
    def supervises(self) -> bool:
        """Holds a supervisor's role (the monitor's pages are theirs), or is an administrator."""
        return self.actor.has_role(*MONITOR_ROLES)

    def may_see_task(self, task) -> bool:
        """Its people (assignee, who completed it, the holders of its role in its unit) and the
        supervisors whose scope covers its process or its unit."""
        actor = self.actor
        return (
            actor.is_admin
            or actor.username in (task.assignee, task.completed_by)
            or actor.holds(task.role_code, task.unit_id)
            or self.scope.sees_task(task)
        )

    def has_copy(self, session: Session, instance_id: int) -> bool:
        """A copy (رونوشت) of the case was sent to the viewer: they may read it, never act on it."""
        copied = select(CaseCopy.id).where(
            CaseCopy.instance_id == instance_id, CaseCopy.user_id == self.actor.id
        )
        return session.scalar(copied.limit(1)) is not None

    def may_read_task(self, session: Session, task) -> bool:
        """See the task as its people and supervisors do, or read it in a copy of its case."""
        return self.may_see_task(task) or self.has_copy(session, task.instance_id)

    def may_see_instance(self, session: Session, instance) -> bool:
        """Administrators, who started it, the supervisors whose scope covers it, whoever may see
        one of its tasks as its worker (assigned, completed, or a holder of its role), and whoever
        was sent a copy of it."""
        actor = self.actor
        if actor.is_admin or instance.started_by == actor.username:
            return True
        if self.scope.sees_instance(session, instance) or self.has_copy(session, instance.id):
            return True
        involved = or_(
            HumanTask.assignee == actor.username,
            HumanTask.completed_by == actor.username,
            task_filter(actor.position_rows()),
        )
        return bool(session.scalar(select(exists().where(HumanTask.instance_id == instance.id, involved))))

    def may_manage_instance(self, instance) -> bool:
        """Suspend, resume, terminate, retry, correct: authority over the case's process or own unit."""
        return self.actor.is_admin or self.scope.manages_instance(instance)

    def may_manage_task(self, task) -> bool:
        """Reassign a task or move its due date: authority over its process or its unit."""
        return self.actor.is_admin or self.scope.manages_task(task)

    def may_oversee(self, process_key: str, roles: tuple[str, ...]) -> bool:
        """A process's own overview across its cases (the mayor's calendar, the scorecards, a poll's
        results): the holders of ``roles``, and the supervisors whose scope covers the process."""
        actor = self.actor
        return (
            actor.is_admin
            or actor.has_role(*roles)
            or self.scope.everything
            or process_key in self.scope.process_keys
        )


def load_viewer(ctx: Context, session: Session, username: str, now: datetime) -> Viewer:
    """The user ``username`` with their positions and scope now; NotFound for an unknown user."""
    actor = load_actor(session, username, now)
    return Viewer(actor, scope_of(session, actor, ctx.departments()))


def scope_for_user(ctx: Context, username: str) -> Scope:
    """The supervisor's scope of a user (empty for someone who supervises nothing)."""
    with ctx.db.read() as session:
        return load_viewer(ctx, session, username, ctx.clock.now()).scope


def visible_task(session: Session, viewer: Viewer, task_id: str, lock: bool = False) -> HumanTask:
    """The task, if the viewer may see it (or read it in a copy of its case); otherwise NotFound,
    whether it exists or not."""
    task = session.get(HumanTask, task_id, with_for_update=lock or None) if _is_task_id(task_id) else None
    if task is None or not viewer.may_read_task(session, task):
        raise NotFound(N_("Task {id} does not exist."), id=task_id)
    return task


def visible_instance(session: Session, viewer: Viewer, instance_id: int) -> ProcessInstance:
    """The instance, if the viewer may see it; otherwise NotFound, whether it exists or not."""
    instance = session.get(ProcessInstance, instance_id) if 0 < instance_id <= MAX_ID else None
    if instance is None or not viewer.may_see_instance(session, instance):
        raise NotFound(N_("Process instance {id} does not exist."), id=instance_id)
    return instance


def visible_to(ctx: Context, session: Session, username: str, instance_id: int) -> Viewer:
    """The user as a viewer of the instance; NotFound (whether it exists or not) if they may not see it.
    For the services that then ask more of them (authority, being an administrator, a supervisor)."""
    viewer = load_viewer(ctx, session, username, ctx.clock.now())
    visible_instance(session, viewer, instance_id)
    return viewer


MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger number names nothing (and must not reach the driver)
_OWNED = {
    "attachment": (Attachment, N_("Attachment {id} does not exist.")),
    "incident": (Incident, N_("Incident {id} does not exist.")),
}


def ensure_visible(ctx: Context, username: str, kind: str, ident: object) -> None:
    """NotFound unless the user may see the task, the instance, or the instance the attachment or the
    incident belongs to (``kind``: task, instance, attachment, incident). What every route about one
    of them asks first, before it reads what was sent: for what a user may not see, every route and
    method answers alike."""
    with ctx.db.read() as session:
        viewer = load_viewer(ctx, session, username, ctx.clock.now())
        if kind == "task":
            visible_task(session, viewer, ident)
            return
        if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
            ident = 0
        if kind == "instance":
            visible_instance(session, viewer, ident)
            return
        model, missing = _OWNED[kind]
        row = session.get(model, ident) if ident else None
        instance = session.get(ProcessInstance, row.instance_id) if row is not None else None
        if instance is None or not viewer.may_see_instance(session, instance):
            raise NotFound(missing, id=ident)


def require_admin(ctx: Context, session: Session, username: str, instance: ProcessInstance) -> None:
    """Refuse a change only administrators make (not found if the user may not even see the case)."""
    if not visible_to(ctx, session, username, instance.id).actor.is_admin:
        raise Forbidden(N_("Only administrators may change a case's data."))


def require_authority(ctx: Context, session: Session, username: str, instance: ProcessInstance) -> None:
    """Refuse a change to a case unless the user has authority over it (not found if they may not
    even see it)."""
    viewer = load_viewer(ctx, session, username, ctx.clock.now())
    if not viewer.may_see_instance(session, instance):
        raise NotFound(N_("Process instance {id} does not exist."), id=instance.id)
    if not viewer.may_manage_instance(instance):
        raise Forbidden(N_("You may not change the case {id}: it is outside your authority."), id=instance.id)


def _is_task_id(task_id: str) -> bool:
    """A task id is a UUID: anything else cannot name a task (and must not reach the database)."""
    return isinstance(task_id, str) and len(task_id) == 36 and all(c in "0123456789abcdef-" for c in task_id)
