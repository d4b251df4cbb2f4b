"""The one sandboxed script engine for every script, condition, timer, correlation and DMN cell.

SpiffWorkflow's own engine runs ``exec``/``eval`` with full builtins. Ravand compiles every piece of
Python with RestrictedPython instead: no imports, no names or attributes starting with ``_``, no
frame or code objects, no ``eval``/``exec``/``open``/``type``/``getattr``; only an allow-list of
helpers. Running time is bounded by a trace function, recursion depth and the size of what ``*``,
``**``, ``<<`` and ``range`` may build are bounded too.
"""

from __future__ import annotations

import ast
import builtins
import math
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from types import SimpleNamespace

from RestrictedPython import RestrictingNodeTransformer, compile_restricted, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from RestrictedPython.PrintCollector import PrintCollector
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

DEFAULT_TIME_LIMIT = 2.0
MAX_SIZE = 10_000_000
MAX_DEPTH = 100
_FORBIDDEN_ATTRS = {"format", "format_map", "mro", "ljust", "rjust", "center", "zfill", "expandtabs"}
_FORBIDDEN_PREFIXES = ("_", "gi_", "cr_", "ag_", "f_", "tb_", "co_", "func_")


class ScriptTimeout(Exception):
    """A script ran longer than its time limit."""


class ScriptResourceError(Exception):
    """A script tried to build something too large or to recurse too deep."""


@dataclass(frozen=True)
class ScriptProblem:
    line: int | None
    message: str


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's rules, plus size guards on ``*``, ``**`` and ``<<``."""

    _GUARDED = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "imports are not allowed")
        return node

    visit_ImportFrom = visit_Import

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = self._GUARDED.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_guard_", ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        if type(node.op) in self._GUARDED and isinstance(node.target, ast.Name):
            binop = ast.fix_missing_locations(
                ast.copy_location(ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value), node)
            )
            assign = ast.Assign(
                targets=[ast.Name(node.target.id, ast.Store())], value=self.visit_BinOp(binop)
            )
            return ast.fix_missing_locations(ast.copy_location(assign, node))
        return super().visit_AugAssign(node)


def _binop_guard(symbol: str, a, b):
    if symbol == "*":
        for seq, n in ((a, b), (b, a)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_SIZE:
                raise ScriptResourceError("the result would be too large")
        return a * b
    if symbol == "**":
        big = (
            isinstance(a, int)
            and isinstance(b, int)
            and abs(a) > 1
            and b > 0
            and b * math.log2(abs(a)) > 65536
        )
        if big:
            raise ScriptResourceError("the number would be too large")
        return a**b
    if isinstance(b, int) and b > 64 * 1024:
        raise ScriptResourceError("the shift is too large")
    return a << b


def _guarded_getattr(obj, name, default=None):
    if name in _FORBIDDEN_ATTRS or name.startswith(_FORBIDDEN_PREFIXES):
        raise AttributeError(f"access to '{name}' is not allowed")
    return safer_getattr(obj, name, default)


def _guarded_range(*args):
    result = range(*args)
    if len(result) > MAX_SIZE:
        raise ScriptResourceError("the range is too large")
    return result


def _guarded_write(obj):
    if isinstance(obj, (dict, list, SimpleNamespace)):
        return obj
    raise TypeError(f"cannot change a {type(obj).__name__}")


def _inplacevar(op: str, x, y):
    ops = {
        "+=": lambda: x + y,
        "-=": lambda: x - y,
        "*=": lambda: _binop_guard("*", x, y),
        "/=": lambda: x / y,
        "//=": lambda: x // y,
        "%=": lambda: x % y,
        "**=": lambda: _binop_guard("**", x, y),
    }
    if op not in ops:
        raise TypeError(f"the operator {op} is not allowed")
    return ops[op]()


_ALLOWED_BUILTINS = (
    "len",
    "min",
    "max",
    "sum",
    "sorted",
    "abs",
    "round",
    "any",
    "all",
    "enumerate",
    "zip",
    "list",
    "dict",
    "set",
    "tuple",
    "str",
    "int",
    "float",
    "bool",
    "isinstance",
    "map",
    "filter",
    "reversed",
)
_BUILTINS = {
    **{
        k: v
        for k, v in {**safe_builtins, **limited_builtins}.items()
        if k not in ("setattr", "delattr", "__import__", "pow", "__build_class__")
    },
    **{name: getattr(builtins, name) for name in _ALLOWED_BUILTINS},
    "range": _guarded_range,
}

MATH = SimpleNamespace(
    **{n: getattr(math, n) for n in ("ceil", "floor", "sqrt", "fabs", "isclose", "pi", "e", "log")}
)


def _base_globals() -> dict:
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": _guarded_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _guarded_write,
        "_inplacevar_": _inplacevar,
        "_print_": PrintCollector,
        "_binop_guard_": _binop_guard,
        "datetime": datetime,
        "date": date,
        "timedelta": timedelta,
        "timezone": timezone,
        "math": MATH,
    }


@lru_cache(maxsize=2048)
def _compile(source: str, mode: str):
    """Compile once per distinct source: the same gateway condition runs thousands of times."""
    return compile_restricted(source, filename="<string>", mode=mode, policy=_Policy)


def check_source(source: str, mode: str) -> list[ScriptProblem]:
    """Problems that keep a script or expression from compiling in the sandbox (empty if none)."""
    try:
        _compile(source, mode)
    except SyntaxError as exc:
        return _problems_from(exc)
    return []


def _problems_from(exc: SyntaxError) -> list[ScriptProblem]:
    messages = exc.args[0] if exc.args and isinstance(exc.args[0], tuple) else (exc.msg,)
    problems = []
    for message in messages:
        line = exc.lineno
        if isinstance(message, str) and message.startswith("Line "):
            head, _, rest = message.partition(": ")
            line, message = int(head.split()[1]), rest
        problems.append(ScriptProblem(line, message))
    return problems


class _Limits:
    """A trace function that stops a script after its deadline or at too deep a recursion."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.depth = 0
        self.events = 0

    def __call__(self, frame, event, arg):
        if event == "call":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ScriptResourceError("the script recursed too deep")
        elif event == "return":
            self.depth -= 1
        self.events += 1
        if self.events % 256 == 0 and time.monotonic() > self.deadline:
            raise ScriptTimeout("the script ran longer than its time limit")
        return self


def run_limited(function, seconds: float):
    previous = sys.gettrace()
    sys.settrace(_Limits(seconds))
    try:
        return function()
    finally:
        sys.settrace(previous)


class SandboxedEnvironment(TaskDataEnvironment):
    def __init__(self, helpers: dict | None = None, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        super().__init__({**_base_globals(), **(helpers or {})})
        self.time_limit = time_limit

    def evaluate(self, expression, context, external_context=None):
        code = _compile(expression, "eval")
        scope = {**self.globals, **(external_context or {}), **context}
        return run_limited(lambda: eval(code, scope), self.time_limit)

    def execute(self, script, context, external_context=None):
        code = _compile(script, "exec")
        self.check_for_overwrite(context, external_context or {})
        context.update({**self.globals, **(external_context or {})})
        try:
            run_limited(lambda: exec(code, context), self.time_limit)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


class SandboxedScriptEngine(PythonScriptEngine):
    def __init__(self, environment: SandboxedEnvironment | None = None) -> None:
        super().__init__(environment or SandboxedEnvironment())

    def validate(self, expression):
        _compile(expression, "eval")


def make_script_engine(
    helpers: dict | None = None, time_limit: float = DEFAULT_TIME_LIMIT
) -> SandboxedScriptEngine:
    return SandboxedScriptEngine(SandboxedEnvironment(helpers, time_limit))
