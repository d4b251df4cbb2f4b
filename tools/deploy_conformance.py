#!/usr/bin/env python3
"""How many models of a folder Ravand's deploy check refuses, and by which rules.

    python tools/deploy_conformance.py FOLDER [FOLDER ...] [--expect refused|accepted] [--json]

Each ``.bpmn`` file is checked as ``ravand deploy FILE --check`` checks it (its bundle: the file, the
BPMN and DMN files beside it that it calls or names, its forms), against an in-memory database with
Ravand's roles. The report counts refused and accepted files, per rule the files it refused, and lists
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
from engine.demo.seed import ROLES  # noqa: E402
from engine.models import Role  # noqa: E402


def _main_file(bundle) -> str | None:
    from engine.definitions.model import read_model

    model = read_model(bundle.files)
    return model.process_file(bundle.key) or next(iter(model.unreadable), None)


def verdict(ctx: Context, path: Path) -> tuple[str, list]:
    """("refused" | "accepted" | "raised", the problems or the traceback) for one BPMN file."""
    try:
        # The bundles whose main process this file holds (a file of several pools has several).
        bundles = [b for b in collect_bundles([path.parent]) if b.files and _main_file(b) == path.name]
        if not bundles:
            return "refused", []
        problems = [p for b in bundles for p in deployment.check(ctx, b)]
    except Exception:  # the point of the tool is to find these
        return "raised", [traceback.format_exc()]
    return ("refused" if problems else "accepted"), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--expect", choices=["refused", "accepted"], default="refused")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    database = Database("sqlite://")
    database.create_all()
    ctx = Context(database)
    with database.transaction() as session:  # lanes may name the demo organisation's roles
        session.add_all(Role(code=c, name_fa=fa, name_en=en, per_unit=pu) for c, fa, en, pu in ROLES)

    files = sorted({f for folder in args.folders for f in folder.rglob("*.bpmn")})
    results = {str(f): verdict(ctx, f) for f in files}
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
                print(f"raised on {name}:\n{detail[0]}")
    return 0 if counts["raised"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
