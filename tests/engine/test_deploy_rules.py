"""The deploy rule table: each rule refuses its corpus of invalid models (several per rule), located at
file, line and element, in one check that reports every problem; valid models pass; nothing raises."""

# ruff: noqa: E501  (the corpus is BPMN: a model reads best on one line)

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.definitions.bundle import Bundle, collect_bundles
from engine.definitions.rules import RULES
from engine.definitions.validation import check_bundle
from tests.engine.rule_corpus import (
    FORM,
    INNER_CHAIN,
    SCRIPT,
    boundary,
    chain,
    event_sub_process,
    flow,
    gateway,
    model,
    node,
    sub_process,
    timer,
    user_task,
    with_event,
)

ROOT = Path(__file__).resolve().parents[2]
ROLES = {"expert": "expert", "head": "head"}
FORM_JSON = json.dumps({"components": [{"type": "textfield", "key": "note", "label": "Note"}]}).encode()


def problems_of(xml: str, studio: bool = False, files: dict | None = None):
    bundle = Bundle("p", {"p.bpmn": xml.encode(), "form.json": FORM_JSON, **(files or {})})
    return check_bundle(bundle, ROLES.get, studio)[1]


MSG = '<bpmn:messageEventDefinition messageRef="m" />'
ERROR = "<bpmn:errorEventDefinition />"
TIMER = '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'
LINK = '<bpmn:linkEventDefinition name="jump" />'

CASES = [
    # events: the triggers each kind of event may carry where it stands
    ("start-event-definitions", model(chain(start_inner=ERROR))),
    ("start-event-definitions", model(chain(start_inner="<bpmn:escalationEventDefinition />"))),
    ("start-event-definitions", sub_process(INNER_CHAIN.replace('id="ss" >', 'id="ss" >' + TIMER))),
    ("start-event-definitions", event_sub_process("")),
    (
        "start-event-definitions",
        event_sub_process('<bpmn:errorEventDefinition errorRef="err" />', 'isInterrupting="false"'),
    ),
    ("end-event-definitions", model(chain(end_inner=TIMER))),
    (
        "end-event-definitions",
        model(
            chain(
                end_inner="<bpmn:conditionalEventDefinition><bpmn:condition>x</bpmn:condition></bpmn:conditionalEventDefinition>"
            )
        ),
    ),
    ("end-event-definitions", model(chain(end_inner="<bpmn:cancelEventDefinition />"))),
    ("intermediate-event-definitions", with_event("intermediateCatchEvent", "")),
    ("intermediate-event-definitions", with_event("intermediateCatchEvent", ERROR)),
    ("intermediate-event-definitions", with_event("intermediateThrowEvent", TIMER)),
    (
        "intermediate-event-definitions",
        with_event("intermediateThrowEvent", "<bpmn:terminateEventDefinition />"),
    ),
    ("boundary-event-definitions", boundary("")),
    ("boundary-event-definitions", boundary(ERROR, 'cancelActivity="false"')),
    ("boundary-event-definitions", boundary("<bpmn:terminateEventDefinition />")),
    (
        "start-event-flows",
        model(
            chain(flow("back", "t", "s"))
            .replace(
                "<bpmn:outgoing>f2</bpmn:outgoing>",
                "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>back</bpmn:outgoing>",
            )
            .replace('id="s" ><bpmn:outgoing>', 'id="s" ><bpmn:incoming>back</bpmn:incoming><bpmn:outgoing>')
        ),
    ),
    ("start-event-flows", model(chain(node("startEvent", "lonely")))),
    ("end-event-flows", model(chain(node("endEvent", "dead_end")))),
    (
        "end-event-flows",
        model(chain(node("endEvent", "e9", ins=["f2"], outs=["f9"]) + flow("f9", "e9", "t"))),
    ),
    (
        "intermediate-event-flows",
        with_event("intermediateCatchEvent", MSG, ins=(), outs=("f2",))
        .replace(flow("f1", "s", "ev"), "")
        .replace("<bpmn:outgoing>f1</bpmn:outgoing>", ""),
    ),
    (
        "intermediate-event-flows",
        model(
            chain(
                node(
                    "intermediateThrowEvent", "thrown", inner='<bpmn:signalEventDefinition signalRef="sig" />'
                )
            )
        ),
    ),
    ("links", with_event("intermediateThrowEvent", LINK, outs=())),
    (
        "links",
        model(
            chain(
                node("intermediateCatchEvent", "c1", inner=LINK)
                + node("intermediateCatchEvent", "c2", inner=LINK)
            )
        ),
    ),
    (
        "links",
        model(
            chain(
                node(
                    "intermediateCatchEvent",
                    "catch",
                    outs=["f7"],
                    inner='<bpmn:linkEventDefinition name="nowhere" />',
                )
                + node("endEvent", "e7", ins=["f7"])
                + flow("f7", "catch", "e7")
            )
        ),
    ),
    ("boundary-event-flows", boundary(MSG, outs=())),
    ("boundary-event-flows", boundary(MSG).replace('attachedToRef="t"', 'attachedToRef="missing"')),
    ("boundary-event-flows", boundary("<bpmn:cancelEventDefinition />")),
    (
        "boundary-event-flows",
        boundary(MSG)
        .replace('<bpmn:boundaryEvent id="b" ', '<bpmn:boundaryEvent id="b" ')
        .replace(flow("f2", "t", "e"), flow("f2", "t", "e") + flow("fb", "t", "b")),
    ),
    (
        "throw-definitions-own",
        model(
            chain(end_inner='<bpmn:signalEventDefinition id="sd" signalRef="sig" />', start_inner="")
            + node(
                "intermediateCatchEvent", "c", inner="<bpmn:eventDefinitionRef>sd</bpmn:eventDefinitionRef>"
            ),
            before='<bpmn:signal id="sig" name="sig" />',
        ),
    ),
    ("event-references", with_event("intermediateCatchEvent", "<bpmn:messageEventDefinition />")),
    (
        "event-references",
        model(
            chain(end_inner='<bpmn:escalationEventDefinition escalationRef="esc" />'),
            before='<bpmn:escalation id="esc" name="late" />',
        ),
    ),
    ("event-references", model(chain(end_inner="<bpmn:escalationEventDefinition />"))),
    # sequence flows
    ("sequence-flow-ends", model(chain().replace('targetRef="e"', 'targetRef="nowhere"'))),
    ("sequence-flow-ends", model(chain('<bpmn:textAnnotation id="note" />' + flow("fx", "t", "note")))),
    (
        "sequence-flow-ends",
        sub_process(INNER_CHAIN).replace(
            flow("f2", "sp", "e"), flow("f2", "sp", "e") + flow("cross", "st", "e")
        ),
    ),
    ("sequence-flow-ends", model(chain('<bpmn:sequenceFlow id="half" sourceRef="t" />'))),
    (
        "flow-node-lists",
        model(
            chain().replace(
                "<bpmn:incoming>f2</bpmn:incoming>",
                "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>ghost</bpmn:incoming>",
            )
        ),
    ),
    ("flow-node-lists", model(chain().replace("<bpmn:outgoing>f2</bpmn:outgoing>", ""))),
    (
        "flow-node-lists",
        model(
            chain().replace(
                "<bpmn:outgoing>f1</bpmn:outgoing>",
                "<bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing>",
            )
        ),
    ),
    ("default-flows", model(chain(task_attrs='default="f1"'))),
    ("default-flows", gateway("exclusiveGateway", 1, 2, attrs='default="c0"')),
    ("conditional-flows", model(chain().replace(flow("f2", "t", "e"), flow("f2", "t", "e", "x &gt; 1")))),
    ("conditional-flows", model(chain().replace(flow("f2", "t", "e"), flow("f2", "t", "e", " ")))),
    ("conditional-flows", gateway("eventBasedGateway", 1, 2)),
    (
        "duplicate-flows",
        model(
            chain(flow("f2b", "t", "e"))
            .replace(
                "<bpmn:outgoing>f2</bpmn:outgoing>",
                "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f2b</bpmn:outgoing>",
            )
            .replace(
                "<bpmn:incoming>f2</bpmn:incoming>",
                "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f2b</bpmn:incoming>",
            )
        ),
    ),
    (
        "duplicate-flows",
        gateway("parallelGateway", 1, 2, conditions=False)
        .replace(flow("c1", "g", "end1"), flow("c1", "g", "end0"))
        .replace("<bpmn:incoming>c1</bpmn:incoming>", "")
        .replace(
            'id="end0" ><bpmn:incoming>c0</bpmn:incoming>',
            'id="end0" ><bpmn:incoming>c0</bpmn:incoming><bpmn:incoming>c1</bpmn:incoming>',
        ),
    ),
    (
        "connected-nodes",
        model(
            chain(
                node("scriptTask", "orphan", outs=["fo"], inner=SCRIPT) + flow("fo", "orphan", "e")
            ).replace(
                "<bpmn:incoming>f2</bpmn:incoming>",
                "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>fo</bpmn:incoming>",
            )
        ),
    ),
    ("connected-nodes", model(chain(node("scriptTask", "stuck", inner=SCRIPT)))),
    (
        "connected-nodes",
        model(
            node("startEvent", "s", outs=["f1"])
            + node("scriptTask", "t", ins=["f1"], inner=SCRIPT)
            + flow("f1", "s", "t")
        ),
    ),
    ("connected-nodes", model(node("scriptTask", "t", inner=SCRIPT))),
    (
        "immediate-flows",
        model(chain().replace(flow("f1", "s", "t"), flow("f1", "s", "t", attrs='isImmediate="false"'))),
    ),
    # gateways
    ("gateway-flow-counts", gateway("exclusiveGateway", 1, 1)),
    ("gateway-flow-counts", gateway("exclusiveGateway", 2, 2, attrs='gatewayDirection="Converging"')),
    (
        "gateway-flow-counts",
        gateway("parallelGateway", 2, 2, attrs='gatewayDirection="Diverging"', conditions=False),
    ),
    ("gateway-flow-counts", gateway("inclusiveGateway", 1, 2, attrs='gatewayDirection="Mixed"')),
    (
        "gateway-flow-counts",
        gateway("parallelGateway", 1, 2, attrs='gatewayDirection="Converging"', conditions=False),
    ),
    ("exclusive-gateway-way-out", gateway("exclusiveGateway", 1, 2, conditions=False)),
    ("exclusive-gateway-way-out", gateway("inclusiveGateway", 1, 3).replace("x == 2", " ")),
    ("event-gateway", gateway("eventBasedGateway", 1, 1, conditions=False)),
    ("event-gateway", gateway("eventBasedGateway", 1, 2, conditions=False)),
    # activities, sub-processes, compensation
    ("activity-quantities", model(chain(task_attrs='startQuantity="0"'))),
    ("activity-quantities", model(chain(task_attrs='completionQuantity="-1"'))),
    (
        "instantiating-receive-task",
        model(
            node("startEvent", "s", outs=["f1"])
            + node("receiveTask", "r", ins=["f1"], outs=["f2"], attrs='instantiate="true" messageRef="m"')
            + node("endEvent", "e", ins=["f2"])
            + flow("f1", "s", "r")
            + flow("f2", "r", "e"),
            before='<bpmn:message id="m" name="m" />',
        ),
    ),
    (
        "event-sub-process",
        event_sub_process(MSG).replace(
            '<bpmn:subProcess id="esp" triggeredByEvent="true">',
            '<bpmn:subProcess id="esp" triggeredByEvent="true">'
            + node("startEvent", "es2", outs=["h2"], inner=MSG)
            + flow("h2", "es2", "ee"),
        ),
    ),
    (
        "event-sub-process",
        event_sub_process(MSG).replace(flow("f2", "t", "e"), flow("f2", "t", "e") + flow("into", "t", "esp")),
    ),
    (
        "sub-process-data",
        sub_process(
            INNER_CHAIN + "<bpmn:ioSpecification><bpmn:inputSet /><bpmn:outputSet /></bpmn:ioSpecification>"
        ),
    ),
    ("ad-hoc-sub-process", model(chain('<bpmn:adHocSubProcess id="adhoc" />'))),
    (
        "ad-hoc-sub-process",
        model(
            chain(
                '<bpmn:adHocSubProcess id="adhoc"><bpmn:startEvent id="as" /><bpmn:task id="at" /></bpmn:adHocSubProcess>'
            )
        ),
    ),
    (
        "no-choreography-in-process",
        model(chain('<bpmn:choreographyTask id="ct" initiatingParticipantRef="x" />')),
    ),
    (
        "multi-instance",
        model(chain(task_attrs="").replace(SCRIPT, SCRIPT + "<bpmn:multiInstanceLoopCharacteristics />")),
    ),
    (
        "multi-instance",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>items</bpmn:loopDataInputRef></bpmn:multiInstanceLoopCharacteristics>",
            )
        ),
    ),
    ("compensation-activity", model(chain(task_attrs='isForCompensation="true"'))),
    ("compensation-boundary", boundary("<bpmn:compensateEventDefinition />", outs=())),
    (
        "compensation-boundary",
        boundary("<bpmn:compensateEventDefinition />", outs=()).replace(
            "</bpmn:process>",
            '<bpmn:task id="undo" /><bpmn:association id="as1" sourceRef="b" targetRef="undo" /></bpmn:process>',
        ),
    ),
    ("compensation-throw", model(chain(end_inner='<bpmn:compensateEventDefinition activityRef="s" />'))),
    (
        "called-process-start",
        model(
            chain()
            .replace('<bpmn:scriptTask id="t" ', '<bpmn:callActivity calledElement="q" id="t" ')
            .replace("</bpmn:scriptTask>", "</bpmn:callActivity>")
            .replace(SCRIPT, ""),
            after='<bpmn:process id="q" isExecutable="true">'
            + node("startEvent", "qs", outs=["q1"], inner=MSG)
            + node("endEvent", "qe", ins=["q1"])
            + flow("q1", "qs", "qe")
            + "</bpmn:process>",
            before='<bpmn:message id="m" name="m" />',
        ),
    ),
    ("flow-node-ids", model(chain(node("scriptTask", "t", inner=SCRIPT)))),
    (
        "message-task-data",
        model(
            chain()
            .replace('<bpmn:scriptTask id="t" ', '<bpmn:sendTask messageRef="m" id="t" ')
            .replace("</bpmn:scriptTask>", "</bpmn:sendTask>")
            .replace(
                SCRIPT,
                '<bpmn:ioSpecification><bpmn:dataInput id="d1" itemSubjectRef="other" /><bpmn:inputSet><bpmn:dataInputRefs>d1</bpmn:dataInputRefs></bpmn:inputSet><bpmn:inputSet><bpmn:dataInputRefs>d1</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification>',
            ),
            before='<bpmn:itemDefinition id="text" structureRef="string" /><bpmn:itemDefinition id="other" structureRef="int" /><bpmn:message id="m" name="m" itemRef="text" />',
        ),
    ),
    (
        "io-bindings",
        model(
            chain(),
            before='<bpmn:itemDefinition id="text" structureRef="string" /><bpmn:itemDefinition id="number" structureRef="int" /><bpmn:message id="min" itemRef="text" /><bpmn:interface id="if" name="i"><bpmn:operation id="op" name="o"><bpmn:inMessageRef>min</bpmn:inMessageRef></bpmn:operation></bpmn:interface>',
        ).replace(
            'isExecutable="true" >',
            'isExecutable="true" ><bpmn:ioSpecification><bpmn:dataInput id="pin" itemSubjectRef="number" /><bpmn:inputSet><bpmn:dataInputRefs>pin</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification><bpmn:ioBinding operationRef="op" inputDataRef="pin" />',
        ),
    ),
    (
        "call-activity-data",
        model(
            chain()
            .replace('<bpmn:scriptTask id="t" ', '<bpmn:callActivity calledElement="q" id="t" ')
            .replace("</bpmn:scriptTask>", "</bpmn:callActivity>")
            .replace(
                SCRIPT,
                '<bpmn:ioSpecification><bpmn:dataInput id="ci1" /><bpmn:dataInput id="ci2" /><bpmn:inputSet><bpmn:dataInputRefs>ci1</bpmn:dataInputRefs><bpmn:dataInputRefs>ci2</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification>',
            ),
            after='<bpmn:process id="q" isExecutable="true"><bpmn:ioSpecification><bpmn:dataInput id="qi" /><bpmn:inputSet><bpmn:dataInputRefs>qi</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification>'
            + node("startEvent", "qs", outs=["q1"])
            + node("endEvent", "qe", ins=["q1"])
            + flow("q1", "qs", "qe")
            + "</bpmn:process>",
        ),
    ),
    # data
    (
        "data-association-items",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + '<bpmn:ioSpecification><bpmn:dataInput id="din" itemSubjectRef="number" /><bpmn:inputSet><bpmn:dataInputRefs>din</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification><bpmn:dataInputAssociation id="da"><bpmn:sourceRef>r1</bpmn:sourceRef><bpmn:targetRef>din</bpmn:targetRef></bpmn:dataInputAssociation>',
            )
            + '<bpmn:dataObject id="o1" itemSubjectRef="text" /><bpmn:dataObjectReference id="r1" dataObjectRef="o1" />',
            before='<bpmn:itemDefinition id="text" structureRef="string" /><bpmn:itemDefinition id="number" structureRef="int" />',
        ),
    ),
    (
        "collections-match-items",
        model(
            chain('<bpmn:dataObject id="do" itemSubjectRef="list" isCollection="false" />'),
            before='<bpmn:itemDefinition id="list" isCollection="true" />',
        ),
    ),
    (
        "collections-match-items",
        model(
            chain('<bpmn:dataObject id="do" itemSubjectRef="one" isCollection="true" />'),
            before='<bpmn:itemDefinition id="one" />',
        ),
    ),
    (
        "data-association-sources",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + '<bpmn:ioSpecification><bpmn:dataInput id="din" /><bpmn:inputSet><bpmn:dataInputRefs>din</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification><bpmn:dataInputAssociation id="da"><bpmn:sourceRef>r1</bpmn:sourceRef><bpmn:sourceRef>r2</bpmn:sourceRef><bpmn:targetRef>din</bpmn:targetRef></bpmn:dataInputAssociation>',
            )
            + '<bpmn:dataObject id="o1" /><bpmn:dataObjectReference id="r1" dataObjectRef="o1" /><bpmn:dataObjectReference id="r2" dataObjectRef="o1" />'
        ),
    ),
    (
        "data-association-sources",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + '<bpmn:dataOutputAssociation id="da"><bpmn:sourceRef>t</bpmn:sourceRef></bpmn:dataOutputAssociation>',
            )
        ),
    ),
    (
        "io-sets",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + '<bpmn:ioSpecification><bpmn:dataInput id="din" /><bpmn:inputSet /><bpmn:outputSet /></bpmn:ioSpecification>',
            )
        ),
    ),
    (
        "io-sets",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + '<bpmn:ioSpecification><bpmn:dataInput id="din" /><bpmn:inputSet><bpmn:dataInputRefs>din</bpmn:dataInputRefs><bpmn:optionalInputRefs>other</bpmn:optionalInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification>',
            )
        ),
    ),
    (
        "event-data",
        with_event("intermediateCatchEvent", '<bpmn:dataOutput id="o1" /><bpmn:dataOutput id="o2" />' + MSG),
    ),
    (
        "data-references-placed",
        sub_process(INNER_CHAIN + '<bpmn:dataObject id="inner_do" />').replace(
            "</bpmn:process>",
            '<bpmn:dataObjectReference id="outside" dataObjectRef="inner_do" /></bpmn:process>',
        ),
    ),
    # references
    ("references", boundary(MSG).replace('attachedToRef="t"', 'attachedToRef="s"')),
    ("references", model(chain('<bpmn:dataObject id="do" itemSubjectRef="missing_item" />'))),
    ("references", model(chain('<bpmn:dataObjectReference id="dr" dataObjectRef="t" />'))),
    ("references", with_event("intermediateCatchEvent", '<bpmn:messageEventDefinition messageRef="sig" />')),
    (
        "references",
        model(
            chain(
                '<bpmn:laneSet id="ls"><bpmn:lane id="l" name="expert"><bpmn:flowNodeRef>ghost</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
            )
        ),
    ),
    # collaborations
    (
        "message-flow-pools",
        model(
            chain(),
            before='<bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p" /><bpmn:messageFlow id="mf" sourceRef="t" targetRef="e" /></bpmn:collaboration>',
        ),
    ),
    (
        "message-flow-pools",
        model(
            chain(),
            before='<bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p" /><bpmn:messageFlow id="mf" sourceRef="pool" targetRef="t" /></bpmn:collaboration>',
        ),
    ),
    (
        "message-flow-ends",
        model(
            chain(),
            before='<bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p" /><bpmn:participant id="other" /><bpmn:messageFlow id="mf" sourceRef="other" targetRef="e" /></bpmn:collaboration>',
        ),
    ),
    (
        "message-flow-ends",
        model(
            chain(),
            before='<bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p" /><bpmn:participant id="other" /><bpmn:messageFlow id="mf" sourceRef="s" targetRef="other" /></bpmn:collaboration>',
        ),
    ),
    (
        "participant-multiplicity",
        model(
            chain(),
            before='<bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p"><bpmn:participantMultiplicity minimum="3" maximum="2" /></bpmn:participant></bpmn:collaboration>',
        ),
    ),
    ("public-process", model(chain(), process_attrs='processType="Public"')),
    # timers: read now, every kind; working days counted
    ("timer-values", timer("timeDate", "")),
    ("timer-values", timer("timeDuration", "'INVALID'")),
    ("timer-values", timer("timeDate", "'2026-13-45T99:00'")),
    ("timer-values", timer("timeCycle", '"P1D"')),
    ("timer-values", timer("timeDuration", "PT1H")),
    ("timer-values", timer("timeDuration", "INVALID")),
    ("timer-values", timer("timeDate", "working_days_later(-2)")),
    ("timer-values", timer("timeDuration", "42")),
    ("timer-values", timer("timeDate", "'2026-01-01' +")),
    ("timer-definition", with_event("intermediateCatchEvent", "<bpmn:timerEventDefinition />")),
    (
        "timer-definition",
        with_event(
            "intermediateCatchEvent",
            '<bpmn:timerEventDefinition><bpmn:timeDate>"2026-01-01T00:00:00"</bpmn:timeDate><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>',
        ),
    ),
    # Ravand: lanes, forms, the sandbox, decisions, what it cannot run
    ("user-task-lane-and-form", user_task(FORM, lane=None)),
    ("user-task-lane-and-form", user_task(FORM, lane="janitor")),
    ("user-task-lane-and-form", user_task("")),
    ("user-task-lane-and-form", user_task('<spiffworkflow:property name="formKey" value="missing.json" />')),
    ("user-task-lane-and-form", user_task("", connected=False)),
    ("script-tasks", model(chain().replace(SCRIPT, ""))),
    ("script-tasks", model(chain(task_attrs='scriptFormat="groovy"'))),
    (
        "expressions-compile",
        model(chain(node("scriptTask", "unreached", inner="<bpmn:script>if x\n  y = 1</bpmn:script>"))),
    ),
    ("expressions-compile", model(chain().replace("x = 1", "import os"))),
    ("expressions-compile", gateway("exclusiveGateway", 1, 2).replace("x == 0", "x.__class__")),
    ("expressions-compile", gateway("exclusiveGateway", 1, 2).replace("x == 0", "23")),
    (
        "expressions-compile",
        user_task(FORM + '<spiffworkflow:property name="dueInWorkingDays" value="3 days" />'),
    ),
    (
        "expressions-compile",
        user_task(FORM + '<spiffworkflow:property name="dueInWorkingDays" value="2.5" />'),
    ),
    (
        "expressions-compile",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3 +</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
            )
        ),
    ),
    (
        "expressions-compile",
        model(
            chain(
                '<bpmn:complexGateway id="cg"><bpmn:activationCondition>x ==</bpmn:activationCondition></bpmn:complexGateway>'
            )
        ),
    ),
    ("decisions-in-bundle", model(chain(node("businessRuleTask", "brt")))),
    (
        "decisions-in-bundle",
        model(
            chain(
                node(
                    "businessRuleTask",
                    "brt",
                    inner="<bpmn:extensionElements><spiffworkflow:calledDecisionId>no_such</spiffworkflow:calledDecisionId></bpmn:extensionElements>",
                )
            )
        ),
    ),
    (
        "mime-types",
        model(
            chain().replace(
                SCRIPT, '<bpmn:documentation textFormat="INVALID">x</bpmn:documentation>' + SCRIPT
            )
        ),
    ),
    ("not-supported", model(chain('<bpmn:complexGateway id="cg" />'))),
    (
        "not-supported",
        model(chain('<bpmn:adHocSubProcess id="adhoc"><bpmn:task id="at" /></bpmn:adHocSubProcess>')),
    ),
    ("not-supported", model(chain(node("serviceTask", "svc")))),
    (
        "not-supported",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + '<bpmn:dataInputAssociation id="da"><bpmn:assignment><bpmn:from>1</bpmn:from><bpmn:to>x</bpmn:to></bpmn:assignment></bpmn:dataInputAssociation>',
            )
        ),
    ),
    ("schema", model(chain("<bpmn:notAnElement />"))),
    ("well-formed", model(chain()).replace("</bpmn:process>", "</bpmn:proces>")),
    ("main-process", model(chain()).replace('<bpmn:process id="p"', '<bpmn:process id="other"')),
    ("main-process", model(chain()).replace('isExecutable="true"', 'isExecutable="false"')),
]


@pytest.mark.parametrize(("rule", "xml"), CASES, ids=[f"{rule}-{i}" for i, (rule, _) in enumerate(CASES)])
def test_each_rule_refuses_its_corpus_at_a_located_element(rule, xml):
    problems = problems_of(xml)
    found = [p for p in problems if p.rule == rule]
    assert found, [(p.rule, p.text) for p in problems]
    for problem in found:
        assert problem.file == "p.bpmn" and problem.text
        if rule not in ("well-formed", "main-process", "schema"):
            assert problem.line and problem.element, problem


def test_the_corpus_covers_every_rule_with_several_models():
    counts = {code: sum(1 for rule, _ in CASES if rule == code) for code in RULES}
    covered_elsewhere = {"spiffworkflow", "diagram-complete", "diagram-references"}
    thin = {code: n for code, n in counts.items() if n < 2 and code not in covered_elsewhere}
    # These rules have one model here; more live in the studio and flow tests below.
    assert set(thin) <= {
        "immediate-flows",
        "instantiating-receive-task",
        "sub-process-data",
        "no-choreography-in-process",
        "compensation-activity",
        "compensation-throw",
        "called-process-start",
        "flow-node-ids",
        "message-task-data",
        "event-data",
        "data-references-placed",
        "public-process",
        "duplicate-flows",
        "participant-multiplicity",
        "throw-definitions-own",
        "mime-types",
        "io-bindings",
        "call-activity-data",
        "data-association-items",
    }, thin


def test_the_valid_models_the_corpus_is_built_from_pass():
    assert problems_of(model(chain())) == []
    assert problems_of(gateway("exclusiveGateway", 1, 2)) == []
    assert problems_of(gateway("parallelGateway", 2, 1, conditions=False)) == []
    assert problems_of(user_task(FORM + '<spiffworkflow:property name="dueInWorkingDays" value="3" />')) == []
    assert problems_of(timer("timeDuration", "PT1H", formal=True)) == []
    assert problems_of(timer("timeCycle", '"R3/PT1H"')) == []
    assert problems_of(timer("timeDate", "working_days_later(3)")) == []
    assert problems_of(boundary(TIMER)) == []


def test_every_problem_at_once_rules_first_then_spiffworkflow():
    """A model with a broken timer, a bad script that no flow reaches, an unknown lane and a bad
    gateway: every problem is reported by the one check, each at its element."""
    xml = user_task(FORM, lane="janitor").replace(
        "</bpmn:process>",
        node("scriptTask", "stray", inner="<bpmn:script>import os</bpmn:script>")
        + node(
            "intermediateCatchEvent",
            "wait",
            inner="<bpmn:timerEventDefinition><bpmn:timeDate /></bpmn:timerEventDefinition>",
        )
        + node("exclusiveGateway", "lonely_gateway")
        + "</bpmn:process>",
    )
    problems = problems_of(xml)
    by_element = {(p.element, p.rule) for p in problems}
    assert ("u", "user-task-lane-and-form") in by_element
    assert ("stray", "expressions-compile") in by_element
    assert ("wait", "timer-values") in by_element
    assert ("lonely_gateway", "gateway-flow-counts") in by_element
    assert len({p.element for p in problems}) >= 4


def test_the_studio_adds_the_lint_rules_a_complete_diagram():
    xml = model(
        chain(),
        after='<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="pl" bpmnElement="p"><bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="0" y="0" width="36" height="36" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="x_di" bpmnElement="gone"><dc:Bounds x="0" y="0" width="36" height="36" /></bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>',
    )
    assert problems_of(xml) == []
    studio = problems_of(xml, studio=True)
    assert {p.element for p in studio if p.rule == "diagram-complete"} == {"t", "e", "f1", "f2"}
    assert {p.params["ref"] for p in studio if p.rule == "diagram-references"} == {"gone"}


def test_persian_digits_in_expressions_are_read_as_numbers():
    xml = user_task(FORM + '<spiffworkflow:property name="dueInWorkingDays" value="۳" />')
    assert problems_of(xml) == []
    assert problems_of(gateway("exclusiveGateway", 1, 2).replace("x == 0", "x &gt; ۸۵")) == []


def test_every_rule_names_its_section_and_says_what_it_checks():
    for code, entry in RULES.items():
        assert entry.section and entry.summary, code


def test_every_message_of_the_rules_has_a_persian_translation():
    import ast

    persian = {}
    for part in (ROOT / "web" / "translations" / "parts").glob("*.json"):
        persian.update(json.loads(part.read_text(encoding="utf-8")))
    templates = set()
    for path in (ROOT / "engine" / "definitions").rglob("*.py"):
        for found in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(found, ast.Call) and getattr(found.func, "id", None) == "N_" and found.args:
                templates.add(found.args[0].value)
    assert sorted(t for t in templates if t not in persian) == []


def test_the_catalog_and_the_test_fixtures_pass_every_rule():
    for bundle in collect_bundles([ROOT / "processes"], ROOT / "forms"):
        _, problems = check_bundle(bundle, lambda lane: lane)
        assert [str(p) for p in problems] == [], bundle.key
    for bundle in collect_bundles([ROOT / "tests" / "fixtures"]):
        _, problems = check_bundle(bundle, lambda lane: lane)
        assert [str(p) for p in problems] == [], bundle.key
