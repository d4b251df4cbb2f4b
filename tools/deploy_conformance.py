#!/usr/bin/env python3
"""How many models of a folder Ravand's deploy check refuses, and by which rules.

    python tools/deploy_conformance.py FOLDER [FOLDER ...] [--each-file] [--expect refused|accepted] [--json]

Each folder's bundles are collected as ``ravand deploy FOLDER --check`` collects them (a bundle per
process: its file, the BPMN and DMN files it calls or names, its forms) and checked against an
in-memory database with Ravand's roles; a file is refused when a bundle of its processes is, or when
it has none. With ``--each-file`` each file is checked alone, as ``ravand deploy FILE --check`` checks
it (for suites of independent models, whose process ids repeat from file to file). The report counts
refused and accepted files, per rule the files it refused, and lists
the files that went the other way than ``--expect`` says, and any check that raised (there should be
none: every failure is a located problem). Use it on a suite of invalid models (the BPMN 2.0
constraint tests of betsy, say, kept outside the repository) and on valid ones (the catalog).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.context import Context  # noqa: E402
from engine.db import Database  # noqa: E402
from engine.definitions import deployment  # noqa: E402
from engine.definitions.bundle import collect_bundles  # noqa: E402
from engine.definitions.model import read_model  # noqa: E402
from engine.demo.seed import ROLES  # noqa: E402
from engine.models import Role  # noqa: E402


def _main_file(bundle) -> str | None:
    model = read_model(bundle.files)
    return model.process_file(bundle.key) or next(iter(model.unreadable), None)


def _check(ctx: Context, bundles: list) -> tuple[str, list]:
    """("refused" | "accepted" | "raised", the problems or the traceback) for bundles checked together."""
    try:
        problems = [p for bundle in bundles for p in deployment.check(ctx, bundle)]
    except Exception:  # the point of the tool is to find these
        return "raised", [traceback.format_exc()]
    return ("refused" if problems or not bundles else "accepted"), problems


def each_file(ctx: Context, folders: list[Path]) -> dict[str, tuple[str, list]]:
    """Per BPMN file, checked alone (``ravand deploy FILE --check``)."""
    files = sorted({f for folder in folders for f in folder.rglob("*.bpmn")})
    return {str(f): _check(ctx, collect_bundles([f])) for f in files}


def by_folder(ctx: Context, folders: list[Path]) -> dict[str, tuple[str, list]]:
    """Per BPMN file, its bundles collected from its folder as ``ravand deploy FOLDER`` collects them."""
    results: dict[str, tuple[str, list]] = {}
    for folder in folders:
        paths = {p.name: p for p in sorted(folder.rglob("*.bpmn"))}
        for bundle in collect_bundles([folder]):
            main = _main_file(bundle) or bundle.key
            name = str(paths.get(main, folder / main))
            outcome, problems = _check(ctx, [bundle])
            before, found = results.get(name, ("accepted", []))
            worst = next(v for v in ("raised", "refused", "accepted") if v in (outcome, before))
            results[name] = (worst, found + problems)
        for path in paths.values():  # no process of its own: `ravand deploy` finds nothing to deploy
            results.setdefault(str(path), ("refused", []))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--each-file", action="store_true", help="check every file alone")
    parser.add_argument("--expect", choices=["refused", "accepted"], default="refused")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    database = Database("sqlite://")
    database.create_all()
    ctx = Context(database)
    with database.transaction() as session:  # lanes may name the demo organisation's roles
        session.add_all(Role(code=c, name_fa=fa, name_en=en, per_unit=pu) for c, fa, en, pu in ROLES)

    results = (each_file if args.each_file else by_folder)(ctx, args.folders)
    files = sorted(results)
    counts = Counter(v for v, _ in results.values())
    by_rule: Counter[str] = Counter()
    for outcome, problems in results.values():
        if outcome == "refused":
            by_rule.update({p.rule or "-" for p in problems})
    unexpected = sorted(f for f, (v, _) in results.items() if v != args.expect)
    if args.json:
        print(json.dumps({"files": len(files), **counts, "by_rule": dict(by_rule), "unexpected": unexpected}))
    else:
        print(
            f"{len(files)} models: {counts['refused']} refused, {counts['accepted']} accepted, "
            f"{counts['raised']} raised"
        )
        print("files refused, by rule (a file counts under every rule that found a problem in it):")
        for code, count in by_rule.most_common():
            print(f"  {count:4d}  {code}")
        if unexpected:
            print(f"not {args.expect}:")
            for name in unexpected:
                print(f"  {name}")
        for name, (outcome, detail) in results.items():
            if outcome == "raised":
                print(f"raised on {name}:\n{detail[-1]}")
    return 0 if counts["raised"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
