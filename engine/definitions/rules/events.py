"""Events (BPMN 2.0.2 §10.5): which event definitions each kind of event may carry where it stands,
and how events connect to sequence flows and message flows."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import EVENT_DEFINITIONS, children, event_definitions, local
from engine.definitions.rules.base import Checking, is_event_sub_process, is_true, level_of, rule
from engine.errors import N_, Problem

TOP_LEVEL_START = {"message", "timer", "conditional", "signal"}
EVENT_SUB_PROCESS_START = {"message", "timer", "escalation", "error", "compensate", "conditional", "signal"}
NON_INTERRUPTING_START = {"message", "timer", "escalation", "conditional", "signal"}
END = {"message", "error", "escalation", "cancel", "compensate", "signal", "terminate"}
CATCH = {"message", "timer", "conditional", "link", "signal"}
THROW = {"message", "escalation", "compensate", "link", "signal"}
BOUNDARY = {"message", "timer", "escalation", "conditional", "error", "cancel", "compensate", "signal"}
NON_INTERRUPTING_BOUNDARY = {"message", "timer", "escalation", "conditional", "signal"}


def definitions(c: Checking, event) -> list:
    """The event's definitions: those it holds and those its ``eventDefinitionRef`` children name."""
    found = event_definitions(event)
    for ref in children(event, "eventDefinitionRef"):
        target = c.model.resolve(ref, ref.text)
        if target is not None and local(target) in EVENT_DEFINITIONS:
            found.append(target)
    return found


def kind(definition) -> str:
    return local(definition).removesuffix("EventDefinition")


def _refuse_kinds(c: Checking, event, allowed: set[str], template: str) -> Iterator[Problem]:
    for definition in definitions(c, event):
        if kind(definition) not in allowed:
            yield c.problem(event, template, definition=local(definition))


@rule("start-event-definitions", "§10.5.2 Start Event (Tables 10.84-10.86)")
def start_event_definitions(c: Checking) -> Iterator[Problem]:
    """Each start event carries only the triggers its place allows."""
    for event in c.model.bpmn("startEvent"):
        level = level_of(event)
        if level is None:
            continue
        if local(level) == "process":
            yield from _refuse_kinds(
                c,
                event,
                TOP_LEVEL_START,
                N_(
                    "A start event of a process may be none, message, timer, "
                    "conditional or signal, not {definition}."
                ),
            )
        elif is_event_sub_process(level):
            if not definitions(c, event):
                yield c.problem(
                    event,
                    N_(
                        "The start event of an event sub-process needs a trigger "
                        "(message, timer, escalation, error, compensation, conditional or signal)."
                    ),
                )
            elif is_true(event, "isInterrupting", True):
                yield from _refuse_kinds(
                    c,
                    event,
                    EVENT_SUB_PROCESS_START,
                    N_("The start event of an event sub-process may not be {definition}."),
                )
            else:
                yield from _refuse_kinds(
                    c,
                    event,
                    NON_INTERRUPTING_START,
                    N_(
                        "A non-interrupting start event may be message, timer, escalation, conditional "
                        "or signal, not {definition}."
                    ),
                )
        else:
            for definition in definitions(c, event):
                yield c.problem(
                    event,
                    N_(
                        "A start event inside a sub-process must be a none start event, without {definition}."
                    ),
                    definition=local(definition),
                )


@rule("end-event-definitions", "§10.5.3 End Event (Table 10.88)")
def end_event_definitions(c: Checking) -> Iterator[Problem]:
    """End events carry only results an end event can have; a cancel end event stands in a transaction."""
    for event in c.model.bpmn("endEvent"):
        yield from _refuse_kinds(
            c,
            event,
            END,
            N_(
                "An end event may be none, message, error, escalation, cancel, compensation, signal or "
                "terminate, not {definition}."
            ),
        )
        level = level_of(event)
        if any(kind(d) == "cancel" for d in definitions(c, event)) and (
            level is None or local(level) != "transaction"
        ):
            yield c.problem(event, N_("A cancel end event may only stand inside a transaction."))


@rule("intermediate-event-definitions", "§10.5.4 Intermediate Event (Table 10.89)")
def intermediate_event_definitions(c: Checking) -> Iterator[Problem]:
    """Intermediate events in the normal flow catch or throw only what the normal flow allows."""
    for event in c.model.bpmn("intermediateCatchEvent"):
        if not definitions(c, event):
            yield c.problem(
                event,
                N_(
                    "An intermediate catch event needs a trigger (message, "
                    "timer, conditional, link or signal)."
                ),
            )
        yield from _refuse_kinds(
            c,
            event,
            CATCH,
            N_(
                "An intermediate catch event may wait for message, timer, "
                "conditional, link or signal, not {definition}."
            ),
        )
    for event in c.model.bpmn("intermediateThrowEvent"):
        yield from _refuse_kinds(
            c,
            event,
            THROW,
            N_(
                "An intermediate throw event may be none, message, escalation, compensation, link or signal, "
                "not {definition}."
            ),
        )


@rule("boundary-event-definitions", "§10.5.4 Intermediate Events attached to an Activity (Table 10.90)")
def boundary_event_definitions(c: Checking) -> Iterator[Problem]:
    """A boundary event has a trigger; a non-interrupting one only one that can leave the activity running."""
    for event in c.model.bpmn("boundaryEvent"):
        if not definitions(c, event):
            yield c.problem(event, N_("A boundary event needs a trigger."))
        elif is_true(event, "cancelActivity", True):
            yield from _refuse_kinds(
                c,
                event,
                BOUNDARY,
                N_(
                    "A boundary event may be message, timer, escalation, conditional, error, cancel, "
                    "compensation or signal, not {definition}."
                ),
            )
        else:
            yield from _refuse_kinds(
                c,
                event,
                NON_INTERRUPTING_BOUNDARY,
                N_(
                    "A non-interrupting boundary event may be message, timer, escalation, conditional or "
                    "signal, not {definition}."
                ),
            )


@rule("start-event-flows", "§10.5.2 Start Event")
def start_event_flows(c: Checking) -> Iterator[Problem]:
    """A start event has no incoming sequence flow and at least one outgoing one."""
    for event in c.model.bpmn("startEvent"):
        if c.flows.incoming(event):
            yield c.problem(event, N_("A start event may not be the target of a sequence flow."))
        if not c.flows.outgoing(event):
            yield c.problem(event, N_("A start event must be the source of a sequence flow."))


@rule("end-event-flows", "§10.5.3 End Event")
def end_event_flows(c: Checking) -> Iterator[Problem]:
    """An end event has at least one incoming sequence flow and no outgoing one."""
    for event in c.model.bpmn("endEvent"):
        if c.flows.outgoing(event):
            yield c.problem(event, N_("An end event may not be the source of a sequence flow."))
        if not c.flows.incoming(event):
            yield c.problem(event, N_("An end event must be the target of a sequence flow."))


@rule("intermediate-event-flows", "§10.5.4 Intermediate Event")
def intermediate_event_flows(c: Checking) -> Iterator[Problem]:
    """An intermediate event is both target and source of sequence flows, except the two ends of a link."""
    for event in c.model.bpmn("intermediateCatchEvent", "intermediateThrowEvent"):
        link = any(kind(d) == "link" for d in definitions(c, event))
        catching = local(event) == "intermediateCatchEvent"
        incoming, outgoing = c.flows.incoming(event), c.flows.outgoing(event)
        if link and catching and incoming:
            yield c.problem(event, N_("A link catch event may not be the target of a sequence flow."))
        elif link and not catching and outgoing:
            yield c.problem(event, N_("A link throw event may not be the source of a sequence flow."))
        if not incoming and not (link and catching):
            yield c.problem(event, N_("An intermediate event must be the target of a sequence flow."))
        if not outgoing and not (link and not catching):
            yield c.problem(event, N_("An intermediate event must be the source of a sequence flow."))


@rule("links", "§10.5.4 Link Intermediate Events; §10.5.5 LinkEventDefinition")
def links(c: Checking) -> Iterator[Problem]:
    """Every link throw has exactly one link catch of its name on its level, and every catch a throw."""
    by_level: dict[int, dict[str, list]] = {}
    for event in c.model.bpmn("intermediateCatchEvent", "intermediateThrowEvent"):
        for definition in definitions(c, event):
            if kind(definition) == "link":
                side = "catch" if local(event) == "intermediateCatchEvent" else "throw"
                name = (definition.get("name") or "").strip()
                level = by_level.setdefault(id(level_of(event)), {"catch": [], "throw": []})
                level[side].append((event, name))
    for level in by_level.values():
        catches = {}
        for event, name in level["catch"]:
            catches.setdefault(name, []).append(event)
        throws = {name for _, name in level["throw"]}
        for event, name in level["throw"]:
            if not name:
                yield c.problem(event, N_("A link event needs a name that pairs the throw with its catch."))
            elif len(catches.get(name, [])) != 1:
                yield c.problem(
                    event,
                    N_("The link '{name}' must have exactly one link catch event of that name on its level."),
                    name=name,
                )
        for name, events in catches.items():
            for event in events:
                if not name:
                    yield c.problem(
                        event, N_("A link event needs a name that pairs the throw with its catch.")
                    )
                elif name not in throws:
                    yield c.problem(
                        event, N_("No link throw event on this level goes to the link '{name}'."), name=name
                    )


@rule("boundary-event-flows", "§10.5.4 Intermediate Events attached to an Activity; §10.7 Compensation")
def boundary_event_flows(c: Checking) -> Iterator[Problem]:
    """A boundary event is attached to an activity of its level, has no incoming flow, and leaves by a flow
    (a compensation boundary event by an association to its handler instead)."""
    for event in c.model.bpmn("boundaryEvent"):
        attached = c.model.resolve(event, event.get("attachedToRef"))
        if attached is None:
            yield c.problem(event, N_("A boundary event must be attached to an activity (attachedToRef)."))
        elif level_of(attached) is not level_of(event):
            yield c.problem(event, N_("A boundary event must stand on the same level as its activity."))
        if c.flows.incoming(event):
            yield c.problem(event, N_("A boundary event may not be the target of a sequence flow."))
        compensation = any(kind(d) == "compensate" for d in definitions(c, event))
        if compensation and c.flows.outgoing(event):
            yield c.problem(
                event, N_("A compensation boundary event may not be the source of a sequence flow.")
            )
        elif not compensation and not c.flows.outgoing(event):
            yield c.problem(event, N_("A boundary event must be the source of a sequence flow."))
        cancel = any(kind(d) == "cancel" for d in definitions(c, event))
        if cancel and attached is not None and local(attached) != "transaction":
            yield c.problem(event, N_("A cancel boundary event may only be attached to a transaction."))


@rule("throw-definitions-own", "§10.5.5 Event Definitions")
def throw_definitions_own(c: Checking) -> Iterator[Problem]:
    """An event definition written inside a throw event is not reused by another event."""
    owned = {}
    for event in c.model.bpmn("endEvent", "intermediateThrowEvent"):
        for definition in event_definitions(event):
            if definition.get("id"):
                owned[(c.model.file_of(event).name, definition.get("id"))] = event
    for ref in c.model.bpmn("eventDefinitionRef"):
        key = (c.model.file_of(ref).name, (ref.text or "").strip().rsplit(":", 1)[-1])
        if key in owned and owned[key] is not ref.getparent():
            yield c.problem(
                ref.getparent(),
                N_(
                    "The event definition '{definition}' belongs to the throw "
                    "event '{owner}' and may not be reused."
                ),
                definition=key[1],
                owner=owned[key].get("id"),
            )


@rule("event-references", "§10.5.5 Event Definitions (messageRef, escalationRef)")
def event_references(c: Checking) -> Iterator[Problem]:
    """A message event names its message; an escalation that is thrown names one with a code."""
    for event in c.model.bpmn(
        "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"
    ):
        for definition in definitions(c, event):
            what = kind(definition)
            if what == "message" and not definition.get("messageRef"):
                yield c.problem(event, N_("A message event must name its message (messageRef)."))
            elif what == "escalation" and local(event) in ("endEvent", "intermediateThrowEvent"):
                escalation = c.model.resolve(definition, definition.get("escalationRef"))
                if escalation is None:
                    yield c.problem(
                        event, N_("An escalation that is thrown must name its escalation (escalationRef).")
                    )
                elif not (escalation.get("escalationCode") or "").strip():
                    yield c.problem(
                        event,
                        N_("The escalation '{escalation}' that is thrown needs an escalationCode."),
                        escalation=escalation.get("id"),
                    )
