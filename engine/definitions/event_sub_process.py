"""The start event of an event sub-process (BPMN 2.0 §10.3.5, §10.5.2), as the specification has it.

SpiffWorkflow 3.2 reads a start event's message, signal, timer and conditional triggers only, so an event
sub-process started by an error or an escalation ran at once, on every start of its process, as if it had
no trigger; and it never reads ``isInterrupting``, so an interrupting event sub-process let the work around
it go on. Here:

- the start event of an event sub-process also takes error and escalation triggers, and is caught by an
  error or escalation thrown in the process level that holds the event sub-process (before any boundary
  event of an enclosing level: the innermost handler catches, §10.5.5);
- an interrupting one (the default) stops the rest of that process level when it fires: every other
  branch of the level is cancelled, and the level ends when the event sub-process ends.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.event_parsers import (
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import CodeEventDefinition
from SpiffWorkflow.bpmn.util.event import EventManager
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.event_parsers import SpiffStartEventParser
from SpiffWorkflow.spiff.parser.process import SpiffProcessParser
from SpiffWorkflow.task import Task, TaskIterator
from SpiffWorkflow.util.task import TaskState

from engine.definitions.compensation import adopt_gates

EVENT_SUB_PROCESS_TRIGGERS = [
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
]


class EventSubProcessStart(StartEvent):
    """The start event of an event sub-process; ``interrupting`` is its ``isInterrupting``."""

    def __init__(self, wf_spec, bpmn_id, event_definition, interrupting: bool = True, **kwargs):
        super().__init__(wf_spec, bpmn_id, event_definition, **kwargs)
        self.interrupting = interrupting

    def _run_hook(self, my_task: Task) -> bool:
        if self.interrupting:
            interrupt_level(my_task)
        return super()._run_hook(my_task)


def interrupt_level(start: Task) -> None:
    """Cancel every branch of the process level around the event sub-process that ``start`` began."""
    workflow = start.workflow
    handler = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
    chain = []
    task = handler
    while task is not None:
        chain.append(task)
        task = task.parent
    kept = {t.id for t in chain}
    for task in chain[1:]:
        for child in list(task.children):
            if child.id not in kept and not child.has_state(TaskState.CANCELLED):
                child.cancel()


class EventSubProcessStartParser(SpiffStartEventParser):
    """Start events inside an event sub-process get every trigger the specification allows them."""

    def create_task(self):
        parent = self.node.getparent()
        if parent.get("triggeredByEvent") != "true":
            return super().create_task()
        event_definition = self.get_event_definition(EVENT_SUB_PROCESS_TRIGGERS)
        kwargs = self.bpmn_attributes
        task = EventSubProcessStart(
            self.spec,
            self.bpmn_id,
            event_definition=event_definition,
            interrupting=self.node.get("isInterrupting", "true").lower() != "false",
            **kwargs,
        )
        self.spec.start.connect(task)
        return task


def _listening(task: Task) -> bool:
    """An event sub-process whose start event still waits: a listener, not work of its level."""
    handler = task.workflow.top_workflow.subprocesses.get(task.id)
    return handler is not None and any(
        t.state == TaskState.WAITING and isinstance(t.task_spec, EventSubProcessStart)
        for t in handler.tasks.values()
    )


class LevelEnd(_EndJoin):
    """The end of a process level: it waits for the level's work, not for its event sub-processes that
    were never triggered; those stop listening when the level ends (§10.3.5)."""

    def _check_threshold_unstructured(self, my_task: Task) -> bool:
        unfinished = [
            t
            for t in TaskIterator(
                my_task.workflow.task_tree, state=TaskState.NOT_FINISHED_MASK, end_at_spec=self.name
            )
            if t is not my_task
        ]
        listeners = [t for t in unfinished if _listening(t)]
        if any(not any(t is h or t.is_descendant_of(h) for h in listeners) for t in unfinished):
            return False
        for listener in listeners:
            listener.cancel()
        return True


class RavandProcessParser(SpiffProcessParser):
    """Every event sub-process of a level waits from the level's start, as SpiffWorkflow does for those
    started by a timer. SpiffWorkflow creates the others when their event arrives, which it does only
    for broadcast events (messages, signals) at the top level of the process: an error or escalation
    is thrown at a level, and an event sub-process of an embedded sub-process is not at the top."""

    def create_spec(self):
        spec = super().create_spec()
        spec.end.__class__ = LevelEnd  # the spec made its end join already; it only gains a rule
        return spec

    def add_tasks(self):
        super().add_tasks()
        adopt_gates(self.spec)
        start = self.spec.start
        top_level = self.node.tag.endswith("}process")
        for name in list(start.trigger_specs):
            starts = self.parser.process_parsers[name].get_spec().bpmn_start_events
            if top_level and not any(isinstance(s.event_definition, CodeEventDefinition) for s in starts):
                continue
            handler = self.spec.task_specs[name]
            start.connect(handler)
            handler.connect(self.spec.end)
            start.trigger_specs.remove(name)


class ScopedEventManager(EventManager):
    """SpiffWorkflow's event manager, with the event sub-processes of a level as that level's handlers."""

    def catch(self, event, internal: bool = True) -> int:
        if event.target is not None:
            handlers = [
                t
                for t in self.tasks.values()
                if isinstance(t.task_spec, EventSubProcessStart)
                and getattr(t.workflow, "parent_workflow", None) is event.target
                and t.task_spec.event_definition.catches(t, event)
            ]
            if handlers:
                for task in handlers:
                    task.task_spec.catch(task, event)
                    task.task_spec._update(task)
                return len(handlers)
        return super().catch(event, internal)


class RavandWorkflow(BpmnWorkflow):
    """A BpmnWorkflow whose thrown errors and escalations reach the event sub-processes of their level."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_manager = ScopedEventManager(self)
