"""How the inbox answers with 100,000 open tasks, against what reading the workflows would cost.

Fills a SQLite file (and PostgreSQL when RAVAND_BENCH_POSTGRES_URL is set) with 100,000 open human
tasks over 20,000 instances spread across the 22 regions, then times the inbox queries a PR manager,
an expert and a head make all day (mine, group, filtered, searched, a late page). For scale it times,
in the same run, raw SpiffWorkflow deserializing workflows to find their ready user tasks — what an
engine without a task table would do — and prints the ratio.

    .venv/bin/python bench/inbox_scale.py [--tasks 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from engine.context import Context
from engine.db import Database
from engine.demo.seed import seed_demo
from engine.models import Base, HumanTask, OrgUnit, ProcessDefinition, ProcessInstance, utcnow
from engine.work.inbox import InboxQuery, inbox

TASKS_PER_INSTANCE = 5


def fill(database: Database, tasks: int) -> None:
    ctx = Context(database)
    seed_demo(ctx, password="bench")
    now = utcnow()
    with database.transaction() as session:
        regions = session.scalars(
            select(OrgUnit.id).where(OrgUnit.kind == "region").order_by(OrgUnit.code)
        ).all()
        definition = ProcessDefinition(
            key="citizen_meeting", version=1, content_hash="bench", name="ملاقات مردمی"
        )
        session.add(definition)
        session.flush()
        instances = [
            {
                "definition_id": definition.id,
                "process_key": "citizen_meeting",
                "status": "running",
                "title": f"درخواست ملاقات شماره {i}",
                "business_key": f"CM-{i:06d}",
                "unit_id": regions[i % 22],
                "state": b"",
                "state_version": 1,
                "started_at": now,
                "updated_at": now,
            }
            for i in range(tasks // TASKS_PER_INSTANCE)
        ]
        for chunk in range(0, len(instances), 5000):
            session.execute(insert(ProcessInstance), instances[chunk : chunk + 5000])
        ids = session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.id)).all()
        rows = [
            {
                "id": str(uuid.uuid4()),
                "instance_id": iid,
                "process_key": "citizen_meeting",
                "element_id": f"step_{n}",
                "name": f"مرحله {n}",
                "lane": "unit_pr_manager",
                "role_code": "unit_pr_manager",
                "unit_id": regions[k % 22],
                "form_key": "f.json",
                "state": "open",
                "priority": n * 10,
                "created_at": now - timedelta(hours=k % 500),
                "due_at": now + timedelta(days=(k % 15) - 5),
                "overdue": (k % 15) < 5,
            }
            for k, (iid, n) in enumerate((iid, n) for iid in ids for n in range(TASKS_PER_INSTANCE))
        ]
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(HumanTask), rows[chunk : chunk + 5000])


QUERIES = {
    "group tasks of region 5's manager": InboxQuery(user="region05.manager", view="group"),
    "same, overdue only": InboxQuery(user="region05.manager", view="group", due="overdue"),
    "same, search a business key": InboxQuery(user="region05.manager", view="group", search="CM-0100"),
    "same, page 40 by priority": InboxQuery(user="region05.manager", view="group", sort="priority", page=40),
    "my claimed tasks": InboxQuery(user="region05.manager", view="mine"),
}


def time_queries(ctx: Context, repeat: int = 5) -> dict[str, float]:
    results = {}
    for name, query in QUERIES.items():
        inbox(ctx, query)
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            page = inbox(ctx, query)
            samples.append(time.perf_counter() - start)
        results[name] = {"ms": statistics.median(samples) * 1000, "total": page.total}
    return results


def spiff_scan_seconds_per_workflow(samples: int = 200) -> float:
    """Raw SpiffWorkflow: deserialize a saved workflow and list its ready user tasks."""
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    root = Path(__file__).resolve().parent.parent
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(root / "tests" / "fixtures" / "approval" / "approval.bpmn"))
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    workflow = BpmnWorkflow(parser.get_spec("approval"))
    workflow.do_engine_steps()
    saved = serializer.serialize_json(workflow)
    start = time.perf_counter()
    for _ in range(samples):
        restored = serializer.deserialize_json(saved)
        restored.get_tasks(state=TaskState.READY, manual=True)
    return (time.perf_counter() - start) / samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = {"tasks": args.tasks, "backends": {}}
    urls = {"sqlite": f"sqlite:///{tempfile.mkdtemp()}/inbox.db"}
    if os.environ.get("RAVAND_BENCH_POSTGRES_URL"):
        urls["postgres"] = os.environ["RAVAND_BENCH_POSTGRES_URL"]
    for backend, url in urls.items():
        database = Database(url)
        Base.metadata.drop_all(database.engine)
        database.create_all()
        fill(database, args.tasks)
        report["backends"][backend] = time_queries(Context(database))
        database.dispose()
    per_workflow = spiff_scan_seconds_per_workflow()
    scan_ms = per_workflow * (args.tasks // TASKS_PER_INSTANCE) * 1000
    report["spiff_scan_ms"] = scan_ms
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.tasks} open tasks in {args.tasks // TASKS_PER_INSTANCE} instances")
    for backend, results in report["backends"].items():
        for name, result in results.items():
            ratio = result["ms"] / scan_ms
            rows = f"({result['total']} rows)"
            print(f"{backend:8} {name:38} {result['ms']:8.1f} ms  {rows:14} ratio to scan {ratio:.5f}")
    print(f"raw SpiffWorkflow: deserializing every workflow to find its ready tasks: {scan_ms / 1000:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
