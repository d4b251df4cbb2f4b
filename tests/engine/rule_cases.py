"""The corpus of invalid models for the structural rules: events, sequence flows, gateways, activities."""

# ruff: noqa: E501  (the corpus is BPMN: a model reads best on one line)

from __future__ import annotations

from tests.engine.rule_corpus import (
    ERROR,
    INNER_CHAIN,
    LINK,
    MSG,
    SCRIPT,
    TIMER,
    boundary,
    chain,
    event_sub_process,
    flow,
    gateway,
    model,
    node,
    sub_process,
    with_event,
)

STRUCTURE_CASES = [
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
    (
        "loop-counts",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + '<bpmn:standardLoopCharacteristics loopMaximum="-1"><bpmn:loopCondition>x &lt; 3</bpmn:loopCondition></bpmn:standardLoopCharacteristics>',
            )
        ),
    ),
    (
        "loop-counts",
        model(chain().replace(SCRIPT, SCRIPT + '<bpmn:standardLoopCharacteristics loopMaximum="three" />')),
    ),
    (
        "loop-counts",
        model(
            chain().replace(
                SCRIPT,
                SCRIPT
                + "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>-2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>",
            )
        ),
    ),
    (
        "compensation-runs",
        model(
            node("startEvent", "s0", outs=["g1"])
            + '<bpmn:transaction id="tx"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>'
            + chain(end_inner="<bpmn:compensateEventDefinition />")
            + "</bpmn:transaction>"
            + node("endEvent", "e0", ins=["g2"])
            + flow("g1", "s0", "tx")
            + flow("g2", "tx", "e0")
        ),
    ),
    (
        "compensation-runs",
        model(
            node("startEvent", "s0", outs=["g1"])
            + node("scriptTask", "outer", ins=["g1"], outs=["g2"], inner=SCRIPT)
            + '<bpmn:subProcess id="sub"><bpmn:incoming>g2</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing>'
            + chain(end_inner='<bpmn:compensateEventDefinition activityRef="outer" />')
            + "</bpmn:subProcess>"
            + node("endEvent", "e0", ins=["g3"])
            + flow("g1", "s0", "outer")
            + flow("g2", "outer", "sub")
            + flow("g3", "sub", "e0")
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
]
