"""Throughput of a linear process of ten user tasks: raw SpiffWorkflow against Ravand's services.

Variants (complete instances per second, after one warm-up instance each):
  a  SpiffWorkflow in memory
  b  SpiffWorkflow, serialized to JSON and restored after every task
  c  Ravand's services (starting.start, then tasks.complete on each next task it hands back) on a
     SQLite file in a temp dir
  d  the same on PostgreSQL (RAVAND_BENCH_POSTGRES_URL or RAVAND_TEST_POSTGRES_URL), in a scratch
     schema "ravand_bench" that is dropped afterwards

The variants run in interleaved rounds (a b c d, a b c d, ...) and each rate is the median of its rounds,
so that a slow spell of a shared machine weighs on every variant alike instead of on whichever ran then.

Run: .venv/bin/python bench/engine_throughput.py [--instances N] [--db-instances N] [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

PROCESS_KEY = "bench_linear"
LANE = "bench_role"
USER_TASKS = 10
PG_SCHEMA = "ravand_bench"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FORM = {"components": [{"key": "n", "type": "number", "label": "n"}]}


def bpmn_xml(tasks: int = USER_TASKS) -> str:
    """start → u1 … u<tasks> → end, every node in one lane, every user task with formKey f.json."""
    nodes = ["start"] + [f"u{i}" for i in range(1, tasks + 1)] + ["end"]
    lane_refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    body = ['<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    for i in range(1, tasks + 1):
        body.append(
            f'<bpmn:userTask id="u{i}" name="Task {i}"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formKey" value="f.json" />'
            "</spiffworkflow:properties></bpmn:extensionElements>"
            f"<bpmn:incoming>f{i - 1}</bpmn:incoming><bpmn:outgoing>f{i}</bpmn:outgoing></bpmn:userTask>"
        )
    body.append(f'<bpmn:endEvent id="end"><bpmn:incoming>f{tasks}</bpmn:incoming></bpmn:endEvent>')
    for i in range(tasks + 1):
        body.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{nodes[i]}" targetRef="{nodes[i + 1]}" />')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="bench_definitions" targetNamespace="http://ravand.tehran.ir/bpmn/bench">'
        f'<bpmn:process id="{PROCESS_KEY}" name="Bench linear" isExecutable="true">'
        f'<bpmn:laneSet id="bench_lanes"><bpmn:lane id="lane_bench" name="{LANE}">{lane_refs}</bpmn:lane>'
        "</bpmn:laneSet>" + "".join(body) + "</bpmn:process></bpmn:definitions>"
    )


# --- (a), (b): raw SpiffWorkflow -------------------------------------------------------------------


def parse_spec(xml: str):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode(), filename="bench_linear.bpmn")
    return parser.get_spec(PROCESS_KEY)


def spiff_runner(spec, serialize: bool) -> Callable[[], None]:
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def run_one() -> None:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        i = 0
        while (task := workflow.get_next_task(state=TaskState.READY, manual=True)) is not None:
            task.data.update({"n": i})
            task.run()
            workflow.do_engine_steps()
            if serialize:
                workflow = serializer.deserialize_json(serializer.serialize_json(workflow))
            i += 1
        assert workflow.is_completed() and i == USER_TASKS, (i, workflow.is_completed())

    return run_one


# --- (c), (d): Ravand's services ---------------------------------------------------------------------


def ravand_runner(url: str, xml: str, reset: bool) -> tuple[Callable[[], None], Callable[[], None]]:
    """Set up a database at ``url`` and return (run one instance, dispose)."""
    from sqlalchemy import bindparam, select

    from engine.context import Context
    from engine.db import Database
    from engine.definitions.bundle import Bundle
    from engine.definitions.deployment import deploy
    from engine.models import Base, HumanTask, OrgUnit, Position, ProcessInstance, Role, User
    from engine.runtime import starting
    from engine.work import tasks

    db = Database(url)
    if reset:
        Base.metadata.drop_all(db.engine)
    db.create_all()
    with db.transaction() as s:
        role = Role(code=LANE, name_fa=LANE, name_en=LANE, per_unit=False)
        unit = OrgUnit(code="bench_unit", kind="center", name_fa="bench", name_en="bench")
        s.add(User(username="bench", full_name="Bench", positions=[Position(role=role, unit=unit)]))
    ctx = Context(db)
    files = {"bench_linear.bpmn": xml.encode(), "f.json": json.dumps(FORM).encode()}
    deploy(ctx, Bundle(PROCESS_KEY, files))

    # The client finds the first task of a new instance, then goes on with the task each completion
    # hands back as the user's next step (as the inbox and the API do).
    open_task = select(HumanTask.id).where(
        HumanTask.instance_id == bindparam("instance"), HumanTask.state == "open"
    )

    def run_one() -> None:
        inst = starting.start(ctx, PROCESS_KEY, {}, user="bench")
        with db.transaction() as s:
            tid = s.scalar(open_task, {"instance": inst.id})
        for i in range(USER_TASKS):
            assert tid is not None, f"no open task at step {i}"
            following = tasks.complete(ctx, tid, {"n": i}, user="bench")["next_tasks"]
            tid = following[0]["id"] if following else None
        assert tid is None, "the instance still has a task after the last one"
        with db.transaction() as s:
            assert s.get(ProcessInstance, inst.id).status == "completed"

    return run_one, db.dispose


# --- timing and report -------------------------------------------------------------------------------


def measure(runners: dict[str, tuple[Callable[[], None], int]], rounds: int) -> dict[str, float]:
    """Median instances per second of each runner over interleaved rounds (one warm-up instance each)."""
    for run_one, _ in runners.values():
        run_one()
    rates: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, (run_one, n) in runners.items():
            started = time.perf_counter()
            for _ in range(n):
                run_one()
            rates[name].append(n / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in rates.items()}


def postgres_url() -> tuple[str, bool]:
    """The URL to use and whether it came from the environment."""
    url = os.environ.get("RAVAND_BENCH_POSTGRES_URL") or os.environ.get("RAVAND_TEST_POSTGRES_URL")
    return (url, True) if url else (DEFAULT_POSTGRES_URL, False)


def postgres_schema(url: str, create: bool) -> str:
    """(Re)create or drop the scratch schema the benchmark uses, so the test suite's tables are left alone.

    Returns a URL whose connections use that schema.
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            if create:
                conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    finally:
        engine.dispose()
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{PG_SCHEMA}"


def postgres_reachable(url: str) -> str | None:
    """None if a connection can be made, else the reason why not."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
        finally:
            engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--instances", type=int, default=100, help="instances of a and of b over all rounds (default 100)"
    )
    ap.add_argument(
        "--db-instances", type=int, default=60, help="instances of c and of d over all rounds (default 60)"
    )
    ap.add_argument("--rounds", type=int, default=20, help="interleaved rounds (default 20)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = ap.parse_args(argv)

    xml = bpmn_xml()
    spec = parse_spec(xml)
    labels = {
        "a": "spiff in memory",
        "b": "spiff + json per task",
        "c": "ravand sqlite",
        "d": "ravand postgres",
    }
    per_round = {
        "a": max(1, args.instances // args.rounds),
        "b": max(1, args.instances // args.rounds),
        "c": max(1, args.db_instances // args.rounds),
        "d": max(1, args.db_instances // args.rounds),
    }
    runners = {"a": spiff_runner(spec, False), "b": spiff_runner(spec, True)}
    disposals: list[Callable[[], None]] = []
    skipped: dict[str, str] = {}
    url, from_env = postgres_url()
    reason = postgres_reachable(url)
    with tempfile.TemporaryDirectory(prefix="ravand-bench-") as tmp:
        try:
            run_one, dispose = ravand_runner("sqlite:///" + str(Path(tmp) / "bench.db"), xml, reset=False)
            runners["c"] = run_one
            disposals.append(dispose)
            if reason is None:
                bench_url = postgres_schema(url, create=True)
                disposals.append(lambda: postgres_schema(url, create=False))
                run_one, dispose = ravand_runner(bench_url, xml, reset=True)
                runners["d"] = run_one
                disposals.append(dispose)
            else:
                where = "from env" if from_env else "default; set RAVAND_BENCH_POSTGRES_URL"
                skipped["d"] = f"cannot connect to {url} ({where}): {reason}"
            medians = measure({k: (f, per_round[k]) for k, f in runners.items()}, args.rounds)
        finally:
            for dispose in reversed(disposals):
                dispose()
    results = {
        name: {
            "label": labels[name],
            "instances_per_round": per_round[name],
            "rounds": args.rounds,
            "per_second": rate,
        }
        for name, rate in medians.items()
    }

    rate = {k: v["per_second"] for k, v in results.items()}
    ratios = {"b/a": rate["b"] / rate["a"], "c/b": rate["c"] / rate["b"]}
    if "d" in rate:
        ratios["d/b"] = rate["d"] / rate["b"]
    target_met = ratios["c/b"] >= 0.5

    if args.json:
        doc = {
            "user_tasks_per_instance": USER_TASKS,
            "results": results,
            "skipped": skipped,
            "ratios": ratios,
            "target": {"c/b": 0.5, "met": target_met},
        }
        print(json.dumps(doc, indent=2))
        return 0

    print(f"linear process, {USER_TASKS} user tasks per instance (one warm-up instance not timed)")
    print(f"{args.rounds} interleaved rounds; each rate is the median of its rounds")
    print(f"{'variant':<28}{'instances/round':>16}{'instances/s':>14}")
    for name, r in results.items():
        label = f"{name} {r['label']}"
        print(f"{label:<28}{r['instances_per_round']:>16}{r['per_second']:>14.1f}")
    for name, why in skipped.items():
        print(f"{name} skipped: {why}")
    for key in ("c/b", "d/b", "b/a"):
        if key in ratios:
            print(f"ratio {key}: {ratios[key]:.3f}")
    print(f"target c/b >= 0.5: {'met' if target_met else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
