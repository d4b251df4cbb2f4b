"""What the sandbox costs per step, against SpiffWorkflow's own (unrestricted) script engine, and what
a supervised child process per evaluation would cost instead (the design choice documented in
engine/sandbox/scripting.py).

    .venv/bin/python bench/sandbox_cost.py [--steps N]

Prints microseconds per evaluation for a typical script and a typical condition: (a) SpiffWorkflow's
PythonScriptEngine, (b) Ravand's sandbox in-process, (c) one child process per evaluation (fork of
this process, result over a pipe) — and the ratios b/a and c/b; then the time each hostile payload
class takes to be refused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment  # noqa: E402

from engine.sandbox.scripting import SandboxedEnvironment  # noqa: E402

SCRIPT = "total = sum(item['amount'] for item in items)\nlabel = f'{len(items)} items: {total}'"
CONDITION = "total > 100 and label.startswith('5')"
DATA = {"items": [{"amount": i} for i in range(5)], "total": 0, "label": ""}


def _per_step(run, steps: int) -> float:
    started = time.perf_counter()
    for _ in range(steps):
        run()
    return (time.perf_counter() - started) / steps * 1e6


def _in_child(env: SandboxedEnvironment) -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        context = dict(DATA)
        env.execute(SCRIPT, context)
        os.write(write, json.dumps(context).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        json.loads(pipe.read())
    os.waitpid(pid, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps
    raw, sandbox = TaskDataEnvironment(), SandboxedEnvironment()
    rows = {
        "script": (lambda: raw.execute(SCRIPT, dict(DATA)), lambda: sandbox.execute(SCRIPT, dict(DATA))),
        "condition": (
            lambda: raw.evaluate(CONDITION, {**DATA, "total": 10, "label": "5"}),
            lambda: sandbox.evaluate(CONDITION, {**DATA, "total": 10, "label": "5"}),
        ),
    }
    for name, (run_raw, run_sandbox) in rows.items():
        a, b = _per_step(run_raw, steps), _per_step(run_sandbox, steps)
        print(f"{name:9s} a raw SpiffWorkflow {a:8.1f} µs   b sandbox {b:8.1f} µs   b/a {b / a:5.2f}")
    c = _per_step(lambda: _in_child(sandbox), max(steps // 20, 20))
    b = _per_step(lambda: sandbox.execute(SCRIPT, dict(DATA)), steps)
    print(f"script    c child process per step {c:8.1f} µs   c/b {c / b:6.1f}")
    runner = ROOT / "tests" / "unit" / "sandbox_payloads.py"
    for kind in ("bigint", "text", "iterators", "data", "loops", "shadowing"):
        done = subprocess.run([sys.executable, str(runner), kind], capture_output=True, text=True, check=True)
        times = [json.loads(line)["s"] for line in done.stdout.splitlines()]
        print(f"payloads {kind:10s} {len(times):3d} refused, slowest {max(times):6.3f} s (time limit 1.0 s)")


if __name__ == "__main__":
    main()
