"""Signals between instances: a throw starts the processes it starts and wakes the catches that wait."""

from __future__ import annotations

from sqlalchemy import select

from engine.cases import show
from engine.definitions.deployment import deploy
from engine.models import Job, ProcessInstance, SignalSubscription
from engine.runtime import starting
from engine.runtime.jobs import run_due_jobs
from engine.runtime.signals import send_signal
from tests.engine.test_uncaught_events import _bundle, _flow

SIGNAL = '<bpmn:signal id="sig" name="budget_approved"/>'
THROWER = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:intermediateThrowEvent id="throw"><bpmn:incoming>f1</bpmn:incoming>'
    "<bpmn:outgoing>f2</bpmn:outgoing>"
    '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:intermediateThrowEvent>'
    '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
    + _flow("f1", "start", "throw")
    + _flow("f2", "throw", "end")
)
STARTED = (
    '<bpmn:startEvent id="on_signal"><bpmn:outgoing>f1</bpmn:outgoing>'
    '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:startEvent>'
    '<bpmn:scriptTask id="mark"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
    "<bpmn:script>started_by_signal = True</bpmn:script></bpmn:scriptTask>"
    '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
    + _flow("f1", "on_signal", "mark")
    + _flow("f2", "mark", "end")
)
WAITER = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming>'
    "<bpmn:outgoing>f2</bpmn:outgoing>"
    '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:intermediateCatchEvent>'
    '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
    + _flow("f1", "start", "wait")
    + _flow("f2", "wait", "end")
)
BOUNDARY = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:manualTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
    "</bpmn:manualTask>"
    '<bpmn:boundaryEvent id="stop" attachedToRef="work"><bpmn:outgoing>f3</bpmn:outgoing>'
    '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:boundaryEvent>'
    '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
    '<bpmn:endEvent id="stopped"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>'
    + _flow("f1", "start", "work")
    + _flow("f2", "work", "end")
    + _flow("f3", "stop", "stopped")
)


def _deploy_all(ctx):
    for key, body in (("thrower", THROWER), ("started", STARTED), ("waiter", WAITER), ("boundary", BOUNDARY)):
        deploy(ctx, _bundle(key, body, SIGNAL))


def test_a_thrown_signal_starts_processes_and_wakes_waiting_catches_in_other_instances(ctx):
    _deploy_all(ctx)
    waiter = starting.start(ctx, "waiter")
    boundary = starting.start(ctx, "boundary")
    with ctx.db.transaction() as session:
        subs = session.scalars(select(SignalSubscription.element_id).order_by(SignalSubscription.element_id))
        assert list(subs) == ["stop", "wait"]
    thrower = starting.start(ctx, "thrower")
    assert show.show(ctx, thrower.id)["status"] == "completed"
    with ctx.db.transaction() as session:  # the thrower's transaction left the broadcast in the outbox
        (job,) = session.scalars(select(Job).where(Job.kind == "signal")).all()
        assert job.payload["name"] == "budget_approved" and job.payload["from_instance"] == thrower.id
    assert run_due_jobs(ctx) == {"fired": 1, "failed": 0}
    assert show.show(ctx, waiter.id)["status"] == "completed"
    assert show.show(ctx, boundary.id)["status"] == "completed"
    with ctx.db.transaction() as session:
        (started,) = session.scalars(
            select(ProcessInstance).where(ProcessInstance.process_key == "started")
        ).all()
        assert started.status == "completed"
        assert session.scalars(select(SignalSubscription)).all() == []
    assert show.show(ctx, started.id)["data"]["started_by_signal"] is True


def test_a_signal_sent_from_outside_reaches_every_waiting_instance(ctx):
    _deploy_all(ctx)
    first, second = starting.start(ctx, "waiter"), starting.start(ctx, "waiter")
    result = send_signal(ctx, "budget_approved", {"amount": 5})
    assert result["instances"] == [first.id, second.id] and len(result["started"]) == 1
    assert show.show(ctx, first.id)["status"] == "completed"
    assert send_signal(ctx, "budget_approved")["instances"] == []  # nobody waits any more: lost, no error


END_THROWER = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:endEvent>' + _flow("f1", "start", "end")
)


def test_a_signal_end_event_throws_its_signal(ctx):
    """SpiffWorkflow 3.2 reads a signal end event as a none end event; Ravand's parser reads it."""
    _deploy_all(ctx)
    deploy(ctx, _bundle("end_thrower", END_THROWER, SIGNAL))
    waiter = starting.start(ctx, "waiter")
    starting.start(ctx, "end_thrower")
    assert run_due_jobs(ctx) == {"fired": 1, "failed": 0}
    assert show.show(ctx, waiter.id)["status"] == "completed"
