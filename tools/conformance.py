#!/usr/bin/env python3
"""Run betsy's executable BPMN feature tests through Ravand's persisted engine and raw SpiffWorkflow.

    python tools/conformance.py BETSY_GIT_DIR [--only NAME] [--verbose]

BETSY_GIT_DIR is a clone (or bare mirror) of github.com/uniba-dsg/betsy, kept outside the repository;
its files are read with ``git show``, nothing of it is copied here. The test cases (input, expected
trace) are read from its ``configuration/bpmn/*Processes.java``; the placeholder scripts of its models
become Python: a ``SCRIPT_taskN`` task leaves ``SCRIPT_taskN`` in the trace, ``CREATE_MARKER_FILE``
leaves ``MARKER_exists``, ``THROW_ERROR`` fails; its JUEL-style conditions (``test.contains("a")``)
become Python. A case passes when the trace (as a multiset) is the expected one, and an expected
``ERROR_runtime`` / ``ERROR_thrownErrorEvent`` / ``ERROR_deployment`` is what happened: an incident /
an uncaught error (status ``failed``) / a refused deploy. Ravand runs each case on a fresh SQLite file,
through deploy, start, and the job queue with the clock moved on (timers, signals); raw SpiffWorkflow
runs the same XML in memory. Prints pass counts per feature, and every Python exception that escaped
Ravand (there should be none).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import time_machine  # noqa: E402
from lxml import etree  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.cases import show  # noqa: E402
from engine.context import Context  # noqa: E402
from engine.db import Database  # noqa: E402
from engine.definitions.bundle import collect_bundles  # noqa: E402
from engine.definitions.deployment import deploy  # noqa: E402
from engine.errors import RavandError  # noqa: E402
from engine.models import AuditEvent, ProcessInstance, utcnow  # noqa: E402
from engine.runtime import starting  # noqa: E402
from engine.runtime.jobs import run_due_jobs  # noqa: E402

CONFIG = "pebl-builder/src/main/java/configuration/bpmn"
FILES = "pebl-builder/src/main/resources/files/bpmn"
GROUPS = ("Activity", "Basic", "Data", "Error", "Event", "Gateway", "Pattern")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ASSERTIONS = {
    "assertTask1": "SCRIPT_task1",
    "assertTask2": "SCRIPT_task2",
    "assertTask3": "SCRIPT_task3",
    "assertTask4": "SCRIPT_task4",
    "assertTask5": "SCRIPT_task5",
    "assertMarkerExists": "MARKER_exists",
    "assertIncrement": "INCREMENT_correct",
    "assertRuntimeException": "ERROR_runtime",
    "assertErrorThrownErrorEvent": "ERROR_thrownErrorEvent",
    "assertErrorThrownEscalationEvent": "ERROR_thrownEscalationEvent",
    "assertGenericError": "ERROR",
    "assertExecutionParallel": "EXECUTION_parallel",
    "assertDataCorrect": "DATA_correct",
    "assertDeploymentFailed": "ERROR_deployment",
    "assertProcessAborted": "ERROR_processAborted",
}
INPUTS = {f"input{k}": k.lower() for k in ("A", "B", "C", "AB", "AC", "BC", "ABC")}
SCRIPTS = {
    "THROW_ERROR": "1 / 0",
    "INCREMENT_INTEGER_VARIABLE": "integerVariable = integerVariable + 1",
    "INCREMENT_INTEGER_VARIABLE_AND_LOG": "integerVariable = integerVariable + 1",
    "SET_STRING_DATA": 'data = "String"',
}


@dataclass
class Case:
    feature: str
    name: str
    number: int
    expected: list[str]
    test: str | None = None
    integer: int = 0
    parallel: bool = False


@dataclass
class Outcome:
    trace: list[str] = field(default_factory=list)
    escaped: str | None = None  # a Python traceback (Ravand must never have one)


def git_show(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={repo}", "show", f"HEAD:{path}"], capture_output=True, text=True, check=True
    ).stdout


def read_cases(repo: Path) -> list[Case]:
    cases = []
    for group in GROUPS:
        java = git_show(repo, f"{CONFIG}/{group}Processes.java")
        features = dict(re.findall(r'FeatureSet (\w+) = new FeatureSet\([\w.]+,\s*"(\w+)"', java))
        for body in re.split(r"public static final Test ", java)[1:]:
            found = re.search(r'build\w+Process\(\s*"(\w+)"', body)
            feature = re.search(r"new Feature\((\w+),\s*\"(\w+)\"", body)
            if feature is None:
                continue
            name = found.group(1) if found else feature.group(2)
            for number, chain in enumerate(
                re.findall(r"new BPMNTestCaseBuilder\(\)((?:\s*\.\w+\([^)]*\))*)", body)
            ):
                case = Case(features.get(feature.group(1), feature.group(1)), name, number + 1, [])
                for method, arg in re.findall(r"\.(\w+)\(([^)]*)\)", chain):
                    if method in ASSERTIONS:
                        case.expected.append(ASSERTIONS[method])
                    elif method in INPUTS:
                        case.test = INPUTS[method]
                    elif method == "setIntegerVariable":
                        case.integer = int(arg)
                    elif method == "useParallelProcess":
                        case.parallel = True
                cases.append(case)
    return cases


def _condition(text: str) -> str:
    text = re.sub(r"^\s*\$\{(.*)\}\s*$", r"\1", text.strip(), flags=re.S)
    text = re.sub(r'(\w+)\.contains\(("[^"]*")\)', r"(\2 in \1)", text)
    text = re.sub(r"!(?!=)", " not ", text).replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text))
    return text.strip()


def to_python(xml: str) -> tuple[bytes, dict[str, str]]:
    """The model with Python scripts and conditions, and the trace token of each script task."""
    tree = etree.fromstring(xml.encode())
    tokens = {}
    for script in tree.iter(f"{{{BPMN_NS}}}script"):
        code = (script.text or "").strip()
        task = script.getparent()
        if code.startswith("SCRIPT_task"):
            tokens[task.get("id")] = code
        elif code == "CREATE_MARKER_FILE":
            tokens[task.get("id")] = "MARKER_exists"
        elif code == "INCREMENT_INTEGER_VARIABLE_AND_LOG":
            tokens[task.get("id")] = "INCREMENT_correct"
        elif code == "LOG_DATA":
            tokens[task.get("id")] = "LOG_DATA"
        script.text = SCRIPTS.get(code, "pass")
    for tag in ("conditionExpression", "condition", "completionCondition", "loopCondition"):
        for element in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            if element.text and element.text.strip():
                element.text = _condition(element.text)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8"), tokens


def _trace(elements: list[str], tokens: dict[str, str], data: dict) -> list[str]:
    trace = [tokens[e] for e in elements if e in tokens]
    if "MARKER_exists" in trace:
        trace = [t for t in trace if t != "MARKER_exists"] + ["MARKER_exists"]
    if "LOG_DATA" in trace:
        trace = [t for t in trace if t != "LOG_DATA"] + (
            ["DATA_correct"] if data.get("data") == "String" else []
        )
    return trace


def run_ravand(case: Case, files: dict[str, bytes], tokens: dict[str, str], workdir: Path) -> Outcome:
    folder = workdir / f"{case.name}-{case.number}"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    database = Database(f"sqlite:///{folder / 'ravand.db'}")
    database.create_all()
    ctx = Context(database)
    outcome = Outcome()
    try:
        try:
            for bundle in collect_bundles([folder]):
                deploy(ctx, bundle)
        except RavandError:
            outcome.trace.append("ERROR_deployment")
            return outcome
        data = {"test": case.test, "integerVariable": case.integer, "testCaseNumber": case.number}
        try:
            if case.parallel:
                starting.start(ctx, "ParallelProcess", data)
            instance = starting.start(ctx, case.name, data)
        except RavandError:
            outcome.trace.append("ERROR_runtime")
            return outcome
        moment = utcnow()
        for _ in range(4):  # timers and signals go through the job queue
            moment += timedelta(hours=1)
            with time_machine.travel(moment, tick=False):
                run_due_jobs(ctx)
        with database.read() as session:
            status = session.get(ProcessInstance, instance.id).status
            elements = [  # the iterations of a loop or multi-instance, not their body
                element
                for element, data in session.execute(
                    select(AuditEvent.element_id, AuditEvent.data)
                    .where(AuditEvent.kind == "element")
                    .order_by(AuditEvent.id)
                )
                if not (data or {}).get("body")
            ]
            kinds = set(session.scalars(select(AuditEvent.kind)).all())
        shown = show.show(ctx, instance.id)
        outcome.trace += _trace(list(elements), tokens, shown.get("data") or {})
        if status == "incident":
            outcome.trace.append("ERROR_runtime")
        if status == "failed":
            outcome.trace.append("ERROR_thrownErrorEvent")
        if "escalation_uncaught" in kinds:
            outcome.trace.append("ERROR_thrownEscalationEvent")
    except Exception:  # the point of the harness is to find these
        outcome.escaped = traceback.format_exc()
    finally:
        database.dispose()
    return outcome


def run_raw(case: Case, files: dict[str, bytes], tokens: dict[str, str]) -> Outcome:
    """The same case on SpiffWorkflow alone, in memory."""
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
    from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
        ErrorEventDefinition,
        EscalationEventDefinition,
    )
    from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    outcome = Outcome()
    try:
        parser = SpiffBpmnParser()
        for name, content in files.items():
            parser.add_bpmn_xml(etree.fromstring(content), filename=name)
        spec = parser.get_spec(case.name)
        subprocesses = parser.get_subprocess_specs(case.name)
    except Exception:
        outcome.trace.append("ERROR_deployment")
        return outcome
    events = []
    try:
        workflow = BpmnWorkflow(spec, subprocesses, script_engine=PythonScriptEngine())
    except Exception:
        outcome.trace.append("ERROR_runtime")
        return outcome
    workflow.task_tree.data.update({"test": case.test, "integerVariable": case.integer})
    try:
        moment = utcnow()
        for _ in range(4):
            with time_machine.travel(moment, tick=False):
                workflow.refresh_waiting_tasks()
                workflow.do_engine_steps()
                events += workflow.get_events()
            moment += timedelta(hours=1)
    except Exception:
        outcome.trace.append("ERROR_runtime")
    done = sorted(workflow.get_tasks(state=TaskState.COMPLETED), key=lambda t: t.last_state_change)
    elements = [getattr(t.task_spec, "bpmn_id", None) for t in done if not isinstance(t.task_spec, LoopTask)]
    outcome.trace += _trace(elements, tokens, workflow.data if workflow.completed else {})
    if any(isinstance(e.event_definition, ErrorEventDefinition) for e in events):
        outcome.trace.append("ERROR_thrownErrorEvent")
    if any(isinstance(e.event_definition, EscalationEventDefinition) for e in events):
        outcome.trace.append("ERROR_thrownEscalationEvent")
    return outcome


def passed(case: Case, outcome: Outcome) -> bool:
    """The trace is the expected one; betsy's generic ``ERROR`` is any error, at deploy or at run time."""
    trace = Counter(outcome.trace)
    if "ERROR" in case.expected:
        errors = sum(n for token, n in trace.items() if token.startswith("ERROR_"))
        trace = +Counter({t: n for t, n in trace.items() if not t.startswith("ERROR_")}) + Counter(
            {"ERROR": min(errors, 1)}
        )
    return outcome.escaped is None and +trace == Counter(case.expected)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("betsy", type=Path, help="betsy's git directory (a clone's .git or a bare mirror)")
    parser.add_argument("--only", help="run the tests whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print every failing case")
    args = parser.parse_args()
    paths = subprocess.run(
        ["git", f"--git-dir={args.betsy}", "ls-tree", "-r", "--name-only", "HEAD", FILES],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    by_name = {Path(p).stem: p for p in paths if p.endswith(".bpmn") and "bpmn_constraints" not in p}
    cases = [c for c in read_cases(args.betsy) if not args.only or args.only in c.name]
    totals: dict[str, Counter] = defaultdict(Counter)
    escaped = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            path = by_name.get(case.name)
            totals[case.feature]["tests"] += 1
            if path is None:
                continue
            xml, tokens = to_python(git_show(args.betsy, path))
            files = {f"{case.name}.bpmn": xml}
            if case.parallel and "ParallelProcess" in by_name:
                files["ParallelProcess.bpmn"] = to_python(git_show(args.betsy, by_name["ParallelProcess"]))[0]
            ravand, raw = run_ravand(case, files, tokens, Path(tmp)), run_raw(case, files, tokens)
            totals[case.feature]["ravand"] += passed(case, ravand)
            totals[case.feature]["raw"] += passed(case, raw)
            if ravand.escaped:
                escaped.append((case, ravand.escaped))
            if args.verbose and not passed(case, ravand):
                print(f"FAIL {case.name}#{case.number}: expected {case.expected}, got {ravand.trace}")
    print(f"{'feature':32} {'tests':>5} {'ravand':>6} {'raw':>5}")
    for feature in sorted(totals):
        t = totals[feature]
        print(f"{feature:32} {t['tests']:5} {t['ravand']:6} {t['raw']:5}")
    total = sum((t for t in totals.values()), Counter())
    print(f"{'TOTAL':32} {total['tests']:5} {total['ravand']:6} {total['raw']:5}")
    print(f"Python exceptions escaping Ravand: {len(escaped)}")
    for case, text in escaped:
        print(f"--- {case.name}#{case.number}\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
