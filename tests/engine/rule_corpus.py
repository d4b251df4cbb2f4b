"""A corpus of invalid BPMN models, several per deploy rule, each the smallest model that breaks it.

Every case is ``(rule, model)``: the model is a whole BPMN file built from a valid one (a start event,
a script task, an end event) with one thing broken; the check must report a problem of that rule.
"""

# ruff: noqa: E501  (the corpus is BPMN: a model reads best on one line)

from __future__ import annotations

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
    ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
    ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
    ' id="defs" targetNamespace="http://ravand.test/corpus">\n'
)


def node(tag: str, node_id: str, ins=(), outs=(), inner: str = "", attrs: str = "") -> str:
    lists = "".join(f"<bpmn:incoming>{i}</bpmn:incoming>" for i in ins)
    lists += "".join(f"<bpmn:outgoing>{o}</bpmn:outgoing>" for o in outs)
    if inner.startswith(("<bpmn:documentation", "<bpmn:extensionElements")):  # the schema puts them first
        return f'<bpmn:{tag} id="{node_id}" {attrs}>{inner}{lists}</bpmn:{tag}>\n'
    return f'<bpmn:{tag} id="{node_id}" {attrs}>{lists}{inner}</bpmn:{tag}>\n'


def flow(flow_id: str, source: str, target: str, condition: str | None = None, attrs: str = "") -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" {attrs}/>\n'
    body = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
    )
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" {attrs}>{body}</bpmn:sequenceFlow>\n'


SCRIPT = "<bpmn:script>x = 1</bpmn:script>"
MSG = '<bpmn:messageEventDefinition messageRef="m" />'
ERROR = "<bpmn:errorEventDefinition />"
TIMER = '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'
LINK = '<bpmn:linkEventDefinition name="jump" />'


def chain(middle: str = "", start_inner: str = "", end_inner: str = "", task_attrs: str = "") -> str:
    """start → task (a script) → end, with ``middle`` added inside the process."""
    return (
        node("startEvent", "s", outs=["f1"], inner=start_inner)
        + node("scriptTask", "t", ins=["f1"], outs=["f2"], inner=SCRIPT, attrs=task_attrs)
        + node("endEvent", "e", ins=["f2"], inner=end_inner)
        + flow("f1", "s", "t")
        + flow("f2", "t", "e")
        + middle
    )


def model(body: str, before: str = "", after: str = "", process_attrs: str = "") -> str:
    return f'{HEAD}{before}<bpmn:process id="p" isExecutable="true" {process_attrs}>\n{body}</bpmn:process>\n{after}</bpmn:definitions>\n'


def with_event(tag: str, inner: str, ins=("f1",), outs=("f2",), attrs: str = "") -> str:
    """start → an event of ``tag`` carrying ``inner`` → end."""
    return model(
        node("startEvent", "s", outs=["f1"])
        + node(tag, "ev", ins=list(ins), outs=list(outs), inner=inner, attrs=attrs)
        + node("endEvent", "e", ins=["f2"])
        + flow("f1", "s", "ev")
        + flow("f2", "ev", "e"),
        before='<bpmn:message id="m" name="m" /><bpmn:signal id="sig" name="sig" />',
    )


def boundary(inner: str, attrs: str = "", outs=("f3",), host: str = "scriptTask") -> str:
    """start → task (with a boundary event carrying ``inner``) → end; the boundary leads to a second end
    (unless ``outs`` is empty)."""
    task = node(host, "t", ins=["f1"], outs=["f2"], inner=SCRIPT if host == "scriptTask" else "")
    return model(
        node("startEvent", "s", outs=["f1"])
        + task
        + node("endEvent", "e", ins=["f2"])
        + node("boundaryEvent", "b", outs=list(outs), inner=inner, attrs=f'attachedToRef="t" {attrs}')
        + (node("endEvent", "e2", ins=["f3"]) + flow("f3", "b", "e2") if outs else "")
        + flow("f1", "s", "t")
        + flow("f2", "t", "e"),
        before='<bpmn:message id="m" name="m" />',
    )


def sub_process(inner_body: str, attrs: str = "") -> str:
    """start → a sub-process holding ``inner_body`` → end."""
    sub = f'<bpmn:subProcess id="sp" {attrs}><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>{inner_body}</bpmn:subProcess>\n'
    return model(
        node("startEvent", "s", outs=["f1"])
        + sub
        + node("endEvent", "e", ins=["f2"])
        + flow("f1", "s", "sp")
        + flow("f2", "sp", "e")
    )


INNER_CHAIN = (
    node("startEvent", "ss", outs=["g1"])
    + node("scriptTask", "st", ins=["g1"], outs=["g2"], inner=SCRIPT)
    + node("endEvent", "se", ins=["g2"])
    + flow("g1", "ss", "st")
    + flow("g2", "st", "se")
)


def event_sub_process(start_inner: str, start_attrs: str = "") -> str:
    esp = (
        '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        + node("startEvent", "es", outs=["h1"], inner=start_inner, attrs=start_attrs)
        + node("endEvent", "ee", ins=["h1"])
        + flow("h1", "es", "ee")
        + "</bpmn:subProcess>\n"
    )
    return model(chain(esp), before='<bpmn:message id="m" name="m" /><bpmn:error id="err" errorCode="E1" />')


def gateway(tag: str, ins: int, outs: int, attrs: str = "", conditions: bool = True) -> str:
    """Tasks before and after a gateway of ``tag`` with the given numbers of flows in and out."""
    parts = [node("startEvent", "s", outs=["f0"]), flow("f0", "s", "split" if ins > 1 else "in0")]
    if ins > 1:
        parts.append(node("parallelGateway", "split", ins=["f0"], outs=[f"a{i}" for i in range(ins)]))
    for i in range(ins):
        incoming = f"a{i}" if ins > 1 else "f0"
        parts.append(node("scriptTask", f"in{i}", ins=[incoming], outs=[f"b{i}"], inner=SCRIPT))
        if ins > 1:
            parts.append(flow(f"a{i}", "split", f"in{i}"))
        parts.append(flow(f"b{i}", f"in{i}", "g"))
    parts.append(
        node(tag, "g", ins=[f"b{i}" for i in range(ins)], outs=[f"c{i}" for i in range(outs)], attrs=attrs)
    )
    for i in range(outs):
        parts.append(node("endEvent", f"end{i}", ins=[f"c{i}"]))
        parts.append(flow(f"c{i}", "g", f"end{i}", f"x == {i}" if conditions and outs > 1 else None))
    return model("".join(parts))


def timer(kind: str, value: str, formal: bool = False) -> str:
    typed = ' xsi:type="bpmn:tFormalExpression"' if formal else ""
    return with_event(
        "intermediateCatchEvent",
        f"<bpmn:timerEventDefinition><bpmn:{kind}{typed}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>",
    )


def user_task(properties: str, lane: str | None = "expert", connected: bool = True) -> str:
    props = f"<bpmn:extensionElements><spiffworkflow:properties>{properties}</spiffworkflow:properties></bpmn:extensionElements>"
    lanes = ""
    if lane is not None:
        lanes = f'<bpmn:laneSet id="ls"><bpmn:lane id="l" name="{lane}"><bpmn:flowNodeRef>u</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
    if connected:
        return model(
            lanes
            + node("startEvent", "s", outs=["f1"])
            + node("userTask", "u", ins=["f1"], outs=["f2"], inner=props)
            + node("endEvent", "e", ins=["f2"])
            + flow("f1", "s", "u")
            + flow("f2", "u", "e")
        )
    # A user task no flow reaches, beside a valid chain: the check reads every element.
    return model(lanes + chain(node("userTask", "u", inner=props)))


FORM = '<spiffworkflow:property name="formKey" value="form.json" />'
