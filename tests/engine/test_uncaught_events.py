"""An error nobody catches fails the instance visibly; an uncaught escalation is recorded, not lost."""

from __future__ import annotations

from sqlalchemy import select

from engine.cases import show
from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.models import AuditEvent, Incident
from engine.runtime import starting

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
    'targetNamespace="http://ravand.tehran.ir/bpmn/tests">'
)


def _bundle(key: str, body: str, extra: str = "") -> Bundle:
    xml = (
        f'{HEAD}{extra}<bpmn:process id="{key}" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    )
    return Bundle(key, {f"{key}.bpmn": xml.encode()})


def _flow(fid: str, source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}"/>'


FAILING = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:endEvent id="boom"><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>' + _flow("f1", "start", "boom")
)
ERROR = '<bpmn:error id="err" name="Budget exhausted" errorCode="E42"/>'


def test_an_uncaught_error_end_event_fails_the_instance_with_an_incident(ctx):
    deploy(ctx, _bundle("failing", FAILING, ERROR))
    instance = starting.start(ctx, "failing")
    assert show.show(ctx, instance.id)["status"] == "failed"
    with ctx.db.transaction() as session:
        (incident,) = session.scalars(select(Incident)).all()
        assert incident.element_id == "boom"
        assert "E42" in incident.message and "Budget exhausted" in incident.message
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance.id)).all()
        assert "error_uncaught" in kinds and "completed" not in kinds


CAUGHT = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:subProcess id="sub"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
    '<bpmn:startEvent id="s_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:endEvent id="boom"><bpmn:incoming>s1</bpmn:incoming>'
    '<bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>'
    + _flow("s1", "s_start", "boom")
    + "</bpmn:subProcess>"
    '<bpmn:boundaryEvent id="catch" attachedToRef="sub"><bpmn:outgoing>f3</bpmn:outgoing>'
    '<bpmn:errorEventDefinition errorRef="err"/></bpmn:boundaryEvent>'
    '<bpmn:endEvent id="normal"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
    '<bpmn:endEvent id="handled"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>'
    + _flow("f1", "start", "sub")
    + _flow("f2", "sub", "normal")
    + _flow("f3", "catch", "handled")
)


def test_a_caught_error_still_completes_the_instance(ctx):
    deploy(ctx, _bundle("caught", CAUGHT, ERROR))
    instance = starting.start(ctx, "caught")
    assert show.show(ctx, instance.id)["status"] == "completed"
    with ctx.db.transaction() as session:
        assert session.scalars(select(Incident)).all() == []


ESCALATING = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:endEvent id="up"><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:endEvent>' + _flow("f1", "start", "up")
)


def test_an_uncaught_escalation_is_recorded_with_its_code(ctx):
    deploy(
        ctx, _bundle("escalating", ESCALATING, '<bpmn:escalation id="esc" name="Late" escalationCode="L1"/>')
    )
    instance = starting.start(ctx, "escalating")
    assert show.show(ctx, instance.id)["status"] == "completed"
    with ctx.db.transaction() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.kind == "escalation_uncaught")).all()
        assert event.element_id == "up" and event.data["code"] == "L1"
