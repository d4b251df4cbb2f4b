"""The sandbox: ordinary scripts work (also inside SpiffWorkflow), known escapes fail, runaways stop."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.sandbox.scripting import (
    SandboxedEnvironment,
    ScriptCompileError,
    ScriptProblem,
    ScriptResourceError,
    ScriptSecurityError,
    ScriptTimeout,
    check_source,
    compile_sandboxed,
    make_script_engine,
)

ENV = SandboxedEnvironment(time_limit=0.5)
FAST_ENV = SandboxedEnvironment(time_limit=0.3)  # for the escapes that must be stopped by the clock


def run(script: str, data: dict | None = None, env: SandboxedEnvironment = ENV) -> dict:
    context = dict(data or {})
    env.execute(script, context)
    return context


# --- Ordinary scripts and expressions ------------------------------------------------------------------


def test_scripts_set_and_change_task_data():
    data = run(
        "total = amount * 2\n"
        "items.append(3)\n"
        "d['k'] = 'v'\n"
        "d['n'] = [i * i for i in range(4)]\n"
        "x = sorted([3, 1, 2])\n"
        "a, (b, c) = 1, (2, 3)\n"
        "count = 0\n"
        "for value in items:\n"
        "    count += value\n"
        "items[0:0] = [0]\n"
        "label = f'{total:>5}|{total!r}|' + '%s-%03d' % ('n', 7)\n"
        "double = lambda v: v * 2\n"
        "def helper(v):\n"
        "    return v + 1\n"
        "result = helper(double(2))\n",
        {"amount": 21, "items": [1], "d": {}},
    )
    assert data == {
        "amount": 21,
        "items": [0, 1, 3],
        "d": {"k": "v", "n": [0, 1, 4, 9]},
        "total": 42,
        "x": [1, 2, 3],
        "a": 1,
        "b": 2,
        "c": 3,
        "count": 4,
        "value": 3,
        "label": "   42|42|n-007",
        "result": 5,
    }  # functions, the lambda and the sandbox's own names are not left in the task data


def test_expressions_see_task_data_and_helpers():
    env = SandboxedEnvironment({"double": lambda v: v * 2})
    assert env.evaluate("amount > 100 and topic == 'traffic'", {"amount": 150, "topic": "traffic"}) is True
    assert env.evaluate("amount > 100 and topic == 'traffic'", {"amount": 150, "topic": "x"}) is False
    assert env.evaluate("double(math.ceil(2.5)) + math.floor(math.sqrt(16))", {}) == 10
    assert env.evaluate("(datetime(2026, 1, 2) + timedelta(days=1)).day", {}) == 3
    assert env.evaluate("date(2026, 1, 2).isoformat()", {}) == "2026-01-02"
    assert env.evaluate("datetime(2026, 1, 2, tzinfo=timezone.utc).year", {}) == 2026
    assert env.evaluate("sum(x) + max(x) + len(list(zip(x, x)))", {"x": [1, 2, 3]}) == 12
    assert env.evaluate("[first(x), last(x), unique([1, 1, 2]), flatten([[1], 2])]", {"x": [4, 5]}) == [
        4,
        5,
        [1, 2],
        [1, 2],
    ]
    assert env.evaluate("to_ascii_digits('۱۲۳') + '/' + to_persian_digits(45)", {}) == "123/۴۵"
    assert env.evaluate("join(['a', 1, None, 2.5]) + str(is_blank('  ')) + str(coalesce(None, 0))", {}) == (
        "a, 1, 2.5True0"
    )
    assert env.evaluate("dmninputexpr > 3", {}, {"dmninputexpr": 4}) is True


def test_task_data_may_use_the_names_of_helpers():
    data = run("later = date + '!'\ndate = 'changed'", {"date": "1404/01/01"})
    assert data == {"date": "changed", "later": "1404/01/01!"}


def test_scripts_can_still_handle_ordinary_errors():
    data = run(
        "try:\n    int('x')\nexcept ValueError:\n    a = 'value'\n"
        "try:\n    {}['k']\nexcept Exception as e:\n    b = type_name = 'key'\n"
        "try:\n    1 / 0\nexcept:\n    c = 'bare'\n"
        "try:\n    [][1]\nexcept (KeyError, IndexError):\n    d = 'tuple'\n"
    )
    assert (data["a"], data["b"], data["c"], data["d"]) == ("value", "key", "bare", "tuple")


def test_print_is_collected_and_kept_out_of_the_data():
    assert run("print('hello')\nout = printed") == {"out": "hello\n"}


def test_helpers_are_checked():
    with pytest.raises(TypeError):
        SandboxedEnvironment({"os": sys})
    with pytest.raises(ValueError):
        SandboxedEnvironment({"_hidden": len})
    with pytest.raises(ValueError):
        SandboxedEnvironment({"eval": len})


def test_compiled_code_is_cached():
    assert compile_sandboxed("amount > 100", "eval") is compile_sandboxed("amount > 100", "eval")


# --- check_source and validate -------------------------------------------------------------------------


def test_check_source_accepts_good_code_and_names_the_line_of_bad_code():
    assert check_source("x = 1\ny = [v for v in range(3)]", "exec") == []
    assert check_source("amount > 100 and topic == 'traffic'", "eval") == []
    (problem,) = check_source("x = 1\ny = x.__dict__", "exec")
    assert problem.line == 2 and "__dict__" in problem.message
    (problem,) = check_source("x = 1\nimport os", "exec")
    assert problem == ScriptProblem(2, problem.message) and "import" in problem.message
    (problem,) = check_source("x = 1\n\ny = (", "exec")
    assert problem.line == 3 and "SyntaxError" in problem.message
    assert [p.line for p in check_source("a = 1\nb.format(1)\nc = eval('1')", "exec")] == [2, 3]
    assert check_source("x = 1", "eval")  # a statement is not an expression


def test_validate_raises_syntax_error_as_dmn_expects():
    engine = make_script_engine()
    engine.validate("v > 100")
    with pytest.raises(SyntaxError):
        engine.validate("> 100")
    with pytest.raises(ScriptCompileError) as caught:
        engine.validate("x.__class__")
    assert caught.value.problems[0].line == 1


# --- Inside SpiffWorkflow --------------------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="t">
  <bpmn:process id="route" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>total = amount * 2
tags.append('seen')
info['by'] = 'script'</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="f_small">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_big</bpmn:outgoing><bpmn:outgoing>f_small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="big"><bpmn:incoming>f_big</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>path = 'big'</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="small"><bpmn:incoming>f_small</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>path = 'small'</bpmn:script></bpmn:scriptTask>
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>level_decision</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="gw" />
    <bpmn:sequenceFlow id="f_big" sourceRef="gw" targetRef="big">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >total &gt; 100 and topic == 'traffic'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_small" sourceRef="gw" targetRef="small" />
    <bpmn:sequenceFlow id="f3" sourceRef="big" targetRef="decide" />
    <bpmn:sequenceFlow id="f4" sourceRef="small" targetRef="decide" />
    <bpmn:sequenceFlow id="f5" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn" name="D" namespace="t">
  <decision id="level_decision" name="Level">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="in_total" label="Total">
        <inputExpression id="in_total_expr" typeRef="integer"><text>total</text></inputExpression>
      </input>
      <output id="out_level" label="Level" name="level" typeRef="string" />
      <rule id="r1"><inputEntry id="r1i"><text>&gt; 250</text></inputEntry>
        <outputEntry id="r1o"><text>"high"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2i"><text>&lt;= 250</text></inputEntry>
        <outputEntry id="r2o"><text>"low"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""


def run_workflow(bpmn: str, process: str, data: dict) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(bpmn.encode())
    if "businessRuleTask" in bpmn:
        parser.add_dmn_str(DMN.encode())
    workflow = BpmnWorkflow(parser.get_spec(process), script_engine=make_script_engine())
    (start,) = workflow.get_tasks(state=TaskState.READY)
    start.data.update(data)
    workflow.do_engine_steps()
    return workflow


@pytest.mark.parametrize(
    ("amount", "topic", "path", "level"),
    [(150, "traffic", "big", "high"), (150, "parks", "small", "high"), (20, "traffic", "small", "low")],
)
def test_script_task_gateway_and_dmn_in_a_workflow(amount, topic, path, level):
    workflow = run_workflow(BPMN, "route", {"amount": amount, "topic": topic, "tags": [], "info": {}})
    assert workflow.is_completed()
    assert workflow.data == {
        "amount": amount,
        "topic": topic,
        "tags": ["seen"],
        "info": {"by": "script"},
        "total": amount * 2,
        "path": path,
        "level": level,
    }
    done = {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}
    assert path in done and ({"big", "small"} - {path}).isdisjoint(done)


FAILING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="calc" />
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize(
    ("script", "line", "error_type"),
    [
        ("a = 1\nb = a + missing\nc = 3", 2, "NameError"),
        ("a = 1\nb = {}\nc = b[1]", 3, "KeyError"),
        ("a = 1\nb = 'x' * 10**10", 2, "ScriptResourceError"),
        ("a = 1\nb = a.__class__", 2, "ScriptCompileError"),
    ],
)
def test_a_failing_script_in_a_workflow_reports_its_line(script, line, error_type):
    with pytest.raises(WorkflowTaskException) as caught:
        run_workflow(FAILING.replace("SCRIPT", script), "p", {})
    assert caught.value.line_number == line
    assert caught.value.error_line == script.splitlines()[line - 1]
    assert caught.value.error_type == error_type


def test_a_failing_condition_in_a_workflow_raises_a_workflow_error():
    bpmn = BPMN.replace("total &gt; 100", "totl &gt; 100")
    with pytest.raises(WorkflowTaskException, match="NameError"):
        run_workflow(bpmn, "route", {"amount": 1, "topic": "traffic", "tags": [], "info": {}})


# --- Escapes -------------------------------------------------------------------------------------------

REFUSED = "refused at compile time"

ESCAPES: list[tuple[str, object]] = [
    # imports and the import machinery
    ("__import__('os').system('touch MARKER')", REFUSED),
    ("import os\nos.system('touch MARKER')", REFUSED),
    ("from os import system\nsystem('touch MARKER')", REFUSED),
    ("import builtins", REFUSED),
    ("__builtins__['__import__']('os')", REFUSED),
    ("b = __builtins__", REFUSED),
    # introspection through dunder attributes
    ("().__class__.__base__.__subclasses__()", REFUSED),
    ("[c for c in ().__class__.__mro__]", REFUSED),
    ("object.__subclasses__()", REFUSED),
    ("(1).__class__.__subclasses__()", REFUSED),
    ("(lambda: 0).__code__", REFUSED),
    ("(lambda: 0).__globals__", REFUSED),
    ("math.sqrt.__self__", REFUSED),
    ("x = date.today\ny = x.__self__", REFUSED),
    ("sorted([3, 1], key=lambda v: v.__class__)", REFUSED),
    ("int.mro()", REFUSED),
    # frames: generators and tracebacks
    ("g = (x for x in [1])\nf = g.gi_frame.f_globals", REFUSED),
    ("g = (x for x in [1])\nc = g.gi_code", REFUSED),
    ("try:\n    1 / 0\nexcept Exception as e:\n    f = e.__traceback__.tb_frame.f_back.f_globals", REFUSED),
    # str.format attribute walks
    ("'{0.__class__}'.format(1)", REFUSED),
    ("f = lambda: 0\n'{.__globals__}'.format(f)", REFUSED),
    ("'{x.__class__}'.format_map({'x': 1})", REFUSED),
    ("d = {'k': 1}\n'{0[k].__class__}'.format(d)", REFUSED),
    ("str.format('{0.__init__.__globals__}', d)", REFUSED),
    # builtins that are refused or simply absent
    ("getattr(1, '__class__')", REFUSED),
    ("setattr(d, 'x', 1)", REFUSED),
    ("eval('1')", REFUSED),
    ("exec('x = 1')", REFUSED),
    ("compile('1', 'f', 'eval')", REFUSED),
    ("globals()", REFUSED),
    ("vars()", REFUSED),
    ("breakpoint()", REFUSED),
    ("raise SystemExit", REFUSED),
    ("type(1)", NameError),
    ("open('MARKER', 'w').write('x')", NameError),
    ("help()", NameError),
    ("dir()", NameError),
    ("id(1)", NameError),
    ("object()", NameError),
    # statements that could outlive the time limit or swallow it
    ("class A:\n    pass", REFUSED),
    ("with open('MARKER') as f:\n    pass", REFUSED),
    ("try:\n    x = 1\nfinally:\n    while True:\n        pass", REFUSED),
    ("try:\n    x = 1\nexcept BaseException:\n    pass", REFUSED),
    ("async def f():\n    pass", REFUSED),
    ("c = [1]\ntry:\n    1 / 0\nexcept c[0]:\n    pass", ScriptSecurityError),
    # resources
    ("'a' * 10**10", ScriptResourceError),
    ("[0] * 10**9", ScriptResourceError),
    ("10**10**10", ScriptResourceError),
    ("pow(10, 10**8)", ScriptResourceError),
    ("1 << 10**9", ScriptResourceError),
    ("list(range(10**12))", ScriptResourceError),
    ("'x'.ljust(10**10)", ScriptResourceError),
    ("str.center('x', 10**10)", ScriptResourceError),
    ("(1).to_bytes(10**10, 'big')", ScriptResourceError),
    ("f'{1:>10000000000}'", ScriptResourceError),
    ("'%10000000000d' % 1", ScriptResourceError),
    ("'%*d' % (10**10, 1)", ScriptResourceError),
    ("s = 'x' * 10000\nt = s.replace('', s)", ScriptResourceError),
    ("sum([[0] * 1000] * 10000, [])", ScriptResourceError),
    ("s = 'ab'\nwhile True:\n    s = s + s", ScriptResourceError),
    ("s = 'ab'\nwhile True: s = f'{s}{s}'", ScriptResourceError),
    ("x = [1]\nwhile True: x = [*x, *x]", ScriptResourceError),
    ("x = [1]\nwhile True: x.extend(x)", ScriptResourceError),
    ("x = [1]\nwhile True: x[len(x):] = x", ScriptResourceError),
    ("a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000", ScriptResourceError),
    ("x = []\nx.append(x)", ScriptResourceError),
    ("def f(n):\n    return f(n + 1)\nf(0)", ScriptResourceError),
    # time
    ("while True: pass", ScriptTimeout),
    ("try:\n    while True: pass\nexcept Exception:\n    pass", ScriptTimeout),
    ("l = [1]\nfor x in l: l.append(x)", ScriptTimeout),
    ("def f(n):\n    if n:\n        f(n - 1)\n        f(n - 1)\nf(60)", ScriptTimeout),
]


@pytest.fixture(scope="module")
def marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("escapes") / "escaped"


@pytest.mark.parametrize(("source", "outcome"), ESCAPES)
def test_known_escapes_fail(source: str, outcome: object, marker: Path):
    source = source.replace("MARKER", str(marker))
    context: dict = {"d": {}}
    if outcome is REFUSED:
        assert check_source(source, "exec"), "check_source should refuse this"
        with pytest.raises(ScriptCompileError):
            FAST_ENV.execute(source, context)
    else:
        assert check_source(source, "exec") == []
        with pytest.raises(outcome):  # type: ignore[call-overload]
            FAST_ENV.execute(source, context)
    assert not any(isinstance(v, types.ModuleType) for v in context.values())
    assert not marker.exists()


def test_no_escape_created_the_marker_or_reached_os(marker: Path):
    assert len(ESCAPES) >= 25
    assert not marker.exists()
    assert "os" not in ENV.helper_names and "__import__" not in ENV.builtins
    assert all(not isinstance(v, types.ModuleType) for v in ENV.builtins.values())


def test_an_oversized_variable_is_removed_from_the_task_data():
    monster = "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000"
    context = {"keep": 1}
    with pytest.raises(ScriptResourceError, match="'c'"):
        ENV.execute(monster, context)
    assert "c" not in context and context["keep"] == 1
    context = {"keep": 1}
    with pytest.raises(ZeroDivisionError):
        ENV.execute(monster + "\nx = 1 / 0", context)
    assert "c" not in context and context["keep"] == 1


def test_ordinary_large_data_is_kept():
    # Ordinary work, with room for a loaded machine: only the size rules are under test here.
    data = run(
        "rows = [{'i': i, 'name': 'n' * 10} for i in range(20000)]\ntotal = len(rows)",
        env=SandboxedEnvironment(time_limit=10.0),
    )
    assert data["total"] == 20000 and data["rows"][-1] == {"i": 19999, "name": "n" * 10}


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc/self/statm")
def test_memory_growth_is_limited():
    env = SandboxedEnvironment(time_limit=2.0, memory_limit=64 * 2**20)
    with pytest.raises(ScriptResourceError, match="memory"):
        env.execute("kept = []\nwhile True:\n    kept.append('x' * 10**7)", {})


# --- Limits and the trace function -----------------------------------------------------------------------


def test_endless_loop_is_stopped_by_the_time_limit():
    with pytest.raises(ScriptTimeout):
        run("while True:\n    pass", env=FAST_ENV)
    with pytest.raises(ScriptTimeout):
        FAST_ENV.evaluate("[x for x in range(10**6) for y in range(10**6)]", {})


def test_the_previous_trace_function_is_restored():
    calls = []

    def tracer(frame, event, arg):
        calls.append(event)

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        run("x = 1")
        assert sys.gettrace() is tracer
        ENV.evaluate("1 + 1", {})
        assert sys.gettrace() is tracer
        with pytest.raises(ScriptTimeout):
            run("while True: pass", env=FAST_ENV)
        assert sys.gettrace() is tracer
        with pytest.raises(ScriptResourceError):
            run("def f(n):\n    return f(n + 1)\nf(0)")
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)
    assert calls  # it kept tracing this test's own frames in between


def test_nested_evaluation_from_a_helper_restores_the_outer_limits():
    env = SandboxedEnvironment({"inner": lambda: ENV.evaluate("2 + 3", {})}, time_limit=0.3)
    assert run("x = inner()", env=env) == {"x": 5}
    with pytest.raises(ScriptTimeout):
        run("x = inner()\nwhile True: pass", env=env)


def test_splits_give_what_python_gives_within_the_bound():
    """The bound counts parts without building them; long texts with few parts still split."""
    out = run(
        "a = 'x, y,z'.split(',')\nb = (' ' * 5000000 + 'word').split()\nc = 'p\\nq\\r\\nr'.splitlines()\n"
        "d = ('k=v;' * 400000).split(';', 2)\ne = 'a b  c'.rsplit(None, 1)"
    )
    assert out["a"] == ["x", " y", "z"] and out["b"] == ["word"] and out["c"] == ["p", "q", "r"]
    assert out["d"][:2] == ["k=v", "k=v"] and len(out["d"]) == 3 and out["e"] == ["a b", "c"]
