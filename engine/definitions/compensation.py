"""Compensation (BPMN 2.0 §10.7) for its common pattern, on SpiffWorkflow, which has none.

An activity with a compensation boundary event names its handler by an association; a compensation throw
event (intermediate or end) in the same process level runs the handler of every activity of that level
that has completed, most recent first, and then goes on (``waitForCompletion``). An ``activityRef`` on
the throw's definition compensates that activity only.

Before SpiffWorkflow parses a file, each throw is preceded by one hidden gate per activity it may
compensate: the gate runs the activity's handler if the activity completed in this level, else passes on.
The compensation boundary events are taken out (they never fire; they only name the handler). A handler
that several throws may run is copied for each of them, since a flow node has one place in the flow.
"Most recent first" is read from the flow: the activities further from the level's start run their
handlers first, which is the order of completion in a sequence.

Not run (refused at deploy by ``engine.definitions.support``): compensation event sub-processes, and the
compensation a cancelled transaction triggers.
"""

from __future__ import annotations

import copy

from lxml import etree
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
GATE_PREFIX = "compensate__"
_DEFINITION = "compensateEventDefinition"


class CompensationGate(ExclusiveGateway):
    """A hidden gate before a compensation throw: its one condition is the id of the activity whose
    handler it runs when that activity completed in this process level."""

    def _run_hook(self, my_task: Task) -> bool:
        output = self.default_task_spec
        for condition, spec_name in self.cond_task_specs:
            if condition is not None and _completed(my_task, condition.args[0]):
                output = spec_name
        my_task._sync_children([my_task.workflow.spec.get_task_spec_from_name(output)], TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True


def _completed(my_task: Task, activity: str) -> bool:
    return any(
        t.task_spec.bpmn_id == activity and t.state == TaskState.COMPLETED
        for t in my_task.workflow.tasks.values()
    )


def adopt_gates(spec) -> None:
    """Give the hidden gates of a parsed process level their behaviour."""
    for task_spec in spec.task_specs.values():
        if (getattr(task_spec, "bpmn_id", None) or "").startswith(GATE_PREFIX):
            task_spec.__class__ = CompensationGate


def rewrite_compensation(root: etree._Element) -> etree._Element:
    """``root`` itself when it has no compensation, else a copy where compensation is ordinary flow."""
    if not root.xpath("//*[local-name()=$d]", d=_DEFINITION):
        return root
    root = copy.deepcopy(root)
    throws = root.xpath(
        "//*[local-name()='intermediateThrowEvent' or local-name()='endEvent'][*[local-name()=$d]]",
        d=_DEFINITION,
    )
    levels = dict.fromkeys(throw.getparent() for throw in throws)
    for level in levels:
        here = [t for t in throws if t.getparent() is level]
        pairs = _compensable(root, level)
        for throw in here:
            definition = next(c for c in throw if _local(c) == _DEFINITION)
            only = (definition.get("activityRef") or "").rsplit(":", 1)[-1] or None
            throw.remove(definition)
            chosen = [(a, h) for a, h in pairs if only in (None, a)]
            _insert_gates(level, throw, chosen, copy_handlers=len(here) > 1)
        if len(here) > 1:
            for _, handler in pairs:
                level.remove(handler)
    for boundary in root.xpath("//*[local-name()='boundaryEvent'][*[local-name()=$d]]", d=_DEFINITION):
        boundary.getparent().remove(boundary)
    return root


def _compensable(root: etree._Element, level: etree._Element) -> list[tuple[str, etree._Element]]:
    """(activity id, handler) of the level, the activity furthest from the level's start first."""
    by_id = {e.get("id"): e for e in level if _is_element(e) and e.get("id")}
    pairs = []
    for boundary in level:
        if _local(boundary) != "boundaryEvent" or not any(_local(c) == _DEFINITION for c in boundary):
            continue
        for association in root.xpath("//*[local-name()='association'][@sourceRef=$b]", b=boundary.get("id")):
            handler = by_id.get(association.get("targetRef"))
            if handler is not None and handler.get("isForCompensation") == "true":
                pairs.append((boundary.get("attachedToRef"), handler))
    distance = _distances(level)
    return sorted(pairs, key=lambda pair: -distance.get(pair[0], 0))


def _distances(level: etree._Element) -> dict[str, int]:
    """Each flow node's distance in sequence flows from the level's start events."""
    outgoing: dict[str, list[str]] = {}
    for flow in level:
        if _local(flow) == "sequenceFlow":
            outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    frontier = [e.get("id") for e in level if _local(e) == "startEvent"]
    distance = dict.fromkeys(frontier, 0)
    while frontier:
        node = frontier.pop(0)
        for target in outgoing.get(node, []):
            if target not in distance:
                distance[target] = distance[node] + 1
                frontier.append(target)
    return distance


def _insert_gates(level, throw, chosen, copy_handlers: bool) -> None:
    """Route the throw's incoming flows through one gate per (activity, handler), then to the throw."""
    throw_id = throw.get("id")
    for child in [c for c in throw if _local(c) == "incoming"]:
        throw.remove(child)
    entry = throw_id
    gates = [f"{GATE_PREFIX}{throw_id}__{i}" for i in range(len(chosen))]
    if gates:
        entry = gates[0]
    for flow in level.xpath("./*[local-name()='sequenceFlow'][@targetRef=$t]", t=throw_id):
        flow.set("targetRef", entry)
    for i, (activity, handler) in enumerate(chosen):
        following = gates[i + 1] if i + 1 < len(gates) else throw_id
        if copy_handlers:
            handler = _copy(handler, suffix=f"__{throw_id}")
            _place(level, handler)
        for child in [c for c in handler if _local(c) in ("incoming", "outgoing")]:
            handler.remove(child)
        _add(level, "exclusiveGateway", id=gates[i], default=f"{gates[i]}__skip")
        run = _flow(level, f"{gates[i]}__run", gates[i], handler.get("id"))
        etree.SubElement(run, f"{{{BPMN}}}conditionExpression").text = activity
        _flow(level, f"{gates[i]}__skip", gates[i], following)
        _flow(level, f"{gates[i]}__done", handler.get("id"), following)


def _flow(level, flow_id: str, source: str, target: str) -> etree._Element:
    return _add(level, "sequenceFlow", id=flow_id, sourceRef=source, targetRef=target)


#: What follows the flow elements of a process or sub-process in the BPMN 2.0 schema.
_AFTER_FLOW_ELEMENTS = {
    "association",
    "textAnnotation",
    "group",
    "resourceRole",
    "performer",
    "humanPerformer",
    "potentialOwner",
    "correlationSubscription",
    "supports",
}


def _add(level, name: str, **attributes: str) -> etree._Element:
    """A new flow element of ``level``, placed where the schema allows it (before the artifacts)."""
    element = etree.Element(f"{{{BPMN}}}{name}", **attributes)
    _place(level, element)
    return element


def _place(level, element) -> None:
    following = next((c for c in level if _local(c) in _AFTER_FLOW_ELEMENTS), None)
    if following is None:
        level.append(element)
    else:
        following.addprevious(element)


def _copy(element: etree._Element, suffix: str) -> etree._Element:
    """A copy of a handler whose ids, and the references among them, all end in ``suffix``."""
    copied = copy.deepcopy(element)
    ids = {e.get("id") for e in copied.iter() if _is_element(e) and e.get("id")}
    for each in copied.iter():
        if not _is_element(each):
            continue
        for attribute in ("id", "sourceRef", "targetRef", "attachedToRef", "default"):
            if each.get(attribute) in ids:
                each.set(attribute, each.get(attribute) + suffix)
        if _local(each) in ("incoming", "outgoing") and (each.text or "").strip() in ids:
            each.text = each.text.strip() + suffix
    return copied


def _is_element(element) -> bool:
    return isinstance(element.tag, str)


def _local(element) -> str | None:
    return etree.QName(element).localname if _is_element(element) else None
