"""Event-based gateways: the engine subscribes to each message and schedules each timer behind them."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from engine.cases import show
from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.models import Job, MessageSubscription, utcnow
from engine.runtime import starting
from engine.runtime.jobs import run_due_jobs
from engine.runtime.messages import send_message

GATEWAY_PROBE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="probe_defs"
    targetNamespace="http://ravand.tehran.ir/bpmn/tests">
  <bpmn:message id="msg_probe" name="gateway_probe_documents" />
  <bpmn:correlationProperty id="tracking_code" name="tracking_code">
    <bpmn:correlationPropertyRetrievalExpression messageRef="msg_probe">
      <bpmn:formalExpression>tracking_code</bpmn:formalExpression>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:process id="gateway_probe" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:eventBasedGateway id="wait"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="received"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg_probe"><bpmn:extensionElements>
        <spiffworkflow:messageVariable>documents</spiffworkflow:messageVariable>
      </bpmn:extensionElements></bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="deadline"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P10D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="done">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="received" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="deadline" />
    <bpmn:sequenceFlow id="f4" sourceRef="received" targetRef="done" />
    <bpmn:sequenceFlow id="f5" sourceRef="deadline" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def _start(ctx):
    deploy(ctx, Bundle("gateway_probe", {"gateway_probe.bpmn": GATEWAY_PROBE}))
    return starting.start(ctx, "gateway_probe", {}, public=True)


def test_the_message_behind_the_gateway_wins(ctx):
    instance = _start(ctx)
    with ctx.db.transaction() as session:
        assert session.scalars(select(Job.element_id).where(Job.instance_id == instance.id)).all() == ["wait"]
        (sub,) = session.scalars(select(MessageSubscription)).all()
        assert sub.correlation == {"tracking_code": instance.tracking_code}
    send_message(ctx, "gateway_probe_documents", {"tracking_code": instance.tracking_code, "files": 2})
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed" and shown["data"]["documents"]["files"] == 2
    with ctx.db.transaction() as session:
        assert session.scalars(select(Job)).all() == []


def test_the_timer_behind_the_gateway_wins(ctx):
    instance = _start(ctx)
    with time_machine.travel(utcnow() + timedelta(days=10, minutes=1)):
        assert run_due_jobs(ctx)["fired"] == 1
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed" and "documents" not in shown["data"]
    with ctx.db.transaction() as session:
        assert session.scalars(select(MessageSubscription)).all() == []
