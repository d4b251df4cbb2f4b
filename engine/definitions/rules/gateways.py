"""Gateways (BPMN 2.0.2 §10.6): flow counts and direction, the exclusive gateway's way out, and the
configuration of an event-based gateway."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import GATEWAYS, children, local
from engine.definitions.rules.base import Checking, is_true, rule
from engine.definitions.rules.events import definitions, kind
from engine.errors import N_, Problem

EVENT_GATEWAY_TRIGGERS = {"message", "timer", "signal", "conditional"}


@rule("gateway-flow-counts", "§10.6 Gateways (gatewayDirection)")
def gateway_flow_counts(c: Checking) -> Iterator[Problem]:
    """A gateway splits or joins (several flows in or out), as its gatewayDirection says."""
    for gateway in c.model.bpmn(*GATEWAYS):
        ins, outs = len(c.flows.incoming(gateway)), len(c.flows.outgoing(gateway))
        direction = (gateway.get("gatewayDirection") or "Unspecified").strip()
        if ins < 2 and outs < 2:
            yield c.problem(
                gateway,
                N_(
                    "A gateway must split or join: it has {ins} incoming "
                    "and {outs} outgoing sequence flow(s)."
                ),
                ins=ins,
                outs=outs,
            )
        elif direction == "Converging" and outs > 1:
            yield c.problem(gateway, N_("A converging gateway may have only one outgoing sequence flow."))
        elif direction == "Diverging" and ins > 1:
            yield c.problem(gateway, N_("A diverging gateway may have only one incoming sequence flow."))
        elif direction == "Mixed" and (ins < 2 or outs < 2):
            yield c.problem(
                gateway, N_("A mixed gateway needs several incoming and several outgoing sequence flows.")
            )
        if direction == "Converging" and ins < 2:
            yield c.problem(gateway, N_("A converging gateway needs several incoming sequence flows."))
        elif direction == "Diverging" and outs < 2:
            yield c.problem(gateway, N_("A diverging gateway needs several outgoing sequence flows."))


@rule("exclusive-gateway-way-out", "§10.6.2 Exclusive Gateway; §10.6.3 Inclusive Gateway")
def exclusive_gateway_way_out(c: Checking) -> Iterator[Problem]:
    """A splitting exclusive or inclusive gateway has a condition on every outgoing flow but its default."""
    for gateway in c.model.bpmn("exclusiveGateway", "inclusiveGateway"):
        outgoing = c.flows.outgoing(gateway)
        if len(outgoing) < 2:
            continue
        default = gateway.get("default")
        for flow in outgoing:
            if flow.get("id") == default:
                continue
            condition = children(flow, "conditionExpression")
            if not condition or not (condition[0].text or "").strip():
                yield c.problem(
                    flow,
                    N_(
                        "The flow '{flow}' leaves the gateway without a "
                        "condition and is not its default flow."
                    ),
                    flow=flow.get("id"),
                )


@rule("event-gateway", "§10.6.6 Event-Based Gateway")
def event_gateway(c: Checking) -> Iterator[Problem]:
    """An event-based gateway leads to two or more receive tasks or catch events (message, timer, signal,
    conditional), each reached only from it; message catches and receive tasks are not mixed."""
    for gateway in c.model.bpmn("eventBasedGateway"):
        outgoing = c.flows.outgoing(gateway)
        if len(outgoing) < 2:
            yield c.problem(gateway, N_("An event-based gateway needs two or more outgoing sequence flows."))
        if is_true(gateway, "instantiate", False) and c.flows.incoming(gateway):
            yield c.problem(
                gateway, N_("An event-based gateway that starts the process may not have incoming flows.")
            )
        receives, messages = False, False
        for flow in outgoing:
            target = c.model.resolve(flow, flow.get("targetRef"))
            if target is None:
                continue
            triggers = [kind(d) for d in definitions(c, target)]
            if local(target) == "receiveTask":
                receives = True
                if any(b.get("attachedToRef") == target.get("id") for b in c.model.bpmn("boundaryEvent")):
                    yield c.problem(
                        target,
                        N_("A receive task after an event-based gateway may not have boundary events."),
                    )
            elif (
                local(target) == "intermediateCatchEvent"
                and len(triggers) == 1
                and (triggers[0] in EVENT_GATEWAY_TRIGGERS)
            ):
                messages = messages or triggers[0] == "message"
            else:
                yield c.problem(
                    target,
                    N_(
                        "After an event-based gateway come only receive tasks and message, timer, signal or "
                        "conditional catch events, not this {kind}."
                    ),
                    kind=local(target),
                )
            if len(c.flows.incoming(target)) > 1:
                yield c.problem(
                    target,
                    N_("An element after an event-based gateway may be reached only from the gateway."),
                )
        if receives and messages:
            yield c.problem(
                gateway,
                N_(
                    "An event-based gateway may lead to receive tasks or "
                    "to message catch events, not to both."
                ),
            )
