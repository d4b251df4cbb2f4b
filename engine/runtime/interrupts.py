"""Interrupting events act before the work they interrupt goes on (BPMN 2.0 §10.5.4, §10.3.5).

SpiffWorkflow's engine steps run the deepest sub-process first, to the end of its ready tasks, and only
then the level above it: a signal or escalation thrown inside a sub-process, caught by an interrupting
boundary event of that sub-process (or by an interrupting event sub-process), let the sub-process's next
tasks run before the catch cancelled them. Here, when a throw leaves an interrupting catch ready, the
engine steps stop and that catch runs first; then the steps go on.
"""

from __future__ import annotations

from collections.abc import Callable

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.definitions.event_sub_process import EventSubProcessStart


class _Interrupted(Exception):
    def __init__(self, catches: list[Task]) -> None:
        self.catches = catches


def _interrupts(task: Task) -> bool:
    spec = task.task_spec
    if isinstance(spec, BoundaryEvent):
        return spec.cancel_activity
    return isinstance(spec, EventSubProcessStart) and spec.interrupting


def ready_interrupts(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if _interrupts(t)]


def do_engine_steps(workflow: BpmnWorkflow, did_complete_task: Callable[[Task], None]) -> None:
    """``workflow.do_engine_steps``, with an interrupting catch run as soon as a throw made it ready."""

    def completed(task: Task) -> None:
        did_complete_task(task)
        if isinstance(task.task_spec, ThrowingEvent):
            catches = ready_interrupts(workflow)
            if catches:
                raise _Interrupted(catches)

    while True:
        try:
            workflow.do_engine_steps(did_complete_task=completed)
            return
        except _Interrupted as interrupted:
            for catch in interrupted.catches:
                if catch.has_state(TaskState.READY):
                    catch.run()
                    did_complete_task(catch)
