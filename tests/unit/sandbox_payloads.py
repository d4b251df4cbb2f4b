"""Hostile payloads, by class, for every place a script lives; run as a child process so a crash is seen.

``python tests/unit/sandbox_payloads.py CLASS`` evaluates every payload of the class in the modes it
fits (``exec``: script tasks, pre/post-scripts; ``eval``: gateway conditions, timer expressions, DMN
cells, multi-instance expressions) and prints one JSON line per payload: its outcome (the exception
class, or ``ok``) and the seconds it took. The caller asserts the process exited cleanly.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

NEST = "it = range(3)\nfor i in range(300000):\n    it = {call}\nlist(it)"

#: class -> [(mode or "both", source, data)]; "both" runs the source as an expression and as ``x = ...``.
PAYLOADS: dict[str, list[tuple[str, str, dict]]] = {
    "bigint": [
        ("both", "pow(7, 2**4000 + 1, 2**40000 - 1)", {}),
        ("both", "pow(3, 10**3000, 10**3000 + 7)", {}),
        ("both", "int('f' * 40000, 16) // 3", {}),
        ("both", "divmod(int('7' * 40000, 16), 7)", {}),
        ("exec", "n = int('f' * 30000, 16)\nm = n * n\nx = (m * m) // 3", {}),
        ("both", "7 ** 10**7", {}),
        ("both", "(1 << 90000) * (1 << 90000) * (1 << 90000)", {}),
        ("exec", "n = 2**99000\nfor i in range(10): n = n * n", {}),
        ("both", "int.from_bytes(b'\\xff' * 10**6, 'big') % 7", {}),
    ],
    "text": [
        ("both", "int('f' * 10**6, 16)", {}),
        ("both", "str(int('f' * 30000, 16))", {}),
        ("both", "repr(10**4000 * 10**4000)", {}),
        ("both", "('a' * 10**6).encode('punycode')", {}),
        ("both", "str(('a' * 10**6).encode(), 'punycode')", {}),
        ("both", "('x' * 10**6).encode().decode('idna')", {}),
        ("both", "'%0*d' % (10**9, 1)", {}),
        ("both", "f'{1:>{10**9}}'", {}),
        ("both", "'%.*f' % (10**8, 1.0)", {}),
        ("both", "('a' * 10**6).translate({97: 'x' * 1000})", {}),
        ("both", "'x' * 10**10", {}),
        ("both", "','.join(['x' * 10**6] * 100)", {}),
        ("both", "'%s%s' % ('x' * 6 * 10**6, 'y' * 6 * 10**6)", {}),
        ("both", "('x' * 10**6).replace('x', 'yyyyyyyyyyyyyyyyyyyyyy')", {}),
        ("both", "('a,' * 4 * 10**6).split(',')", {}),
        ("both", "('a ' * 4 * 10**6).split()", {}),
        ("both", "('a\\n' * 4 * 10**6).splitlines()", {}),
        ("both", "str.rsplit('a;' * 4 * 10**6, ';')", {}),
    ],
    "render": [
        ("both", "str([['x' * 1000] * 1000] * 1000)", {}),
        ("both", "repr([['x' * 1000] * 1000] * 1000)", {}),
        ("both", "'%s' % ([['x' * 1000] * 1000] * 1000,)", {}),
        ("both", "'%r|%r' % ('x' * 6 * 10**6, 'y' * 6 * 10**6)", {}),
        ("both", "'%(a)s' % {'a': [['x' * 1000] * 1000] * 1000}", {}),
        ("both", "f'{[[\"x\" * 1000] * 1000] * 1000}'", {}),
        ("both", 'f\'{"x" * 6 * 10**6!r}{"y" * 6 * 10**6!r}\'', {}),
        ("both", "f'{[1] * 10**6!r:>100000000}'", {}),
        ("both", "f'{1:{\"9\" * 5000}}'", {}),
        ("both", "','.join(['x' * 100] * 10**6)", {}),
        ("both", "[[1] * 1000] * 10**7", {}),
        ("both", "(1, 2) * 10**9", {}),
        ("both", "b'xy' * 10**9", {}),
        ("both", "'x'.ljust(10**9)", {}),
        ("both", "'x'.zfill(10**9)", {}),
        ("both", "('\\t' * 10**6).expandtabs(10**4)", {}),
        ("both", "('a' * 10**6).translate(['x' * 1000] * 256)", {}),
        ("both", "str([10**4000] * 10**5)", {}),
        ("exec", "x = [['x' * 1000] * 1000] * 1000\nprint(x)", {}),
        ("exec", "s = 'x' * 9 * 10**6\nt = f'{s}{s}'", {}),
    ],
    "iterators": [
        ("exec", NEST.format(call="zip(it)"), {}),
        ("exec", NEST.format(call="map(abs, it)"), {}),
        ("exec", NEST.format(call="filter(None, it)"), {}),
        ("exec", NEST.format(call="enumerate(it)"), {}),
        ("exec", "it = range(3)\nfor i in range(300000):\n    it = (x for x in it)\nlist(it)", {}),
        ("both", "len(list(zip(*[range(10**6)] * 1000)))", {}),
        ("both", "sorted(map(abs, range(10**8)))", {}),
    ],
    "data": [
        ("exec", "g = (x for x in [1])", {}),
        ("exec", "r = range(5)", {}),
        ("exec", "b = 'x'.encode()", {}),
        ("exec", "e = ValueError('x')", {}),
        ("exec", "n = math", {}),
        ("exec", "d = []\nfor i in range(100000):\n    d = [d]", {}),
        ("exec", "d = {1: 2}", {}),
        ("exec", "f = float('nan')", {}),
        ("exec", "f = [1.0, {'x': float('-inf')}]", {}),
        ("exec", "f = 1e308 * 10", {}),
        ("exec", "n = 3 ** 9000", {}),
        ("exec", "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000", {}),
        ("eval", "(x for x in [1])", {}),
        ("eval", "'x'.encode()", {}),
        ("eval", "math", {}),
    ],
    "loops": [
        ("exec", "while True: pass", {}),
        ("exec", "try:\n    while True: pass\nexcept Exception:\n    pass", {}),
        ("both", "[i for i in range(10**6) for j in range(10**6)]", {}),
        ("exec", "def f(n):\n    f(n + 1)\nf(0)", {}),
        ("both", "sum(sum(range(10**6)) for i in range(10**6))", {}),
    ],
    "shadowing": [
        ("exec", "while True: pass", {"_now_": 0, "_checkpoint_": None, "_next_check_": 1e300}),
        ("both", "[i for i in range(10**6) for j in range(10**6)]", {"_next_check_": 1e300}),
        ("both", "'x'.center(10**9)", {"_getattr_": None}),
        ("both", "10 ** 10**7", {"_pow_": None, "_mul_": None}),
        ("both", "'x' * 10**10", {"_mul_": None, "__builtins__": {}}),
    ],
}


def _run(kind: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from engine.sandbox.scripting import SandboxedEnvironment

    env = SandboxedEnvironment(time_limit=1.0)
    for mode, source, data in PAYLOADS[kind]:
        for place in ("exec", "eval") if mode == "both" else (mode,):
            text = f"x = {source}" if mode == "both" and place == "exec" else source
            context = dict(data)
            started = time.perf_counter()
            try:
                if place == "exec":
                    env.execute(text, context)
                else:
                    env.evaluate(text, context)
                outcome = "ok"
            except Exception as exc:  # every refusal is an Exception; the caller checks which
                outcome = type(exc).__name__
            elapsed = time.perf_counter() - started
            left = sorted(k for k in context if k.startswith("_"))
            line = {"source": text[:80], "place": place, "outcome": outcome, "s": elapsed, "private": left}
            print(json.dumps(line))
            sys.stdout.flush()


if __name__ == "__main__":
    _run(sys.argv[1])
