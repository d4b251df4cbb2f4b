"""What a supervisor may see: the scope of their positions (everything, some processes, some units)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.context import Context
from engine.definitions.catalog import PROCESSES_DIR, load_catalog
from engine.models import (
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    utcnow,
)
from engine.org.access import acting_positions, get_user

STATUSES = ("running", "waiting", "suspended", "incident", "completed", "terminated")
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

    def sees_instance(self, session: Session, instance: ProcessInstance) -> bool:
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

    def sees_task(self, task: HumanTask) -> bool:
        return self.everything or task.process_key in self.process_keys or task.unit_id in self.unit_ids


EVERYTHING = Scope(everything=True)


def catalog_departments(root: Path = PROCESSES_DIR) -> dict[str, str]:
    """Process key → department, from the catalog (engine/catalog.py)."""
    return {key: entry.department for key, entry in load_catalog(root).items() if entry.department}


def scope_for_user(ctx: Context, username: str, departments: dict[str, str] | None = None) -> Scope:
    """The scope of a user's positions (own and delegated to them now).

    The deputy and administrators see everything; a department head (and a supervisor placed in a
    department) the processes of that department, plus any process the catalog does not place; a
    supervisor in the Center or the Deputy everything; a unit's PR manager the instances and tasks of
    that unit. Anyone else sees nothing.
    """
    departments = catalog_departments() if departments is None else departments
    with ctx.db.transaction() as session:
        user = get_user(session, username)
        if user.is_admin:
            return EVERYTHING
        unit_codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        unit_kinds = dict(session.execute(select(OrgUnit.id, OrgUnit.kind)).all())
        wanted_departments: set[str] = set()
        units: set[int] = set()
        for role, unit_id, _per_unit in acting_positions(session, user, utcnow()):
            if role == "deputy":
                return EVERYTHING
            if role in HEAD_ROLES:
                wanted_departments.add(HEAD_ROLES[role])
            elif role == "supervisor":
                kind = unit_kinds.get(unit_id)
                if kind in ("center", "deputy"):
                    return EVERYTHING
                if kind == "department":
                    wanted_departments.add(unit_codes[unit_id].removeprefix("dept_"))
                else:
                    units.add(unit_id)
            elif role == "unit_pr_manager":
                units.add(unit_id)
        keys: set[str] = set()
        if wanted_departments:
            deployed = session.scalars(select(ProcessDefinition.key).distinct()).all()
            keys = {k for k in deployed if departments.get(k, None) in wanted_departments | {None}}
        return Scope(process_keys=frozenset(keys), unit_ids=frozenset(units))
