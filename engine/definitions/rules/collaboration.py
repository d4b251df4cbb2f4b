"""Collaborations (BPMN 2.0.2 §9): pools and the message flows between them."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import ARTIFACTS, FLOW_NODES, GATEWAYS, local, ref_id
from engine.definitions.rules.base import Checking, is_executable, process_of, rule
from engine.definitions.rules.events import definitions, kind
from engine.errors import N_, Problem


def _pool(c: Checking, element):
    """The participant a message flow end belongs to: itself, or the pool of its process."""
    if local(element) == "participant":
        return element
    process = process_of(element)
    if process is None:
        return None
    for participant in c.model.file_of(element).bpmn("participant"):
        if ref_id(participant.get("processRef")) == process.get("id"):
            return participant
    return None


@rule("message-flow-pools", "§9.3 Message Flow")
def message_flow_pools(c: Checking) -> Iterator[Problem]:
    """A message flow connects two different pools."""
    for flow in c.model.bpmn("messageFlow"):
        ends = [c.model.resolve(flow, flow.get(a)) for a in ("sourceRef", "targetRef")]
        if any(e is None for e in ends):
            continue
        pools = [_pool(c, e) for e in ends]
        if pools[0] is not None and pools[0] is pools[1]:
            yield c.problem(
                flow, N_("A message flow must connect two different pools, not two elements of one.")
            )


@rule("message-flow-ends", "§9.3 Message Flow; §10.5.2-10.5.4 Events")
def message_flow_ends(c: Checking) -> Iterator[Problem]:
    """A message flow leaves a pool, an activity or a throw event and arrives at a pool, an activity or
    a catch event; an end event sends and a start event receives only as message events."""
    for flow in c.model.bpmn("messageFlow"):
        source = c.model.resolve(flow, flow.get("sourceRef"))
        target = c.model.resolve(flow, flow.get("targetRef"))
        for node in (source, target):
            if node is None:
                continue
            name = local(node)
            if name in ARTIFACTS or name in GATEWAYS or (name not in FLOW_NODES and name != "participant"):
                yield c.problem(
                    flow,
                    N_("A message flow cannot start or end at a {kind} ('{ref}')."),
                    kind=name,
                    ref=node.get("id"),
                )
        if source is not None:
            if local(source) in ("startEvent", "intermediateCatchEvent", "boundaryEvent"):
                yield c.problem(
                    flow, N_("A catching event ('{ref}') cannot send a message flow."), ref=source.get("id")
                )
            elif local(source) == "endEvent" and not _is_message(c, source):
                yield c.problem(flow, N_("Only a message end event can send a message flow."))
        if target is not None:
            if local(target) in ("endEvent", "intermediateThrowEvent"):
                yield c.problem(
                    flow,
                    N_("A throwing event ('{ref}') cannot receive a message flow."),
                    ref=target.get("id"),
                )
            elif local(target) == "startEvent" and not _is_message(c, target):
                yield c.problem(flow, N_("Only a message start event can receive a message flow."))


def _is_message(c: Checking, event) -> bool:
    return any(kind(d) == "message" for d in definitions(c, event))


@rule("participant-multiplicity", "§9.2 Pools and Participants (ParticipantMultiplicity)")
def participant_multiplicity(c: Checking) -> Iterator[Problem]:
    """A participant multiplicity has a minimum of 0 or more and a maximum of 1 or more, not below it."""
    for multiplicity in c.model.bpmn("participantMultiplicity"):
        try:
            low = int(multiplicity.get("minimum", "0"))
            high = int(multiplicity.get("maximum", "1"))
        except ValueError:
            yield c.problem(multiplicity, N_("The participant multiplicity must be whole numbers."))
            continue
        if low < 0 or high < 1 or high < low:
            yield c.problem(
                multiplicity,
                N_("The participant multiplicity {minimum}..{maximum} is not valid."),
                minimum=low,
                maximum=high,
            )


@rule("public-process", "§10.2 Process (processType)")
def public_process(c: Checking) -> Iterator[Problem]:
    """A public process (its visible part only) is not executable."""
    for process in c.model.processes():
        if (process.get("processType") or "").strip() == "Public" and is_executable(process):
            yield c.problem(process, N_("A public process (processType Public) cannot be executable."))
