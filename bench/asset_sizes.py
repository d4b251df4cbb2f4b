"""The JavaScript each page downloads before it can work, as built now (ES modules split into shared
chunks, the studio's form and decision editors loaded only when opened) against a baseline built in
the same run: one bundle per entry point, no splitting (how Ravand shipped before).

For each page: the entries its template loads and every chunk they import statically, raw and gzipped;
the ratio is split / baseline (gzipped). Chunks loaded on demand are listed apart.

Run: .venv/bin/python bench/asset_sizes.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The entries each page's templates load (web/templates), by source path.
PAGES = {
    "studio": ["web/assets/app.js", "web/assets/designer/designer.js"],
    "diff": ["web/assets/app.js", "web/assets/designer/diff_page.js"],
    "task page": ["web/assets/app.js", "web/assets/inbox/form.js", "web/assets/inbox/diagram.js"],
    "dashboard": ["web/assets/app.js", "web/assets/monitor/dashboard.js"],
}
# Before the split, the diff page loaded the whole studio bundle.
BASELINE_ENTRY = {"web/assets/designer/diff_page.js": "web/assets/designer/designer.js"}


def closure(outputs: dict, entries: list[str]) -> set[str]:
    by_entry = {info["entry"]: path for path, info in outputs.items() if info["entry"]}
    todo, seen = [by_entry[e] for e in entries], set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo.extend(outputs[path]["imports"])
    return seen


def sizes(paths: set[str]) -> tuple[int, int]:
    """Raw and gzipped bytes of the outputs (metafile paths are relative to the repository root)."""
    files = [(ROOT / p).resolve().read_bytes() for p in paths]
    return sum(map(len, files)), sum(len(gzip.compress(f, 9)) for f in files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = ap.parse_args(argv)
    built = json.loads(
        subprocess.run(
            ["node", str(ROOT / "bench/asset_sizes.mjs")],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    split, single = built["split"]["outputs"], built["single"]["outputs"]
    rows = {}
    for page, entries in PAGES.items():
        now = sizes(closure(split, entries))
        before = sizes(closure(single, [BASELINE_ENTRY.get(e, e) for e in entries]))
        rows[page] = {
            "kb": now[0] / 1024,
            "kb_gzip": now[1] / 1024,
            "baseline_kb": before[0] / 1024,
            "baseline_kb_gzip": before[1] / 1024,
            "ratio": now[1] / before[1],
        }
    on_demand = {
        Path(p).name.split("-")[0]: sizes({p})[1] / 1024
        for p in split
        if Path(p).name.startswith(("forms-", "decisions-"))
    }
    for variant in ("split", "single"):
        shutil.rmtree(built[variant]["outdir"], ignore_errors=True)
    if args.json:
        print(json.dumps({"pages": rows, "on_demand_kb_gzip": on_demand}, indent=2))
        return 0
    print("JavaScript a page loads before it works (KB; baseline = one bundle per entry, built now)")
    print(f"{'page':<12}{'raw':>10}{'gzip':>10}{'base raw':>10}{'base gzip':>11}{'ratio':>8}")
    for page, r in rows.items():
        print(
            f"{page:<12}{r['kb']:>10.0f}{r['kb_gzip']:>10.0f}{r['baseline_kb']:>10.0f}"
            f"{r['baseline_kb_gzip']:>11.0f}{r['ratio']:>8.2f}"
        )
    print("loaded when opened (gzip KB): " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(on_demand.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
