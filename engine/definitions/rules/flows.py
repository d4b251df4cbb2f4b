"""Sequence flows (BPMN 2.0.2 §8.3.13, §10.2 Flow Nodes, §10.3 Activities): what they connect, how flow
nodes list them, default and conditional flows, and whether every node lies on a path."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import (
    ACTIVITIES,
    FLOW_NODES,
    GATEWAYS,
    LEVELS,
    child_texts,
    children,
    local,
    ref_id,
)
from engine.definitions.rules.base import (
    Checking,
    is_event_sub_process,
    is_executable,
    is_true,
    level_of,
    process_of,
    rule,
)
from engine.definitions.rules.events import definitions, kind
from engine.errors import N_, Problem


@rule("sequence-flow-ends", "§8.3.13 Sequence Flow; §10.3.5 Event Sub-Process")
def sequence_flow_ends(c: Checking) -> Iterator[Problem]:
    """A sequence flow connects two flow nodes of its own process level (never an artifact, a data object,
    an event sub-process, or an element of another pool or level)."""
    for flow in c.model.bpmn("sequenceFlow"):
        for attribute in ("sourceRef", "targetRef"):
            reference = flow.get(attribute)
            node = c.model.resolve(flow, reference)
            if not reference:
                yield c.problem(flow, N_("The sequence flow has no {attribute}."), attribute=attribute)
            elif node is None:
                yield c.problem(
                    flow,
                    N_("The sequence flow's {attribute} '{ref}' names no element of the process."),
                    attribute=attribute,
                    ref=reference,
                )
            elif local(node) not in FLOW_NODES:
                yield c.problem(
                    flow,
                    N_(
                        "The sequence flow's {attribute} '{ref}' is a {kind}, "
                        "not an activity, event or gateway."
                    ),
                    attribute=attribute,
                    ref=reference,
                    kind=local(node),
                )
            elif is_event_sub_process(node):
                yield c.problem(
                    flow,
                    N_("An event sub-process ('{ref}') may not be connected by sequence flows."),
                    ref=reference,
                )
            elif level_of(node) is not level_of(flow):
                yield c.problem(
                    flow,
                    N_(
                        "The sequence flow leaves its process level: '{ref}' "
                        "is in another pool or sub-process."
                    ),
                    ref=reference,
                )


@rule("flow-node-lists", "§10.2 Flow Nodes (incoming, outgoing)")
def flow_node_lists(c: Checking) -> Iterator[Problem]:
    """A flow node's ``incoming`` and ``outgoing`` name exactly the sequence flows that enter and leave it
    (in a file that lists them: some tools leave them out, and they are derived from the flows)."""
    listing = {
        name
        for name, f in c.model.bpmn_files.items()
        if next(f.bpmn("incoming", "outgoing"), None) is not None
    }
    for node in c.model.bpmn(*FLOW_NODES):
        if c.model.file_of(node).name not in listing:
            continue
        for child, attribute in (("incoming", "targetRef"), ("outgoing", "sourceRef")):
            listed = set()
            for reference in child_texts(node, child):
                listed.add(ref_id(reference))
                flow = c.model.resolve(node, reference)
                if flow is None or local(flow) != "sequenceFlow":
                    yield c.problem(
                        node,
                        N_("'{child}' names '{ref}', which is no sequence flow of the file."),
                        child=child,
                        ref=reference,
                    )
                elif ref_id(flow.get(attribute)) != node.get("id"):
                    yield c.problem(
                        node,
                        N_(
                            "'{child}' names the sequence flow '{ref}', whose {attribute} is another element."
                        ),
                        child=child,
                        ref=reference,
                        attribute=attribute,
                    )
            actual = c.flows.incoming(node) if child == "incoming" else c.flows.outgoing(node)
            for flow in actual:
                if flow.get("id") not in listed:
                    yield c.problem(
                        node,
                        N_("The sequence flow '{flow}' is not listed in the element's '{child}'."),
                        flow=flow.get("id"),
                        child=child,
                    )


@rule("default-flows", "§10.3 Activities (default); §10.6.2 Exclusive Gateway")
def default_flows(c: Checking) -> Iterator[Problem]:
    """A default flow is an outgoing flow of the element that names it, and carries no condition."""
    for node in c.model.bpmn(*(ACTIVITIES | GATEWAYS)):
        reference = node.get("default")
        if not reference:
            continue
        flow = c.model.resolve(node, reference)
        if flow is None or local(flow) != "sequenceFlow" or ref_id(flow.get("sourceRef")) != node.get("id"):
            yield c.problem(
                node,
                N_("The default flow '{ref}' is not a sequence flow leaving this element."),
                ref=reference,
            )
        elif children(flow, "conditionExpression"):
            yield c.problem(flow, N_("A default flow may not have a condition."))


@rule("conditional-flows", "§8.3.13 Sequence Flow (conditionExpression); §10.6 Gateways")
def conditional_flows(c: Checking) -> Iterator[Problem]:
    """Conditions stand on flows that can be chosen: not on the only flow out of an activity, not on the
    flows out of an event-based gateway, and never empty."""
    for flow in c.model.bpmn("sequenceFlow"):
        conditions = children(flow, "conditionExpression")
        if not conditions:
            continue
        source = c.model.resolve(flow, flow.get("sourceRef"))
        if source is None:
            continue
        if not (conditions[0].text or "").strip():
            yield c.problem(flow, N_("The condition of the sequence flow is empty."))
        elif local(source) in ACTIVITIES and len(c.flows.outgoing(source)) < 2:
            yield c.problem(
                flow, N_("A condition on the only sequence flow leaving an activity is not allowed.")
            )
        elif local(source) == "eventBasedGateway":
            yield c.problem(
                flow,
                N_("A sequence flow leaving a {kind} may not have a condition."),
                kind=local(source),
            )


@rule("immediate-flows", "§8.3.13 Sequence Flow (isImmediate)")
def immediate_flows(c: Checking) -> Iterator[Problem]:
    """In an executable process a sequence flow is immediate (isImmediate is not false)."""
    for flow in c.model.bpmn("sequenceFlow"):
        if (flow.get("isImmediate") or "").strip() == "false" and is_executable(process_of(flow)):
            yield c.problem(
                flow, N_("In an executable process a sequence flow may not set isImmediate to false.")
            )


@rule("duplicate-flows", "§8.3.13 Sequence Flow")
def duplicate_flows(c: Checking) -> Iterator[Problem]:
    """Two sequence flows do not connect the same two elements the same way."""
    seen = set()
    for flow in c.model.bpmn("sequenceFlow"):
        condition = "".join((e.text or "").strip() for e in children(flow, "conditionExpression"))
        key = (c.model.file_of(flow).name, flow.get("sourceRef"), flow.get("targetRef"), condition)
        if key in seen:
            yield c.problem(
                flow,
                N_("Another sequence flow already connects '{source}' to '{target}'."),
                source=flow.get("sourceRef"),
                target=flow.get("targetRef"),
            )
        seen.add(key)


def _needs_incoming(c: Checking, node) -> bool:
    """Whether a node on a level with start events must be reached by a sequence flow."""
    name = local(node)
    if name in ("startEvent", "boundaryEvent") or is_event_sub_process(node):
        return False
    if is_true(node, "isForCompensation", False):
        return False
    if name == "intermediateCatchEvent" and any(kind(d) == "link" for d in definitions(c, node)):
        return False
    return not (name == "receiveTask" and is_true(node, "instantiate", False)) and not (
        name == "eventBasedGateway" and is_true(node, "instantiate", False)
    )


def _needs_outgoing(c: Checking, node) -> bool:
    name = local(node)
    if name == "endEvent" or is_event_sub_process(node) or is_true(node, "isForCompensation", False):
        return False
    if name == "boundaryEvent":
        return False  # boundary-event-flows says what a boundary event needs
    return not (name == "intermediateThrowEvent" and any(kind(d) == "link" for d in definitions(c, node)))


@rule("connected-nodes", "§10.5.2 Start Event; §10.5.3 End Event")
def connected_nodes(c: Checking) -> Iterator[Problem]:
    """Where a level has start events every node is reached by a flow; where it has end events every node
    leads on; a level with one has the other."""
    for level in c.model.bpmn(*LEVELS):
        nodes = children(level, *FLOW_NODES)
        starts = [n for n in nodes if local(n) == "startEvent"]
        ends = [n for n in nodes if local(n) == "endEvent"]
        if local(level) == "adHocSubProcess":
            continue
        executable = local(level) == "process" and is_executable(level)
        if (nodes or executable) and not starts and not _instantiating(c, nodes):
            yield c.problem(
                level, N_("Ravand starts every process and sub-process at a start event: add one.")
            )
        if starts and not ends:
            yield c.problem(starts[0], N_("This level has a start event but no end event."))
        for node in nodes:
            if local(node) in ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"):
                continue  # their own rules say what they need
            if starts and _needs_incoming(c, node) and not c.flows.incoming(node):
                yield c.problem(node, N_("No sequence flow leads to this element, so it never runs."))
            if ends and _needs_outgoing(c, node) and not c.flows.outgoing(node):
                yield c.problem(node, N_("No sequence flow leaves this element, so its path never ends."))


def _instantiating(c: Checking, nodes: list) -> bool:
    return any(
        local(n) in ("receiveTask", "eventBasedGateway") and is_true(n, "instantiate", False) for n in nodes
    )
