"""The sandbox: ordinary scripts work, known escapes fail, runaway scripts are stopped."""

from __future__ import annotations

import sys

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.scripting import ScriptResourceError, ScriptTimeout, check_source, make_script_engine

ENGINE = make_script_engine(time_limit=0.5)


def run(script: str, data: dict | None = None) -> dict:
    context = dict(data or {})
    ENGINE.environment.execute(script, context)
    return context


def test_scripts_set_and_change_task_data():
    data = run(
        "total = amount * 2\nitems.append(3)\nd['k'] = 'v'\nx = sorted([3, 1, 2])",
        {"amount": 21, "items": [1], "d": {}},
    )
    assert data == {"amount": 21, "items": [1, 3], "d": {"k": "v"}, "total": 42, "x": [1, 2, 3]}


def test_expressions_and_helpers():
    env = make_script_engine({"double": lambda v: v * 2}).environment
    assert env.evaluate("amount > 100 and topic == 'traffic'", {"amount": 150, "topic": "traffic"}) is True
    assert env.evaluate("double(math.ceil(2.5))", {}) == 6
    assert env.evaluate("(datetime(2026, 1, 2) + timedelta(days=1)).day", {}) == 3


ESCAPES = [
    "__import__('os')",
    "import os",
    "from os import system",
    "().__class__.__base__.__subclasses__()",
    "getattr(1, '__class__')",
    "'{0.__class__}'.format(1)",
    "'{x.__class__}'.format_map({'x': 1})",
    "(lambda: 0).__code__",
    "type(1)",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x = 1')",
    "compile('1', 'f', 'eval')",
    "globals()",
    "vars()",
    "__builtins__['__import__']",
    "[c for c in ().__class__.__mro__]",
    "breakpoint()",
    "help()",
    "dir()",
    "setattr(d, 'x', 1)",
    "object.__subclasses__()",
    "(x for x in [1]).gi_frame.f_globals",
    "[1].__class__",
    "str.format('{0.__class__}', 1)",
    "'a' * 10**10",
    "[0] * 10**9",
    "10**10**10",
    "pow(10, 10**8)",
    "list(range(10**12))",
    "1 << 10**9",
    "'x'.ljust(10**10)",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_known_escapes_are_refused(source, tmp_path):
    marker = tmp_path / "escaped"
    if check_source(source, "exec"):
        return
    with pytest.raises(Exception) as caught:
        run(source, {"d": {}})
    assert not isinstance(caught.value, SystemExit)
    assert not marker.exists()


def test_frame_walk_through_an_exception_is_refused():
    script = "try:\n    1/0\nexcept Exception as e:\n    tb = e.__traceback__.tb_frame"
    assert check_source(script, "exec")
    assert check_source(
        "try:\n    1/0\nexcept Exception as e:\n    g = e.with_traceback(None).tb_frame", "exec"
    )


def test_endless_loop_is_stopped_by_the_time_limit():
    with pytest.raises(ScriptTimeout):
        run("while True:\n    pass")


def test_deep_recursion_is_stopped():
    with pytest.raises((ScriptResourceError, RecursionError)):
        run("def f(n):\n    return f(n + 1)\nf(0)")


def test_the_previous_trace_function_is_restored():
    def tracer(*args):
        return None

    sys.settrace(tracer)
    try:
        run("x = 1")
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


def test_check_source_names_the_line():
    (problem,) = check_source("x = 1\ny = x.__dict__", "exec")
    assert problem.line == 2


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>a = 1
b = a + missing</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="calc" />
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_failing_script_in_a_workflow_reports_its_line():
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.encode())
    workflow = BpmnWorkflow(parser.get_spec("p"), script_engine=make_script_engine())
    with pytest.raises(WorkflowException) as caught:
        workflow.do_engine_steps()
    assert caught.value.line_number == 2
