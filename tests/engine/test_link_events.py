"""A link throw event goes on at the link catch event of the same name (BPMN 2.0 §10.5.6)."""

from __future__ import annotations

from engine.cases import show
from engine.definitions.deployment import deploy
from engine.runtime import starting
from tests.engine.test_conditional_flows import _flow, _script
from tests.engine.test_uncaught_events import _bundle

MODEL = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
    + _script("before", "before = 1", ["f0"], ["f1"])
    + '<bpmn:intermediateThrowEvent id="go"><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:linkEventDefinition name="jump"/></bpmn:intermediateThrowEvent>'
    '<bpmn:intermediateCatchEvent id="land"><bpmn:outgoing>f2</bpmn:outgoing>'
    '<bpmn:linkEventDefinition name="jump"/></bpmn:intermediateCatchEvent>'
    + _script("after", "after = 1", ["f2"], ["f3"])
    + '<bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>'
    + _flow("f0", "start", "before")
    + _flow("f1", "before", "go")
    + _flow("f2", "land", "after")
    + _flow("f3", "after", "end")
)


def test_a_link_throw_continues_at_its_catch(ctx):
    deploy(ctx, _bundle("linked", MODEL))
    instance = starting.start(ctx, "linked")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed" and shown["data"]["after"] == 1
