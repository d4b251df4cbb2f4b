"""A supervisor's scope: the processes and units their positions oversee.

Seeing and acting are separate rules: a unit's manager sees every case that gave the unit a task
(``sees_instance``), but has authority only over the unit's own cases and tasks (``manages_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.models import (
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
)
from engine.org.actors import Actor

STATUSES = ("running", "waiting", "suspended", "incident", "completed", "terminated", "failed")
HEAD_ROLES = {
    "coord_head": "coord",
    "social_head": "social",
    "opinion_head": "opinion",
    "protocol_head": "protocol",
}


MONITOR_ROLES = ("deputy", "supervisor", "unit_pr_manager", *HEAD_ROLES)


@dataclass(frozen=True)
class Scope:
    """What a supervisor may see: everything, or the instances and tasks of some processes or units."""

    everything: bool = False
    process_keys: frozenset[str] = frozenset()
    unit_ids: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.process_keys or self.unit_ids)

    def instances(self) -> ColumnElement[bool]:
        """SQL condition on ``ProcessInstance``: a unit's manager sees the instances of their unit and
        those that gave their unit a task (a policy rollout's, say)."""
        clause = self._clause(ProcessInstance.process_key, ProcessInstance.unit_id)
        if self.everything or not self.unit_ids:
            return clause
        task = aliased(HumanTask)  # the outer query may select from human_task itself
        return or_(
            clause,
            exists().where(task.instance_id == ProcessInstance.id, task.unit_id.in_(sorted(self.unit_ids))),
        )

    def own_instances(self) -> ColumnElement[bool]:
        """SQL condition on ``ProcessInstance``: the cases of the scope's processes or of its units
        themselves — not those that merely gave a unit a task (what ``manages_instance`` says)."""
        return self._clause(ProcessInstance.process_key, ProcessInstance.unit_id)

    def tasks(self) -> ColumnElement[bool]:
        """SQL condition on ``HumanTask``: a unit's manager sees the tasks of their unit only."""
        return self._clause(HumanTask.process_key, HumanTask.unit_id)

    def _clause(self, key_column, unit_column) -> ColumnElement[bool]:
        if self.everything:
            return true()
        clauses = []
        if self.process_keys:
            clauses.append(key_column.in_(sorted(self.process_keys)))
        if self.unit_ids:
            clauses.append(unit_column.in_(sorted(self.unit_ids)))
        return or_(*clauses) if clauses else false()

    def sees_instance(self, session: Session, instance) -> bool:
        if self.everything or instance.process_key in self.process_keys or instance.unit_id in self.unit_ids:
            return True
        return (
            bool(self.unit_ids)
            and session.scalar(
                select(func.count())
                .select_from(HumanTask)
                .where(HumanTask.instance_id == instance.id, HumanTask.unit_id.in_(sorted(self.unit_ids)))
            )
            > 0
        )

    def sees_task(self, task) -> bool:
        return self.everything or task.process_key in self.process_keys or task.unit_id in self.unit_ids

    def manages_instance(self, instance) -> bool:
        """Authority over a case: its process (a department head) or its own unit (a unit's manager) —
        not merely a task the case gave the unit: a region may not stop the deputy's central rollout."""
        return (
            self.everything or instance.process_key in self.process_keys or instance.unit_id in self.unit_ids
        )

    def manages_task(self, task) -> bool:
        """Authority over a task (reassign, move its due date): its process, or the unit it belongs to."""
        return self.sees_task(task)


EVERYTHING = Scope(everything=True)


def scope_of(session: Session, actor: Actor, departments: Mapping[str, str]) -> Scope:
    """The scope of an actor's positions (own and delegated to them now).

    The deputy and administrators see everything; a department head (and a supervisor placed in a
    department) the processes of that department, plus any process the catalog does not place; a
    supervisor in the Center or the Deputy everything; a unit's PR manager the instances and tasks of
    that unit. Anyone else sees nothing. ``departments`` maps process keys to department codes.
    """
    if actor.is_admin:
        return EVERYTHING
    wanted_departments: set[str] = set()
    units: set[int] = set()
    for position in actor.positions:
        if position.role == "deputy":
            return EVERYTHING
        if position.role in HEAD_ROLES:
            wanted_departments.add(HEAD_ROLES[position.role])
        elif position.role == "supervisor":
            if position.unit_kind in ("center", "deputy"):
                return EVERYTHING
            if position.unit_kind == "department":
                wanted_departments.add(position.unit_code.removeprefix("dept_"))
            else:
                units.add(position.unit_id)
        elif position.role == "unit_pr_manager":
            units.add(position.unit_id)
    keys: set[str] = set()
    if wanted_departments:
        deployed = session.scalars(select(ProcessDefinition.key).distinct()).all()
        keys = {k for k in deployed if departments.get(k) in wanted_departments | {None}}
    return Scope(process_keys=frozenset(keys), unit_ids=frozenset(units))
