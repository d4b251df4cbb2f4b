"""What Ravand reads from SpiffWorkflow task specs: the user-task properties and the events waited for.

Ravand's BPMN extensions are ``spiffworkflow:property`` elements on a user task:
``formKey`` (a form file of the bundle), ``caseFields`` (what of the case the page shows, read by
``engine.cases.case_at_hand``), ``dueInWorkingDays`` (an expression giving a number of
working days), ``unit`` (an expression giving the unit code the task belongs to, e.g. ``item['unit']``
in a multi-instance over regions) and ``priority`` (0-100); plus ``spiffworkflow:instructionsForEndUser``.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from engine.definitions.rules.timers import bare_iso


@dataclass(frozen=True)
class UserTaskInfo:
    element_id: str
    name: str
    lane: str | None
    form_key: str | None
    due_in_working_days: str | None
    unit_expression: str | None
    priority: int
    instructions: str | None


def is_user_task(task_spec) -> bool:
    return isinstance(task_spec, UserTask)


def user_task_info(task_spec) -> UserTaskInfo:
    extensions = getattr(task_spec, "extensions", None) or {}
    props = extensions.get("properties", {})
    try:
        priority = int(props.get("priority", 0))
    except ValueError:
        priority = 0
    return UserTaskInfo(
        element_id=task_spec.bpmn_id,
        name=task_spec.bpmn_name or task_spec.bpmn_id,
        lane=task_spec.lane,
        form_key=props.get("formKey"),
        due_in_working_days=props.get("dueInWorkingDays"),
        unit_expression=props.get("unit"),
        priority=priority,
        instructions=extensions.get("instructionsForEndUser"),
    )


def event_parts(event_definition) -> list:
    """The event definitions a catch waits for: several for an event-based gateway or a multiple event."""
    if isinstance(event_definition, MultipleEventDefinition):
        return list(event_definition.event_definitions)
    return [event_definition] if event_definition is not None else []


_KINDS = {
    TimeDateEventDefinition: "timeDate",
    DurationTimerEventDefinition: "timeDuration",
    CycleTimerEventDefinition: "timeCycle",
}


def quote_bare_iso_timers(spec: BpmnProcessSpec) -> None:
    """Give the timers written as bare ISO 8601 (``PT1H``, as BPMN tools write a formal expression) the
    Python string they stand for, so that the sandbox evaluates them as the deploy check read them."""
    for task_spec in spec.task_specs.values():
        for event in event_parts(getattr(task_spec, "event_definition", None)):
            kind = next((k for cls, k in _KINDS.items() if isinstance(event, cls)), None)
            if kind is not None and bare_iso(kind, event.expression):
                event.expression = repr(event.expression.strip())
