"""Event sub-processes and interrupting events as BPMN 2.0 has them (§10.3.5, §10.5.4), through the
persisted engine: an error or escalation starts its event sub-process (and only then); an interrupting
catch stops the work it interrupts before that work goes on; timers that fell due while the queue was
late fire in their order."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.cases import show
from engine.definitions.deployment import deploy
from engine.errors import BundleInvalid
from engine.models import AuditEvent, Incident, utcnow
from engine.runtime import starting
from engine.runtime.jobs import run_due_jobs
from tests.engine.test_conditional_flows import _flow, _script
from tests.engine.test_uncaught_events import _bundle

ERROR = '<bpmn:error id="err" name="Budget exhausted" errorCode="E42"/>'
ESCALATION = '<bpmn:escalation id="esc" name="Late" escalationCode="L1"/>'
SIGNAL = '<bpmn:signal id="sig" name="stop"/>'


def _start(sid: str, out: str, inner: str = "", attrs: str = "") -> str:
    return f'<bpmn:startEvent id="{sid}"{attrs}><bpmn:outgoing>{out}</bpmn:outgoing>{inner}</bpmn:startEvent>'


def _end(eid: str, incoming: str, inner: str = "") -> str:
    return f'<bpmn:endEvent id="{eid}"><bpmn:incoming>{incoming}</bpmn:incoming>{inner}</bpmn:endEvent>'


def _handler(trigger: str, interrupting: bool = True, sid: str = "handler") -> str:
    """An event sub-process that sets ``handled``."""
    attrs = "" if interrupting else ' isInterrupting="false"'
    return (
        f'<bpmn:subProcess id="{sid}" triggeredByEvent="true">'
        + _start(f"{sid}_start", f"{sid}_f1", trigger, attrs)
        + _script(f"{sid}_work", "handled = True", [f"{sid}_f1"], [f"{sid}_f2"])
        + _end(f"{sid}_end", f"{sid}_f2")
        + _flow(f"{sid}_f1", f"{sid}_start", f"{sid}_work")
        + _flow(f"{sid}_f2", f"{sid}_work", f"{sid}_end")
        + "</bpmn:subProcess>"
    )


def _around(inner: str) -> str:
    """start → a sub-process holding ``inner`` → after (sets ``after``) → end."""
    return (
        _start("start", "f1")
        + '<bpmn:subProcess id="sub"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
        + f"{inner}</bpmn:subProcess>"
        + _script("after", "after = True", ["f2"], ["f3"])
        + _end("end", "f3")
        + _flow("f1", "start", "sub")
        + _flow("f2", "sub", "after")
        + _flow("f3", "after", "end")
    )


def _data(ctx, instance) -> tuple[str, dict]:
    shown = show.show(ctx, instance.id)
    return shown["status"], shown["data"] or {}


def _throwing(throw: str, before_throw: str = "") -> str:
    """Inside a sub-process: first (sets ``first``) → [``before_throw``] → an end event throwing ``throw``."""
    return (
        _start("s_start", "s1")
        + _script("first", "first = True", ["s1"], ["s2"])
        + _end("throw", "s2", throw)
        + _flow("s1", "s_start", "first")
        + _flow("s2", "first", "throw")
        + before_throw
    )


def test_an_error_thrown_in_a_sub_process_starts_its_event_sub_process_and_the_case_goes_on(ctx):
    inner = _throwing('<bpmn:errorEventDefinition errorRef="err"/>') + _handler(
        '<bpmn:errorEventDefinition errorRef="err"/>'
    )
    deploy(ctx, _bundle("handled", _around(inner), ERROR))
    status, data = _data(ctx, starting.start(ctx, "handled"))
    assert status == "completed"
    assert data.get("first") and data.get("handled") and data.get("after")
    with ctx.db.transaction() as session:
        assert session.scalars(select(Incident)).all() == []


def test_an_error_event_sub_process_does_not_run_when_no_error_is_thrown(ctx):
    """SpiffWorkflow reads no error trigger on a start event: the handler ran at once, on every start."""
    inner = (
        _start("s_start", "s1")
        + _script("first", "first = True", ["s1"], ["s2"])
        + _end("s_end", "s2")
        + _flow("s1", "s_start", "first")
        + _flow("s2", "first", "s_end")
        + _handler('<bpmn:errorEventDefinition errorRef="err"/>')
    )
    deploy(ctx, _bundle("quiet", _around(inner), ERROR))
    status, data = _data(ctx, starting.start(ctx, "quiet"))
    assert status == "completed" and data.get("after")
    assert "handled" not in data


def test_an_interrupting_escalation_event_sub_process_stops_the_rest_of_its_level(ctx):
    # Two branches in the sub-process: one escalates at once, the other waits an hour for a timer.
    inner = (
        _start("s_start", "s0") + '<bpmn:parallelGateway id="fork"><bpmn:incoming>s0</bpmn:incoming>'
        "<bpmn:outgoing>s1</bpmn:outgoing><bpmn:outgoing>w1</bpmn:outgoing></bpmn:parallelGateway>"
        + _end("throw", "s1", '<bpmn:escalationEventDefinition escalationRef="esc"/>')
        + _timer("wait", "w1", "w2", "PT1H")
        + _script("waited", "waited = True", ["w2"], ["w3"])
        + _end("w_end", "w3")
        + _flow("s0", "s_start", "fork")
        + _flow("s1", "fork", "throw")
        + _flow("w1", "fork", "wait")
        + _flow("w2", "wait", "waited")
        + _flow("w3", "waited", "w_end")
        + _handler('<bpmn:escalationEventDefinition escalationRef="esc"/>')
    )
    deploy(ctx, _bundle("escalated", _around(inner), ESCALATION))
    instance = starting.start(ctx, "escalated")
    status, data = _data(ctx, instance)
    assert status == "completed" and data.get("handled") and data.get("after")
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        assert run_due_jobs(ctx)["fired"] == 0  # the timer went with its cancelled branch
    with ctx.db.transaction() as session:
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance.id)).all()
        assert "escalation_uncaught" not in kinds


def test_a_non_interrupting_event_sub_process_lets_its_level_go_on(ctx):
    throw = (
        '<bpmn:intermediateThrowEvent id="raise"><bpmn:incoming>s2</bpmn:incoming>'
        "<bpmn:outgoing>s3</bpmn:outgoing>"
        '<bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:intermediateThrowEvent>'
    )
    inner = (
        _start("s_start", "s1")
        + _script("first", "first = True", ["s1"], ["s2"])
        + throw
        + _script("then", "then = True", ["s3"], ["s4"])
        + _end("s_end", "s4")
        + _flow("s1", "s_start", "first")
        + _flow("s2", "first", "raise")
        + _flow("s3", "raise", "then")
        + _flow("s4", "then", "s_end")
        + _handler('<bpmn:escalationEventDefinition escalationRef="esc"/>', interrupting=False)
    )
    deploy(ctx, _bundle("noted", _around(inner), ESCALATION))
    status, data = _data(ctx, starting.start(ctx, "noted"))
    assert status == "completed"
    assert data.get("handled") and data.get("then") and data.get("after")


def test_an_interrupting_boundary_event_stops_its_sub_process_at_the_throw(ctx):
    """The signal thrown inside the sub-process is caught on its boundary: the task after the throw
    inside the sub-process never runs, the boundary's path does."""
    inner = (
        _start("s_start", "s1")
        + _script("first", "first = True", ["s1"], ["s2"])
        + '<bpmn:intermediateThrowEvent id="raise"><bpmn:incoming>s2</bpmn:incoming>'
        "<bpmn:outgoing>s3</bpmn:outgoing>"
        '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:intermediateThrowEvent>'
        + _script("then", "then = True", ["s3"], ["s4"])
        + _end("s_end", "s4")
        + _flow("s1", "s_start", "first")
        + _flow("s2", "first", "raise")
        + _flow("s3", "raise", "then")
        + _flow("s4", "then", "s_end")
    )
    body = (
        _around(inner)
        + '<bpmn:boundaryEvent id="stopped" attachedToRef="sub"><bpmn:outgoing>b1</bpmn:outgoing>'
        '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:boundaryEvent>'
        + _script("cleanup", "cleanup = True", ["b1"], ["b2"])
        + _end("b_end", "b2")
        + _flow("b1", "stopped", "cleanup")
        + _flow("b2", "cleanup", "b_end")
    )
    deploy(ctx, _bundle("signalled", body, SIGNAL))
    instance = starting.start(ctx, "signalled")
    status, data = _data(ctx, instance)
    assert status == "completed" and data.get("cleanup")
    assert "then" not in data and "after" not in data
    assert {"first", "raise", "stopped"} <= set(_ran(ctx, instance)) and "then" not in _ran(ctx, instance)


def _ran(ctx, instance) -> list[str]:
    with ctx.db.transaction() as session:
        return session.scalars(
            select(AuditEvent.element_id).where(
                AuditEvent.instance_id == instance.id, AuditEvent.kind == "element"
            )
        ).all()


def _timer(tid: str, incoming: str, outgoing: str, duration: str) -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="{tid}"><bpmn:incoming>{incoming}</bpmn:incoming>'
        f"<bpmn:outgoing>{outgoing}</bpmn:outgoing><bpmn:timerEventDefinition>"
        f'<bpmn:timeDuration>"{duration}"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>"
    )


def test_timers_that_fell_due_while_the_queue_was_late_fire_in_their_order(ctx):
    """A one-hour interrupting timer on a sub-process whose own timer waits three hours: run five hours
    late, the queue fires the boundary first, and the sub-process's timer never fires."""
    inner = (
        _start("s_start", "s1")
        + _timer("slow", "s1", "s2", "PT3H")
        + _script("inside", "inside = True", ["s2"], ["s3"])
        + _end("s_end", "s3")
        + _flow("s1", "s_start", "slow")
        + _flow("s2", "slow", "inside")
        + _flow("s3", "inside", "s_end")
    )
    body = (
        _around(inner)
        + '<bpmn:boundaryEvent id="too_late" attachedToRef="sub"><bpmn:outgoing>b1</bpmn:outgoing>'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:boundaryEvent>"
        + _script("late", "late = True", ["b1"], ["b2"])
        + _end("b_end", "b2")
        + _flow("b1", "too_late", "late")
        + _flow("b2", "late", "b_end")
    )
    deploy(ctx, _bundle("queue_late", body))
    instance = starting.start(ctx, "queue_late")
    with time_machine.travel(utcnow() + timedelta(hours=5)):
        run_due_jobs(ctx)
    status, data = _data(ctx, instance)
    assert status == "completed" and data.get("late")
    assert "inside" not in data and "after" not in data
    with ctx.db.transaction() as session:
        fired = session.scalars(select(AuditEvent.element_id).where(AuditEvent.kind == "timer_fired")).all()
        assert fired == ["too_late"]


def test_an_error_event_sub_process_waits_across_saves(ctx):
    """The handler waits in the saved state: the error comes in a later step, after a timer."""
    inner = (
        _start("s_start", "s1")
        + _timer("pause", "s1", "s2", "PT1H")
        + _end("throw", "s2", '<bpmn:errorEventDefinition errorRef="err"/>')
        + _flow("s1", "s_start", "pause")
        + _flow("s2", "pause", "throw")
        + _handler('<bpmn:errorEventDefinition errorRef="err"/>')
    )
    deploy(ctx, _bundle("later", _around(inner), ERROR))
    instance = starting.start(ctx, "later")
    assert _data(ctx, instance)[0] == "running"
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        assert run_due_jobs(ctx)["fired"] == 1
    status, data = _data(ctx, instance)
    assert status == "completed" and data.get("handled") and data.get("after")


def test_event_definitions_given_by_reference_work_like_those_written_inside(ctx):
    """§10.5.5: an event may name a definition declared at the top of the file (eventDefinitionRef)."""
    shared = ERROR + '<bpmn:errorEventDefinition id="shared_error" errorRef="err"/>'
    by_ref = "<bpmn:eventDefinitionRef>shared_error</bpmn:eventDefinitionRef>"
    deploy(ctx, _bundle("by_ref", _around(_throwing(by_ref) + _handler(by_ref)), shared))
    status, data = _data(ctx, starting.start(ctx, "by_ref"))
    assert status == "completed"
    assert data.get("handled") and data.get("after")


def test_a_reference_to_no_declared_definition_is_refused_at_deploy(ctx):
    dangling = "<bpmn:eventDefinitionRef>nowhere</bpmn:eventDefinitionRef>"
    with pytest.raises(BundleInvalid) as refused:
        deploy(ctx, _bundle("dangling", _around(_throwing(dangling)), ERROR))
    assert any(p.element == "throw" for p in refused.value.problems)
