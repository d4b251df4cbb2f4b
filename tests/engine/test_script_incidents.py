"""A hostile script, condition or timer expression in a saved instance becomes an incident at its
element, with its message; nothing the failing step assigned is kept; the engine goes on."""

# ruff: noqa: E501  (BPMN reads best on one line)
from __future__ import annotations

import pytest

from engine.cases import show
from engine.context import Context
from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.runtime import starting
from engine.sandbox.scripting import make_script_engine

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
    'targetNamespace="http://ravand.tehran.ir/bpmn/tests">'
    '<bpmn:process id="hostile" name="Hostile" isExecutable="true">'
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
)
_TAIL = '<bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent></bpmn:process></bpmn:definitions>'
_FLOWS = '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{id}" /><bpmn:sequenceFlow id="f2" sourceRef="{id}" targetRef="done" />'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def script_task(script: str) -> str:
    return (
        '<bpmn:scriptTask id="hostile_step" name="Hostile"><bpmn:incoming>f1</bpmn:incoming>'
        f"<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{_escape(script)}</bpmn:script></bpmn:scriptTask>"
        + _FLOWS.format(id="hostile_step")
    )


def timer(expression: str) -> str:
    return (
        '<bpmn:intermediateCatchEvent id="hostile_step"><bpmn:incoming>f1</bpmn:incoming>'
        "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition>"
        f"<bpmn:timeDuration>{_escape(expression)}</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>" + _FLOWS.format(id="hostile_step")
    )


def condition(expression: str) -> str:
    return (
        '<bpmn:exclusiveGateway id="hostile_step" default="f3"><bpmn:incoming>f1</bpmn:incoming>'
        "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>"
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hostile_step" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="hostile_step" targetRef="done">'
        f"<bpmn:conditionExpression>{_escape(expression)}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f3" sourceRef="hostile_step" targetRef="done2" />'
        '<bpmn:endEvent id="done2"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>'
    )


CASES = [
    (script_task("kept = 1\nwhile True: pass"), "time limit"),
    (script_task("kept = 1\nx = pow(3, 10**3000, 10**3000 + 7)"), "pow()"),
    (script_task("kept = 1\nx = ('a' * 10**6).encode('punycode')"), "codec"),
    (script_task("kept = 1\nit = range(3)\nfor i in range(300000):\n    it = zip(it)\nlist(it)"), "nested"),
    (script_task("kept = 1\ng = (x for x in [1])"), "cannot be saved"),
    (script_task("kept = 1\nd = []\nfor i in range(1000):\n    d = [d]"), "cannot be saved"),
    (script_task("kept = 1\nx = '%0*d' % (10**9, 1)"), "format width"),
    (script_task("kept = 1\nx = float('nan')"), "cannot be saved"),
    (script_task("kept = 1\ns = 'x' * 9000000\nt = f'{s!r}{s!r}'"), "f-string"),
    (script_task("kept = 1\nt = str([['x' * 1000] * 1000] * 1000)"), "text of that value"),
    (condition("int('f' * 10**6, 16) > 0"), "int()"),
    (condition("[i for i in range(10**6) for j in range(10**6)]"), "time limit"),
    (timer("5 + 5"), "not an ISO 8601 text"),
]


@pytest.mark.parametrize(("body", "says"), CASES, ids=[says for _, says in CASES])
def test_a_hostile_step_becomes_an_incident_at_its_element(ctx, body, says):
    deploy(ctx, Bundle("hostile", {"hostile.bpmn": (_HEAD + body + _TAIL).encode()}))
    fast = Context(ctx.db, script_engine=make_script_engine(time_limit=0.5))
    instance = starting.start(fast, "hostile", {"_getattr_": "shadow", "keep": 1})
    shown = show.show(fast, instance.id)
    assert shown["status"] == "incident"
    (incident,) = shown["incidents"]
    assert incident["element"] == "hostile_step"
    assert says in incident["message"], incident["message"]
    assert "Traceback" not in incident["message"]
    assert "kept" not in shown["data"] and shown["data"].get("keep") == 1
