"""The complex gateway: diverging on conditions, converging when its activation condition holds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import show
from engine.definitions.deployment import deploy
from engine.models import AuditEvent
from engine.runtime import starting
from tests.engine.test_conditional_flows import _flow, _script
from tests.engine.test_uncaught_events import _bundle

MODEL = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:complexGateway id="split" default="fc"><bpmn:incoming>f0</bpmn:incoming>'
    "<bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing><bpmn:outgoing>fc</bpmn:outgoing>"
    "</bpmn:complexGateway>"
    + _script("ta", "a = 1", ["fa"], ["ja"])
    + _script("tb", "b = 1", ["fb"], ["jb"])
    + _script("tc", "c = 1", ["fc"], ["jc"])
    + '<bpmn:complexGateway id="join"><bpmn:incoming>ja</bpmn:incoming><bpmn:incoming>jb</bpmn:incoming>'
    "<bpmn:incoming>jc</bpmn:incoming><bpmn:outgoing>fe</bpmn:outgoing>"
    "<bpmn:activationCondition>activationCount &gt;= 1</bpmn:activationCondition></bpmn:complexGateway>"
    + _script("after", "after = 1", ["fe"], ["fz"])
    + '<bpmn:endEvent id="end"><bpmn:incoming>fz</bpmn:incoming></bpmn:endEvent>'
    + _flow("f0", "start", "split")
    + _flow("fa", "split", "ta", "'a' in test")
    + _flow("fb", "split", "tb", "'b' in test")
    + _flow("fc", "split", "tc")
    + _flow("ja", "ta", "join")
    + _flow("jb", "tb", "join")
    + _flow("jc", "tc", "join")
    + _flow("fe", "join", "after")
    + _flow("fz", "after", "end")
)


@pytest.mark.parametrize(("test", "taken"), [("a", {"a"}), ("ab", {"a", "b"}), ("x", {"c"})])
def test_the_complex_gateway_splits_on_conditions_and_fires_once_on_its_activation_condition(
    ctx, test, taken
):
    deploy(ctx, _bundle("complex", MODEL))
    instance = starting.start(ctx, "complex", {"test": test})
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed"
    assert {k for k in ("a", "b", "c") if k in shown["data"]} == taken
    with ctx.db.transaction() as session:
        ran = session.scalars(select(AuditEvent.element_id).where(AuditEvent.kind == "element")).all()
    assert ran.count("after") == 1  # the second token is absorbed
