"""Conditional sequence flows leaving an activity: an implicit inclusive split (BPMN 2.0 §10.3.1)."""

from __future__ import annotations

import pytest

from engine.cases import show
from engine.definitions.deployment import deploy
from engine.runtime import starting
from tests.engine.test_uncaught_events import _bundle


def _script(sid: str, code: str, incoming: list[str], outgoing: list[str], default: str | None = None) -> str:
    attrs = f' default="{default}"' if default else ""
    flows = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
    flows += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing)
    return f'<bpmn:scriptTask id="{sid}"{attrs}>{flows}<bpmn:script>{code}</bpmn:script></bpmn:scriptTask>'


def _flow(fid: str, source: str, target: str, condition: str | None = None) -> str:
    inner = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return (
        f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">{inner}</bpmn:sequenceFlow>'
    )


SPLIT = (
    '<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
    + _script("decide", "pass", ["f0"], ["fa", "fb", "fd", "fu"], default="fd")
    + _script("ta", "went_a = True", ["fa"], ["ea"])
    + _script("tb", "went_b = True", ["fb"], ["eb"])
    + _script("td", "went_default = True", ["fd"], ["ed"])
    + _script("tu", "went_always = True", ["fu"], ["eu"])
    + "".join(
        f'<bpmn:endEvent id="end_{x}"><bpmn:incoming>e{x}</bpmn:incoming></bpmn:endEvent>' for x in "abdu"
    )
    + _flow("f0", "start", "decide")
    + _flow("fa", "decide", "ta", "amount &gt; 10")
    + _flow("fb", "decide", "tb", "amount &gt; 100")
    + _flow("fd", "decide", "td")
    + _flow("fu", "decide", "tu")
    + "".join(_flow(f"e{x}", f"t{x}", f"end_{x}") for x in "abdu")
)


@pytest.mark.parametrize(
    ("amount", "taken"),
    [
        (500, {"went_a", "went_b", "went_always"}),
        (50, {"went_a", "went_always"}),
        (1, {"went_default", "went_always"}),
    ],
)
def test_every_flow_whose_condition_holds_is_taken_and_the_default_only_when_none_does(ctx, amount, taken):
    deploy(ctx, _bundle("split", SPLIT))
    instance = starting.start(ctx, "split", {"amount": amount})
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed"
    assert {k for k in shown["data"] if k.startswith("went_")} == taken
