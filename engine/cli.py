"""The ``ravand`` command line: deploy, start, list and complete tasks, run the worker, manage the database.

Every command takes ``--json`` and then prints exactly one JSON document on stdout; errors go to
stderr with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from engine.calendar import closures
from engine.cases import show
from engine.cases.start import StartRequest, start_process
from engine.context import Context
from engine.db import Database
from engine.definitions import deployment
from engine.definitions.bundle import collect_bundles
from engine.demo.history import simulate_month
from engine.demo.seed import seed_demo
from engine.errors import BundleInvalid, InvalidData, NotFound, RavandError
from engine.org import bootstrap
from engine.runtime import lifecycle, messages, worker
from engine.schema import upgrade
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks


def _json_arg(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ravand", description="Ravand BPMN engine")
    parser.add_argument("--database", help="database URL (default: DATABASE_URL or instance/ravand.db)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("deploy", parents=[common], help="deploy BPMN/DMN/form bundles from files or folders")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--forms", type=Path, help="folder with one sub-folder of forms per process")
    p.add_argument("--user")
    p.add_argument("--comment")
    p.add_argument("--check", action="store_true", help="only run the checks; save nothing")

    p = sub.add_parser("start", parents=[common], help="start the latest version of a process")
    p.add_argument("key")
    p.add_argument("--data", type=_json_arg, default={})
    p.add_argument("--user")
    p.add_argument("--unit")
    p.add_argument("--business-key")

    p = sub.add_parser("tasks", parents=[common], help="list open human tasks")
    p.add_argument("--instance", type=int)
    p.add_argument("--user")
    p.add_argument("--state", default="open", choices=["open", "completed", "cancelled", "any"])

    p = sub.add_parser("complete", parents=[common], help="complete a human task")
    p.add_argument("task_id")
    p.add_argument("--data", type=_json_arg, default={})
    p.add_argument("--user")

    for name in ("claim", "unclaim"):
        p = sub.add_parser(name, parents=[common], help=f"{name} a human task")
        p.add_argument("task_id")
        p.add_argument("--user", required=True)

    p = sub.add_parser("assign", parents=[common], help="give a task to a user")
    p.add_argument("task_id")
    p.add_argument("assignee")
    p.add_argument("--user")
    p.add_argument("--reason")

    for name in ("suspend", "resume", "terminate"):
        p = sub.add_parser(name, parents=[common], help=f"{name} a process instance")
        p.add_argument("instance_id", type=int)
        p.add_argument("--user")
        p.add_argument("--reason")

    p = sub.add_parser("show", parents=[common], help="status, data, open tasks and history of an instance")
    p.add_argument("instance_id", type=int)

    p = sub.add_parser("message", parents=[common], help="send a message to waiting instances")
    p.add_argument("name")
    p.add_argument("--payload", type=_json_arg, default={})
    p.add_argument("--correlation", type=_json_arg, default={})
    p.add_argument("--message-id")

    p = sub.add_parser("definitions", parents=[common], help="list deployed process versions")

    p = sub.add_parser("worker", parents=[common], help="run due timers and jobs until stopped")
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--once", action="store_true", help="run the due jobs once and exit")

    p = sub.add_parser("db", parents=[common], help="database schema")
    p.add_argument("action", choices=["upgrade"])

    p = sub.add_parser("closure", parents=[common], help="extra non-working days (besides official holidays)")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("day", nargs="?", help="a Jalali date, e.g. 1405/01/15")
    p.add_argument("--reason", default="")

    p = sub.add_parser(
        "create-admin",
        parents=[common],
        help="create an administrator (password asked, or $RAVAND_ADMIN_PASSWORD)",
    )
    p.add_argument("--username", default="admin")
    p.add_argument("--full-name", default="مدیر سامانه")

    p = sub.add_parser(
        "import-org",
        parents=[common],
        help="add or update units, roles, users and positions from YAML or CSV",
    )
    p.add_argument("file", type=Path)

    p = sub.add_parser("seed-demo", parents=[common], help="load the demo organisation, roles and users")
    p.add_argument("--history", action="store_true", help="also run a simulated month of catalog processes")
    p.add_argument("--days", type=int, default=30)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = run(args)
    except BundleInvalid as exc:
        return _fail(args, exc)
    except RavandError as exc:
        return _fail(args, exc)
    _print(args, result)
    return 0


def _fail(args, exc: RavandError) -> int:
    if args.json:
        print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"error: {exc.message}", file=sys.stderr)
    return 2 if isinstance(exc, BundleInvalid) else 1


def _print(args, result) -> None:
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    elif isinstance(result, str):
        print(result)
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def _context(args):
    return Context(Database(args.database))


def run(args):
    command = args.command
    if command == "db":
        upgrade(args.database)
        return {"upgraded": True}
    ctx = _context(args)
    if command == "deploy":
        return _deploy(ctx, args)
    if command == "start":
        started = start_process(
            ctx, StartRequest(args.key, args.data, args.user, args.unit, args.business_key, on_behalf=True)
        )
        return {
            "instance_id": started.instance_id,
            "status": started.status,
            "tracking_code": started.tracking_code,
            "next_tasks": started.next_tasks,
        }
    if command == "tasks":
        return list_tasks(
            ctx, TaskQuery(user=args.user, instance_id=args.instance, state=args.state, limit=1000)
        )
    if command == "complete":
        return tasks.complete(ctx, args.task_id, args.data, args.user)
    if command in ("claim", "unclaim"):
        getattr(tasks, command)(ctx, args.task_id, args.user)
        return {"task_id": args.task_id, command + "ed": True}
    if command == "assign":
        tasks.assign(ctx, args.task_id, args.assignee, args.user, args.reason)
        return {"task_id": args.task_id, "assignee": args.assignee}
    if command in ("suspend", "resume", "terminate"):
        getattr(lifecycle, command)(ctx, args.instance_id, args.user, args.reason)
        return {"instance_id": args.instance_id, "status": show.show(ctx, args.instance_id)["status"]}
    if command == "show":
        return show.show(ctx, args.instance_id)
    if command == "message":
        return messages.send_message(ctx, args.name, args.payload, args.correlation, args.message_id)
    if command == "definitions":
        return deployment.list_definitions(ctx)
    if command == "worker":
        if args.once:
            return worker.run_due_jobs(ctx)
        worker.run_forever(ctx, args.interval)
        return {"stopped": True}
    if command == "closure":
        if args.action == "list":
            return closures.list_closures(ctx)
        if not args.day:
            raise InvalidData("Name the day to close, e.g. 1405/01/15.")
        return closures.add_closure(ctx, closures.parse_day(args.day), args.reason)
    if command == "create-admin":
        password = os.environ.get("RAVAND_ADMIN_PASSWORD") or getpass.getpass("password: ")
        return bootstrap.create_admin(ctx, args.username, args.full_name, password)
    if command == "import-org":
        return bootstrap.import_org(ctx, bootstrap.read_org_file(args.file))
    if command == "seed-demo":
        result = seed_demo(ctx)
        if args.history:
            result["history"] = simulate_month(ctx, args.days)
        return result
    raise AssertionError(command)


def _deploy(ctx, args):
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise NotFound("No such file or folder: {paths}", paths=", ".join(missing))
    bundles = collect_bundles(args.paths, args.forms)
    if not bundles:
        raise NotFound("No BPMN process found in {paths}", paths=", ".join(map(str, args.paths)))
    # Check every bundle first, so that one bad bundle deploys nothing at all.
    problems = [p for bundle in bundles for p in deployment.check(ctx, bundle)]
    if problems:
        raise BundleInvalid(problems)
    if args.check:
        return [{"key": b.key, "problems": []} for b in bundles]
    results = [deployment.deploy(ctx, b, args.user, args.comment).to_dict() for b in bundles]
    return results if len(results) > 1 else results[0]


if __name__ == "__main__":
    sys.exit(main())
