"""The corpus of invalid models for data, references, collaborations, timers and Ravand's own rules."""

# ruff: noqa: E501  (the corpus is BPMN: a model reads best on one line)

from __future__ import annotations

from tests.engine.rule_corpus import (
    FORM,
    INNER_CHAIN,
    MSG,
    SCRIPT,
    boundary,
    chain,
    gateway,
    model,
    node,
    sub_process,
    timer,
    user_task,
    with_event,
)

DATA_CASES = [
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
    ("timer-values", timer("timeCycle", '"R100000/PT0S"')),
    ("timer-values", timer("timeCycle", '"R/PT0S"')),
    # the sandbox's own names are not data
    ("sandbox-reserved-names", model(chain() + '<bpmn:dataObject id="_getattr_" />')),
    ("sandbox-reserved-names", model(chain() + '<bpmn:dataObject id="do" name="_now_" />')),
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
    ("case-fields", user_task(FORM + '<spiffworkflow:property name="caseFields" value="note, phone" />')),
    ("case-fields", user_task(FORM + '<spiffworkflow:property name="caseFields" value="*, nothing" />')),
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
