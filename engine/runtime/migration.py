"""Moving running instances to another version of their process, with SpiffWorkflow's diff utilities.

``preview`` carries out the migration on a copy of each instance's workflow (the engine steps
included) and compares the open tasks before and after: per instance, the tasks that keep their place,
deadline and timers (possibly at a renamed step), those that start again (a timer that restarts from
now, a task replaced by a new one with a new deadline), and — when it cannot be migrated — why.
``migrate`` does the same for real, one instance per transaction through
``engine.runtime.unit_of_work.advancing`` (lock, load, act, save): the instance's
``definition_id`` changes, its derived tables are rewritten and an audit event records the move. An
instance that fails is rolled back and left exactly as it was.

An instance cannot be migrated when a step it has reached or passed no longer exists in the new
version (SpiffWorkflow aligns steps by their BPMN id, then by their place in the flow), when a
process it is running as a call activity was removed, or when the migrated state does not load
back under the new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import audit
from engine.context import Context
from engine.definitions.parsing import ParsedBundle
from engine.definitions.specs import event_parts, is_user_task
from engine.errors import N_, NotFound, RavandError
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.runtime.projection import new_human_task, timer_due
from engine.runtime.serialization import RAVAND_CONFIG, dump_state, load_state
from engine.runtime.unit_of_work import advancing, run_engine
from engine.states import HumanTaskState, InstanceStatus

MIGRATABLE = ("running", "incident", "suspended")
_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_REACHED = TaskState.FINISHED_MASK | _OPEN
_REGISTRY = BpmnWorkflowSerializer.configure(RAVAND_CONFIG)


class MigrationRefused(RavandError):
    code = "migration_refused"
    http_status = 409
    template = N_("Process instance {id} cannot be migrated: {reasons}")


@dataclass(frozen=True)
class Reason:
    """Why an instance cannot be migrated: a message template (translated by the web layer) and its values."""

    template: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params)


@dataclass
class InstancePlan:
    """What migrating one instance does (or why it cannot be done)."""

    instance_id: int
    title: str | None
    from_version: int
    to_version: int
    kept: list[dict] = field(default_factory=list)
    restarted: list[dict] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    @property
    def migratable(self) -> bool:
        return not self.reasons

    def to_dict(self) -> dict:
        return {**self.__dict__, "reasons": [str(r) for r in self.reasons], "migratable": self.migratable}


@dataclass
class MigrationResult:
    instance_id: int
    migrated: bool
    plan: InstancePlan | None = None
    error: str | None = None


def preview(ctx: Context, target_definition_id: int, instance_ids: list[int]) -> list[InstancePlan]:
    """Per instance, what a migration to the target version would do; nothing is saved."""
    plans = []
    with ctx.db.transaction() as session:
        target = _target(session, target_definition_id)
        new = ctx.parsed(session, target.id)
        for instance_id in instance_ids:
            instance = session.get(ProcessInstance, instance_id)
            if instance is None:
                raise NotFound(N_("Process instance {id} does not exist."), id=instance_id)
            plan = _plan_for(instance, target)
            if not plan.reasons:
                workflow = load_state(instance.state, ctx.parsed(session, instance.definition_id))
                workflow.script_engine = ctx.script_engine  # resetting a timer evaluates its expression
                before = open_tasks(workflow)
                aligned = _apply(workflow, new, plan)
                if not plan.reasons and instance.status == InstanceStatus.RUNNING:
                    _run_copy(workflow, plan)
                if not plan.reasons:
                    _outcomes(plan, before, open_tasks(workflow), aligned)
            plans.append(plan)
    return plans


def migrate(
    ctx: Context, target_definition_id: int, instance_ids: list[int], user: str | None
) -> list[MigrationResult]:
    """Migrate each instance in its own transaction; a failure leaves that instance as it was."""
    results = []
    for instance_id in instance_ids:
        try:
            results.append(
                MigrationResult(instance_id, True, migrate_one(ctx, target_definition_id, instance_id, user))
            )
        except RavandError as exc:
            results.append(MigrationResult(instance_id, False, error=exc.message))
    return results


def migrate_one(ctx: Context, target_definition_id: int, instance_id: int, user: str | None) -> InstancePlan:
    """Migrate one instance to the target version in one transaction, or raise and change nothing."""
    with advancing(ctx, instance_id, user, allow=MIGRATABLE) as step:
        session, instance = step.session, step.instance
        target = _target(session, target_definition_id)
        plan = _plan_for(instance, target)
        before = open_tasks(step.workflow)
        aligned = _apply(step.workflow, ctx.parsed(session, target.id), plan) if not plan.reasons else {}
        if plan.reasons:  # raising rolls back; the changed workflow was taken out of the cache for good
            raise MigrationRefused(id=instance_id, reasons="; ".join(map(str, plan.reasons)))
        from_definition = instance.definition_id
        instance.definition_id = target.id
        step.workflow.script_engine = ctx.script_engine
        if instance.status == InstanceStatus.RUNNING:
            run_engine(step, raise_errors=True)
        _outcomes(plan, before, open_tasks(step.workflow), aligned)
        _refresh_open_rows(ctx, step.session, instance, step.workflow)
        audit.record(
            session,
            "migrated",
            instance.id,
            user,
            at=step.now,
            data={
                "from_definition": from_definition,
                "to_definition": target.id,
                "from_version": plan.from_version,
                "to_version": plan.to_version,
                "kept": plan.kept,
                "restarted": plan.restarted,
            },
        )
        return plan


def _target(session, definition_id: int) -> ProcessDefinition:
    target = session.get(ProcessDefinition, definition_id)
    if target is None:
        raise NotFound(N_("Process definition {id} does not exist."), id=definition_id)
    return target


def _plan_for(instance: ProcessInstance, target: ProcessDefinition) -> InstancePlan:
    plan = InstancePlan(instance.id, instance.title, instance.definition.version, target.version)
    if instance.process_key != target.key:
        plan.reasons.append(
            Reason(N_("it runs '{key}', not '{target}'"), {"key": instance.process_key, "target": target.key})
        )
    elif instance.definition_id == target.id:
        plan.reasons.append(Reason(N_("it already runs this version")))
    if instance.status not in MIGRATABLE:
        plan.reasons.append(Reason(N_("it is {status}"), {"status": instance.status}))
    return plan


def _apply(workflow: BpmnWorkflow, new: ParsedBundle, plan: InstancePlan) -> dict[str, dict]:
    """Migrate ``workflow`` to the ``new`` specs in place, filling in ``plan``'s reasons on failure; the
    new step of each open task, by task id."""
    aligned: dict[str, dict] = {}
    top, sub_diffs = diff_workflow(_REGISTRY, workflow, new.spec, new.subprocess_specs)
    diffs = [(workflow, top, new.spec)]
    for sp_id, sp in workflow.subprocesses.items():
        diff = sub_diffs.get(sp_id)
        if diff is None:
            if any(t.has_state(_REACHED) for t in sp.get_tasks()):
                plan.reasons.append(
                    Reason(
                        N_("the called process '{process}' is not in the new version"),
                        {"process": sp.spec.name},
                    )
                )
            continue
        diffs.append((sp, diff, new.subprocess_specs[sp.spec.name]))
    for _wf, diff, _spec in diffs:
        for task in diff.removed:
            if task.has_state(_REACHED) and getattr(task.task_spec, "bpmn_id", None):
                spec = task.task_spec
                template = (
                    N_("it is at step '{name}' ({element}), which the new version lacks")
                    if task.has_state(_OPEN)
                    else N_("it has passed step '{name}' ({element}), which the new version lacks")
                )
                plan.reasons.append(
                    Reason(template, {"name": spec.bpmn_name or spec.bpmn_id, "element": spec.bpmn_id})
                )
        for task, new_spec in diff.alignment.items():
            if task.has_state(_OPEN) and getattr(task.task_spec, "bpmn_id", None) and new_spec is not None:
                aligned[str(task.id)] = {
                    "to": new_spec.bpmn_id,
                    "to_name": new_spec.bpmn_name or new_spec.bpmn_id,
                    "changed": task in diff.changed,
                }
    if plan.reasons:
        return aligned
    try:
        for wf, diff, spec in diffs:
            migrate_workflow(diff, wf, spec)
    except WorkflowException as exc:  # a reset task's expression (a timer, say) failed under the new version
        plan.reasons.append(Reason(N_("the new version could not be applied ({error})"), {"error": str(exc)}))
        return aligned
    workflow.subprocess_specs = new.subprocess_specs
    try:
        load_state(dump_state(workflow), new)
    except Exception as exc:  # the state must load back under the new version, whatever went wrong
        plan.reasons.append(
            Reason(
                N_("the migrated state does not load under the new version ({error})"), {"error": str(exc)}
            )
        )
    return aligned


def open_tasks(workflow: BpmnWorkflow) -> dict[str, dict]:
    """The open tasks of a workflow with a BPMN element, by task id: element, name, state, timer due."""
    found = {}
    for task in workflow.get_tasks(state=_OPEN):
        spec = task.task_spec
        if not getattr(spec, "bpmn_id", None):
            continue
        due = None
        if task.has_state(TaskState.WAITING):
            for part in event_parts(getattr(spec, "event_definition", None)):
                if isinstance(part, TimerEventDefinition):
                    due = timer_due(task, part)
        found[str(task.id)] = {
            "element": spec.bpmn_id,
            "name": spec.bpmn_name or spec.bpmn_id,
            "state": TaskState.get_name(task.state).lower(),
            "due": due,
        }
    return found


def _run_copy(workflow: BpmnWorkflow, plan: InstancePlan) -> None:
    """Run the engine steps the migration runs, on the preview's copy."""
    try:
        workflow.do_engine_steps()
    except WorkflowException as exc:
        plan.reasons.append(Reason(N_("the new version could not be applied ({error})"), {"error": str(exc)}))


def _outcomes(plan: InstancePlan, before: dict, after: dict, aligned: dict) -> None:
    """Each task open before the migration either keeps its place, deadline and timers (the same task,
    the same timer due) or starts again (a new task, or a timer that starts from now)."""
    plan.kept, plan.restarted = [], []
    new_ids = [tid for tid in after if tid not in before]
    for task_id, entry in before.items():
        target = aligned.get(task_id, {"to": entry["element"], "to_name": entry["name"], "changed": False})
        row = {**entry, **target}
        survivor = after.get(task_id)
        if survivor is not None and survivor["due"] == entry["due"]:
            plan.kept.append(row)
            continue
        if survivor is None:
            successor = next((after[t] for t in new_ids if after[t]["element"] == target["to"]), None)
            row["due_after"] = successor["due"] if successor else None
            row["new_task"] = True
        else:
            row["due_after"] = survivor["due"]
            row["new_task"] = False
        plan.restarted.append(row)


# What a surviving task takes from the new version; it keeps its id, assignee, draft and deadline.
_FROM_NEW_VERSION = (
    "element_id",
    "name",
    "search_text",
    "lane",
    "role_code",
    "unit_id",
    "form_key",
    "instructions",
    "priority",
)


def _refresh_open_rows(ctx: Context, session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Open inbox rows whose task survived are rebuilt as the projection builds a new row (the new
    version's name, form, lane, role, unit and instructions), keeping what belongs to the task."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY) if is_user_task(t.task_spec)}
    rows = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == HumanTaskState.OPEN)
    ).all()
    for row in rows:
        task = ready.get(row.id)
        if task is None:
            continue
        values = new_human_task(ctx, session, instance, workflow, task, row.created_at)
        for name in _FROM_NEW_VERSION:
            setattr(row, name, values[name])
