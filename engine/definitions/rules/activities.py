"""Activities (BPMN 2.0.2 §10.3) and compensation (§10.7): quantities, loops, sub-processes of every
kind, call activities, and the handlers that compensation needs."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import ACTIVITIES, FLOW_NODES, SUB_PROCESSES, TASKS, children, local
from engine.definitions.rules.base import Checking, is_event_sub_process, is_true, rule
from engine.definitions.rules.events import definitions, kind
from engine.errors import N_, Problem

CHOREOGRAPHY = ("choreographyTask", "subChoreography", "callChoreography")


@rule("activity-quantities", "§10.3.1 Activity (startQuantity, completionQuantity)")
def activity_quantities(c: Checking) -> Iterator[Problem]:
    """An activity's startQuantity and completionQuantity are whole numbers of at least one."""
    for activity in c.model.bpmn(*ACTIVITIES):
        for attribute in ("startQuantity", "completionQuantity"):
            value = activity.get(attribute)
            if value is None:
                continue
            try:
                number = int(value.strip())
            except ValueError:
                number = 0
            if number < 1:
                yield c.problem(
                    activity,
                    N_("{attribute} must be 1 or more, not '{value}'."),
                    attribute=attribute,
                    value=value,
                )


@rule("instantiating-receive-task", "§10.3.3 Receive Task (instantiate)")
def instantiating_receive_task(c: Checking) -> Iterator[Problem]:
    """A receive task that starts the process has no incoming sequence flow."""
    for task in c.model.bpmn("receiveTask"):
        if is_true(task, "instantiate", False) and c.flows.incoming(task):
            yield c.problem(task, N_("A receive task that starts the process may not have incoming flows."))


@rule("event-sub-process", "§10.3.5 Event Sub-Process")
def event_sub_process(c: Checking) -> Iterator[Problem]:
    """An event sub-process has exactly one start event, with a trigger, and no flows in or out."""
    for sub in c.model.bpmn(*SUB_PROCESSES):
        if not is_event_sub_process(sub):
            continue
        starts = children(sub, "startEvent")
        if len(starts) != 1:
            yield c.problem(
                sub,
                N_("An event sub-process needs exactly one start event; it has {count}."),
                count=len(starts),
            )
        if c.flows.incoming(sub) or c.flows.outgoing(sub):
            yield c.problem(sub, N_("An event sub-process may not have incoming or outgoing sequence flows."))


@rule("sub-process-data", "§10.3.5 Sub-Process (ioSpecification)")
def sub_process_data(c: Checking) -> Iterator[Problem]:
    """An embedded sub-process has no data inputs and outputs of its own (ioSpecification)."""
    for sub in c.model.bpmn(*SUB_PROCESSES):
        if children(sub, "ioSpecification"):
            yield c.problem(sub, N_("An embedded sub-process may not have an ioSpecification."))


@rule("ad-hoc-sub-process", "§10.3.5 Ad-Hoc Sub-Process")
def ad_hoc_sub_process(c: Checking) -> Iterator[Problem]:
    """An ad-hoc sub-process holds at least one activity and no start or end event."""
    for sub in c.model.bpmn("adHocSubProcess"):
        if not children(sub, *ACTIVITIES):
            yield c.problem(sub, N_("An ad-hoc sub-process must hold at least one activity."))
        for event in children(sub, "startEvent", "endEvent"):
            yield c.problem(event, N_("Start and end events may not stand in an ad-hoc sub-process."))


@rule("no-choreography-in-process", "§10.2 Process; §11 Choreography")
def no_choreography_in_process(c: Checking) -> Iterator[Problem]:
    """Processes and sub-processes hold no choreography activities."""
    for element in c.model.bpmn(*CHOREOGRAPHY):
        parent = element.getparent()
        if local(parent) in ("process", *SUB_PROCESSES):
            yield c.problem(
                element, N_("A process may not hold a choreography activity ({kind})."), kind=local(element)
            )


@rule("multi-instance", "§10.3.8 Multi-Instance Activity")
def multi_instance(c: Checking) -> Iterator[Problem]:
    """An executable multi-instance activity says how many instances run (loopCardinality or
    loopDataInputRef), and names the item each instance gets when it loops over a collection."""
    for loop in c.model.bpmn("multiInstanceLoopCharacteristics"):
        cardinality = [e for e in children(loop, "loopCardinality") if (e.text or "").strip()]
        collection = [e for e in children(loop, "loopDataInputRef") if (e.text or "").strip()]
        if not cardinality and not collection:
            yield c.problem(
                loop,
                N_(
                    "A multi-instance activity needs a loopCardinality or "
                    "a loopDataInputRef (the collection)."
                ),
            )
        if collection and not children(loop, "inputDataItem"):
            yield c.problem(loop, N_("A multi-instance activity over a collection needs an inputDataItem."))


@rule("loop-counts", "§10.3.8 Loop Characteristics (loopMaximum, loopCardinality)")
def loop_counts(c: Checking) -> Iterator[Problem]:
    """A loop's maximum and a multi-instance's cardinality, when written as a number, are not negative."""
    for loop in c.model.bpmn("standardLoopCharacteristics"):
        value = loop.get("loopMaximum")
        if value is not None and not _whole_number(value):
            yield c.problem(
                loop, N_("loopMaximum must be a whole number, 0 or more, not '{value}'."), value=value
            )
    for cardinality in c.model.bpmn("loopCardinality"):
        value = (cardinality.text or "").strip()
        if value.lstrip("-").isdigit() and not _whole_number(value):
            yield c.problem(cardinality, N_("loopCardinality may not be negative: '{value}'."), value=value)


def _whole_number(text: str) -> bool:
    return text.strip().isdigit()


@rule("compensation-activity", "§10.7.1 Compensation Handler")
def compensation_activity(c: Checking) -> Iterator[Problem]:
    """A compensation handler (isForCompensation) has no sequence flows in or out."""
    for activity in c.model.bpmn(*ACTIVITIES):
        if is_true(activity, "isForCompensation", False) and (
            c.flows.incoming(activity) or c.flows.outgoing(activity)
        ):
            yield c.problem(
                activity, N_("A compensation activity may not have incoming or outgoing sequence flows.")
            )


@rule("compensation-boundary", "§10.7.1 Compensation Handler; §10.5.4 Compensation Intermediate Event")
def compensation_boundary(c: Checking) -> Iterator[Problem]:
    """A compensation boundary event is associated with one compensation activity (isForCompensation)."""
    for event in c.model.bpmn("boundaryEvent"):
        if not any(kind(d) == "compensate" for d in definitions(c, event)):
            continue
        handlers = [
            c.model.resolve(a, a.get("targetRef"))
            for a in c.model.bpmn("association")
            if a.get("sourceRef") == event.get("id")
        ]
        handlers = [h for h in handlers if h is not None]
        if not handlers:
            yield c.problem(
                event, N_("A compensation boundary event needs an association to its compensation activity.")
            )
        for handler in handlers:
            if local(handler) not in TASKS | SUB_PROCESSES or not is_true(
                handler, "isForCompensation", False
            ):
                yield c.problem(
                    event,
                    N_(
                        "The compensation handler '{handler}' must be a task or "
                        "sub-process marked isForCompensation."
                    ),
                    handler=handler.get("id"),
                )


@rule("compensation-throw", "§10.5.4 Compensation Intermediate Event; §10.5.5 CompensateEventDefinition")
def compensation_throw(c: Checking) -> Iterator[Problem]:
    """A compensation that is thrown for one activity names an activity of its level or above."""
    for definition in c.model.bpmn("compensateEventDefinition"):
        reference = definition.get("activityRef")
        if not reference:
            continue
        target = c.model.resolve(definition, reference)
        if target is None or local(target) not in ACTIVITIES:
            yield c.problem(
                definition.getparent(),
                N_("The compensation names '{ref}', which is not an activity."),
                ref=reference,
            )


@rule("compensation-runs", "Ravand: the compensation it runs (engine/definitions/compensation.py)")
def compensation_runs(c: Checking) -> Iterator[Problem]:
    """Ravand compensates the activities of the throw's own process level, and not in a transaction."""
    for definition in c.model.bpmn("compensateEventDefinition"):
        event = definition.getparent()
        if any(local(a) == "transaction" for a in event.iterancestors()):
            yield c.problem(event, N_("Ravand cannot run the compensation of a transaction yet."))
            continue
        reference = definition.get("activityRef")
        target = c.model.resolve(definition, reference) if reference else None
        if (
            local(event) != "boundaryEvent"
            and target is not None
            and target.getparent() is not event.getparent()
        ):
            yield c.problem(
                event,
                N_("Ravand compensates activities of the throw's own level only; '{ref}' is in another."),
                ref=reference,
            )


@rule("called-process-start", "§10.3.6 Call Activity; §10.5.2 Start Event")
def called_process_start(c: Checking) -> Iterator[Problem]:
    """A process that a call activity calls has a none start event to be started by the call."""
    for call in c.model.bpmn("callActivity"):
        called = c.model.process(call.get("calledElement") or "")
        if called is None:
            continue
        starts = children(called, "startEvent")
        if starts and all(definitions(c, s) for s in starts):
            yield c.problem(
                call,
                N_("The called process '{process}' has no none start event for the call to start it at."),
                process=called.get("id"),
            )


@rule("flow-node-ids", "§8.2.1 BaseElement (id)")
def flow_node_ids(c: Checking) -> Iterator[Problem]:
    """Every flow node and flow has an id, and no id is used twice in a file."""
    for file in c.model.bpmn_files.values():
        for element in file.bpmn(*FLOW_NODES, "sequenceFlow", "messageFlow", "process", "participant"):
            if not (element.get("id") or "").strip():
                yield c.problem(element, N_("The {kind} has no id."), kind=local(element))
        for element in file.duplicate_ids:
            yield c.problem(
                element, N_("The id '{id}' is used by more than one element."), id=element.get("id")
            )


def _same_item(c: Checking, first, second) -> bool:
    """Whether two item definitions describe the same thing: one element, or one structure."""
    if first is second:
        return True
    if first is None or second is None:
        return False
    return (first.get("structureRef") or "").strip() == (second.get("structureRef") or "").strip() != ""


def _item_of(c: Checking, element, attribute: str):
    reference = element.get(attribute)
    return c.model.resolve(element, reference) if reference else None


@rule("message-task-data", "§10.3.3 Send Task and Receive Task (ioSpecification)")
def message_task_data(c: Checking) -> Iterator[Problem]:
    """A send (receive) task with a message has at most one input (output) set and data input (output),
    and that data is the message's item."""
    for task in c.model.bpmn("sendTask", "receiveTask"):
        message = _item_of(c, task, "messageRef")
        specs = children(task, "ioSpecification")
        if message is None or not specs:
            continue
        sending = local(task) == "sendTask"
        set_name, data_name = ("inputSet", "dataInput") if sending else ("outputSet", "dataOutput")
        sets, data = children(specs[0], set_name), children(specs[0], data_name)
        if len(sets) > 1:
            yield c.problem(task, N_("A task with a message may have only one {set}."), set=set_name)
        if len(data) > 1:
            yield c.problem(task, N_("A task with a message may have only one {data}."), data=data_name)
        message_item = _item_of(c, message, "itemRef")
        for element in data[:1]:
            if message_item is not None and not _same_item(
                c, _item_of(c, element, "itemSubjectRef"), message_item
            ):
                yield c.problem(
                    element,
                    N_("The {data} must hold the message's item '{item}'."),
                    data=data_name,
                    item=message_item.get("id"),
                )


@rule("io-bindings", "§10.3.6 Callable Elements (InputOutputBinding)")
def io_bindings(c: Checking) -> Iterator[Problem]:
    """An ioBinding binds a data input to its operation's in message and a data output to its out
    message, item for item."""
    for binding in c.model.bpmn("ioBinding"):
        operation = _item_of(c, binding, "operationRef")
        if operation is None:
            continue
        for attribute, message_child in (
            ("inputDataRef", "inMessageRef"),
            ("outputDataRef", "outMessageRef"),
        ):
            data = _item_of(c, binding, attribute)
            refs = [t for t in (e.text for e in children(operation, message_child)) if t]
            message = c.model.resolve(operation, refs[0].strip()) if refs else None
            if data is None or message is None:
                continue
            expected = _item_of(c, message, "itemRef")
            if expected is not None and not _same_item(c, _item_of(c, data, "itemSubjectRef"), expected):
                yield c.problem(
                    binding,
                    N_("'{data}' is bound to the message '{message}' but does not hold its item '{item}'."),
                    data=data.get("id"),
                    message=message.get("id"),
                    item=expected.get("id"),
                )


def _io(element) -> tuple[list, list]:
    specs = children(element, "ioSpecification")
    if not specs:
        return [], []
    return children(specs[0], "dataInput"), children(specs[0], "dataOutput")


@rule("call-activity-data", "§10.3.6 Call Activity (data requirements of the called element)")
def call_activity_data(c: Checking) -> Iterator[Problem]:
    """A call activity passes the data inputs its called process declares and takes back its data
    outputs: as many, of the same items."""
    for call in c.model.bpmn("callActivity"):
        called = c.model.process(call.get("calledElement") or "")
        if called is None or not children(called, "ioSpecification") or not children(call, "ioSpecification"):
            continue
        templates = (
            N_("The call activity's data inputs do not match those of the process it calls ('{process}')."),
            N_("The call activity's data outputs do not match those of the process it calls ('{process}')."),
        )
        for template, mine, theirs in zip(templates, _io(call), _io(called), strict=True):
            if sorted(_structure_of(c, d) for d in mine) != sorted(_structure_of(c, d) for d in theirs):
                yield c.problem(call, template, process=called.get("id"))


def _structure_of(c: Checking, data) -> str:
    item = _item_of(c, data, "itemSubjectRef")
    return (item.get("structureRef") or item.get("id") or "") if item is not None else ""
