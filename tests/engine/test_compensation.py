"""Compensation (BPMN 2.0 §10.7) through the persisted engine: a compensation throw runs the handlers of
the activities of its level that completed, most recent first, then goes on; what Ravand does not run is
refused at deploy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine.definitions.deployment import deploy
from engine.errors import BundleInvalid
from engine.models import utcnow
from engine.runtime import starting
from engine.runtime.jobs import run_due_jobs
from tests.engine.test_conditional_flows import _flow, _script
from tests.engine.test_interrupting import _data, _end, _start, _timer
from tests.engine.test_uncaught_events import _bundle

COMPENSATE = "<bpmn:compensateEventDefinition/>"


def _compensable(activity: str, incoming: str, outgoing: str) -> str:
    """A script task ``activity`` that logs itself, with a compensation handler that logs its undoing."""
    return (
        _script(activity, f"log = log + ['{activity}']", [incoming], [outgoing])
        + f'<bpmn:boundaryEvent id="{activity}_comp" attachedToRef="{activity}">'
        f"{COMPENSATE}</bpmn:boundaryEvent>"
        + f'<bpmn:scriptTask id="undo_{activity}" isForCompensation="true">'
        f"<bpmn:script>log = log + ['undo {activity}']</bpmn:script></bpmn:scriptTask>"
    )


def _associations(*activities: str) -> str:
    """The associations of the activities' compensation handlers (artifacts come after the flow)."""
    return "".join(
        f'<bpmn:association id="{a}_assoc" sourceRef="{a}_comp" targetRef="undo_{a}"/>' for a in activities
    )


def _throw(tid: str, incoming: str, outgoing: str, definition: str = COMPENSATE) -> str:
    return (
        f'<bpmn:intermediateThrowEvent id="{tid}"><bpmn:incoming>{incoming}</bpmn:incoming>'
        f"<bpmn:outgoing>{outgoing}</bpmn:outgoing>{definition}</bpmn:intermediateThrowEvent>"
    )


def _booking(throw: str) -> str:
    """start → book (log) → pay (log) → ``throw`` (f3 → f4) → after (log) → end."""
    return (
        _start("start", "f0")
        + _script("init", "log = []", ["f0"], ["f1"])
        + _compensable("book", "f1", "f2")
        + _compensable("pay", "f2", "f3")
        + throw
        + _script("after", "log = log + ['after']", ["f4"], ["f5"])
        + _end("end", "f5")
        + _flow("f0", "start", "init")
        + _flow("f1", "init", "book")
        + _flow("f2", "book", "pay")
        + _flow("f3", "pay", "throw")
        + _flow("f4", "throw", "after")
        + _flow("f5", "after", "end")
        + _associations("book", "pay")
    )


def test_a_compensation_throw_undoes_the_completed_activities_most_recent_first_and_goes_on(ctx):
    deploy(ctx, _bundle("booking", _booking(_throw("throw", "f3", "f4"))))
    status, data = _data(ctx, starting.start(ctx, "booking"))
    assert status == "completed"
    assert data["log"] == ["book", "pay", "undo pay", "undo book", "after"]


def test_an_activity_ref_compensates_that_activity_only(ctx):
    only_book = '<bpmn:compensateEventDefinition activityRef="book"/>'
    deploy(ctx, _bundle("only_book", _booking(_throw("throw", "f3", "f4", only_book))))
    assert _data(ctx, starting.start(ctx, "only_book"))[1]["log"] == ["book", "pay", "undo book", "after"]


def test_an_activity_that_did_not_complete_is_not_compensated(ctx):
    # The gateway skips "pay" when the amount is zero: only "book" is undone.
    body = (
        _start("start", "f0")
        + _script("init", "log = []", ["f0"], ["f1"])
        + _compensable("book", "f1", "f2")
        + '<bpmn:exclusiveGateway id="is_free" default="g_pay"><bpmn:incoming>f2</bpmn:incoming>'
        "<bpmn:outgoing>g_pay</bpmn:outgoing><bpmn:outgoing>g_skip</bpmn:outgoing></bpmn:exclusiveGateway>"
        + _compensable("pay", "g_pay", "f3a")
        + '<bpmn:exclusiveGateway id="merge"><bpmn:incoming>f3a</bpmn:incoming>'
        "<bpmn:incoming>g_skip</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>"
        + _throw("throw", "f3", "f4")
        + _end("end", "f4")
        + _flow("f0", "start", "init")
        + _flow("f1", "init", "book")
        + _flow("f2", "book", "is_free")
        + _flow("g_pay", "is_free", "pay")
        + _flow("g_skip", "is_free", "merge", "amount == 0")
        + _flow("f3a", "pay", "merge")
        + _flow("f3", "merge", "throw")
        + _flow("f4", "throw", "end")
        + _associations("book", "pay")
    )
    deploy(ctx, _bundle("free", body))
    assert _data(ctx, starting.start(ctx, "free", {"amount": 0}))[1]["log"] == ["book", "undo book"]
    assert _data(ctx, starting.start(ctx, "free", {"amount": 5}))[1]["log"] == [
        "book",
        "pay",
        "undo pay",
        "undo book",
    ]


def test_a_compensation_end_event_undoes_its_sub_process_and_the_case_goes_on(ctx):
    inner = (
        _start("s_start", "s0")
        + _compensable("book", "s0", "s1")
        + _end("s_end", "s1", COMPENSATE)
        + _flow("s0", "s_start", "book")
        + _flow("s1", "book", "s_end")
        + _associations("book")
    )
    body = (
        _start("start", "f0")
        + _script("init", "log = []", ["f0"], ["f1"])
        + '<bpmn:subProcess id="sub"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
        f"{inner}</bpmn:subProcess>"
        + _script("after", "log = log + ['after']", ["f2"], ["f3"])
        + _end("end", "f3")
        + _flow("f0", "start", "init")
        + _flow("f1", "init", "sub")
        + _flow("f2", "sub", "after")
        + _flow("f3", "after", "end")
    )
    deploy(ctx, _bundle("sub_end", body))
    status, data = _data(ctx, starting.start(ctx, "sub_end"))
    assert status == "completed" and data["log"] == ["book", "undo book", "after"]


def test_two_throws_in_one_level_each_run_the_handlers_and_compensation_waits_across_saves(ctx):
    """The second throw comes an hour later, in another step: the handlers run again there."""
    body = _booking(
        _throw("throw", "f3", "w0")
        + _timer("pause", "w0", "w1", "PT1H")
        + _throw("again", "w1", "f4", '<bpmn:compensateEventDefinition activityRef="pay"/>')
        + _flow("w0", "throw", "pause")
        + _flow("w1", "pause", "again")
    ).replace(_flow("f4", "throw", "after"), _flow("f4", "again", "after"))
    deploy(ctx, _bundle("twice", body))
    instance = starting.start(ctx, "twice")
    assert _data(ctx, instance)[1]["log"] == ["book", "pay", "undo pay", "undo book"]
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        assert run_due_jobs(ctx)["fired"] == 1
    status, data = _data(ctx, instance)
    assert status == "completed"
    assert data["log"] == ["book", "pay", "undo pay", "undo book", "undo pay", "after"]


@pytest.mark.parametrize(
    ("body", "element"),
    [
        pytest.param(
            _booking(_throw("throw", "f3", "f4")).replace(
                _end("end", "f5"),
                _end("end", "f5")
                + '<bpmn:subProcess id="esp" triggeredByEvent="true">'
                + _start("esp_start", "e1", COMPENSATE)
                + _end("esp_end", "e1")
                + _flow("e1", "esp_start", "esp_end")
                + "</bpmn:subProcess>",
            ),
            "esp_start",
            id="compensation event sub-process",
        ),
        pytest.param(
            _start("start", "f0")
            + '<bpmn:transaction id="tx"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing>'
            + _start("t_start", "t0")
            + _script("init", "log = []", ["t0"], ["f1"])
            + _compensable("book", "f1", "f2")
            + _end("t_end", "f2")
            + _flow("t0", "t_start", "init")
            + _flow("f1", "init", "book")
            + _flow("f2", "book", "t_end")
            + _associations("book")
            + "</bpmn:transaction>"
            + _end("end", "f9")
            + _flow("f0", "start", "tx")
            + _flow("f9", "tx", "end"),
            "book_comp",
            id="compensation in a transaction",
        ),
    ],
)
def test_compensation_ravand_does_not_run_is_refused_at_its_element(ctx, body, element):
    with pytest.raises(BundleInvalid) as refused:
        deploy(ctx, _bundle("refused", body))
    assert any(p.element == element for p in refused.value.problems), refused.value.problems
