"""Every class of hostile payload, in every place a script lives, is refused: each payload runs in a
child process (a crash would be seen, not suffered), which must end cleanly with every payload
refused by a sandbox error (never completed) and no ``_`` name of the sandbox left in the data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("sandbox_payloads.py")
sys.path.insert(0, str(RUNNER.parent))

from sandbox_payloads import PAYLOADS  # noqa: E402

EXPECTED = {
    "bigint": {"ScriptResourceError"},
    "text": {"ScriptResourceError", "ValueError"},  # ValueError: CPython's own 4300-digit str(int) limit
    "render": {"ScriptResourceError"},
    "iterators": {"ScriptResourceError", "ScriptTimeout"},
    "data": {"ScriptDataError", "ScriptResourceError", "ScriptTimeout"},  # a deep build may time out
    "loops": {"ScriptTimeout", "ScriptResourceError"},
    "shadowing": {"ScriptTimeout", "ScriptResourceError", "ScriptCompileError"},
}


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_each_payload_of_the_class_is_refused_without_harm_to_the_process(kind):
    done = subprocess.run([sys.executable, str(RUNNER), kind], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]  # no segfault, no MemoryError, no traceback
    results = [json.loads(line) for line in done.stdout.splitlines()]
    expected_runs = sum(2 if mode == "both" else 1 for mode, _, _ in PAYLOADS[kind])
    assert len(results) == expected_runs
    assert len(PAYLOADS[kind]) >= 5
    for result in results:
        assert result["outcome"] in EXPECTED[kind], result
        if result["place"] == "exec":
            assert result["private"] == [], result


def test_every_place_a_script_lives_is_covered():
    places = {mode for payloads in PAYLOADS.values() for mode, _, _ in payloads}
    assert places == {"exec", "eval", "both"}


def test_an_audit_row_keeps_only_the_size_of_huge_data():
    from engine.audit import MAX_AUDIT_CHARS, _capped

    assert _capped({"a": 1}) == {"a": 1}
    capped = _capped({"big": "x" * (MAX_AUDIT_CHARS + 1), "b": 2})
    assert capped["truncated"] and capped["keys"] == ["b", "big"] and capped["chars"] > MAX_AUDIT_CHARS


def test_helper_namespaces_cannot_be_changed():
    from engine.sandbox.helpers import MATH

    with pytest.raises(AttributeError):
        MATH.pi = 3
    with pytest.raises(AttributeError):
        del MATH.sqrt


@pytest.mark.parametrize(
    "source",
    [
        "f'a{1}b{2!r:>5}c{\"x\"!s}{3:{4}}{{}}'",
        "f'{1.5:.3f}|{datetime(2020, 1, 2):%Y-%m}|{[1, \"a\"]}|{None}|{10**40:,}'",
        "'%s-%r-%5d-%(a)s' % {'a': [1]} if False else '%s-%r-%5d' % ('a', 'b', 3)",
        "str([1, 'a\\n', (2.5,), {'k': None}]) + repr('x') + str(b'y')",
    ],
)
def test_formatting_within_the_limits_gives_what_python_gives(source):
    import datetime

    from engine.sandbox.scripting import SandboxedEnvironment

    assert SandboxedEnvironment().evaluate(source, {}) == eval(source, {"datetime": datetime.datetime})


def test_the_estimate_of_a_text_is_never_below_its_real_length():
    import datetime

    from engine.sandbox.render import repr_size

    cyclic: list = [1]
    cyclic.append(cyclic)
    values = [
        [1, -2, 10**50, True, None, 1e-308, complex(1, 2)],
        {"a": [1.5, (1,), {3}, frozenset({2})], "b": {}},
        ["x\n", "\x00" * 100, "ی" * 100, "'\\" * 40, b"ab", b"\xff" * 70, datetime.date(2020, 1, 1)],
        ValueError("boo", [2]),
        cyclic,
    ]
    for value in values:
        assert repr_size(value) >= len(repr(value)), value
