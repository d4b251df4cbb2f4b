"""The one sandboxed script engine for every script, condition, timer, correlation and DMN cell.

SpiffWorkflow's own engine runs ``exec``/``eval`` with full builtins. Ravand compiles every piece of
Python with RestrictedPython and a stricter policy instead:

* no imports, no class definitions, no ``with`` or ``finally`` blocks, no names or attributes starting
  with ``_``, no frame/code/generator internals, no ``str.format``/``format_map``/``mro``, no
  ``eval``/``exec``/``compile``/``globals``/``vars``/``getattr``/``setattr``; ``open``, ``type``,
  ``object``, ``dir``, ``help`` ... simply do not exist;
* only an allow-list of builtins and helpers (``datetime``, ``date``, ``timedelta``, ``timezone``,
  a ``math`` namespace, a few string/list helpers, and whatever the caller injects as ``helpers``);
* a time limit per evaluation: a trace function (installed only for the call, the previous one is put
  back) bounds the nesting depth of sandboxed calls and checks the clock at each of them, and the
  policy puts a cheap clock check into every ``while``/``for`` loop and comprehension (CPython 3.11
  emits no 'line' events for a one-line ``while True: pass``, so line counting could not stop it);
  every CHECK_INTERVAL seconds these checks also compare the growth of resident memory to a limit;
* size guards: ``*``, ``**``, ``<<``, ``+``, ``%``, ``range``, ``pow``, ``sum``, f-string format specs,
  the padding/replace/join methods of ``str``/``bytes``, ``list.extend``, slice assignment and ``*x``
  in displays refuse to build strings, lists or integers beyond fixed limits;
* after a script, task data whose expanded size is absurd (e.g. exponentially shared lists that would
  explode when serialized) is removed and refused.

A violation raises an internal ``BaseException`` inside the sandbox, so scripts cannot swallow it with
``except Exception``; at the boundary it becomes one of the public exceptions below (all ``Exception``
subclasses), which ``SandboxedScriptEngine`` turns into SpiffWorkflow's ``WorkflowTaskException``.

Residual risks, inherent to an in-process sandbox: one C-level operation cannot be interrupted (e.g.
``repr`` or ``==`` of huge, heavily shared nested lists), and hashing a tuple nested ~150,000 deep
overflows CPython's C stack (a segfault; such a tuple takes a loop of a fraction of a second to
build). Run workers under a supervisor that restarts them and fails the job, as a backstop.
"""

from __future__ import annotations

import ast
import math
import operator
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as time_of_day
from functools import lru_cache
from types import CodeType, FrameType, ModuleType, SimpleNamespace
from typing import Any

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, copy_locations
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.calendar.jalali import to_latin_digits, to_persian_digits

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_TIME_LIMIT",
    "SANDBOX_FILENAME",
    "SandboxPolicy",
    "SandboxedEnvironment",
    "SandboxedScriptEngine",
    "ScriptCompileError",
    "ScriptProblem",
    "ScriptResourceError",
    "ScriptSandboxError",
    "ScriptSecurityError",
    "ScriptTimeout",
    "check_data_size",
    "check_source",
    "compile_sandboxed",
    "make_script_engine",
]

#: SpiffWorkflow finds the failing line through traceback frames with this file name.
SANDBOX_FILENAME = "<string>"
DEFAULT_TIME_LIMIT = 2.0
DEFAULT_MAX_DEPTH = 100
COMPILE_CACHE_SIZE = 1024

MAX_SOURCE_LEN = 100_000  # characters of one script or expression
MAX_STR_LEN = 10_000_000  # characters (or bytes) of one string built by a script
MAX_ITEMS = 1_000_000  # elements of one list/tuple built by a script, and of a range
MAX_INT_BITS = 100_000  # bits of an integer built by *, ** or <<
MAX_FORMAT_WIDTH = 10_000  # width/precision in f-string specs and %-formatting
MAX_PRINT_CHARS = 100_000  # text kept from print() calls
MAX_DATA_NODES = 1_000_000  # expanded values in one task-data variable after a script
MAX_DATA_CHARS = 50_000_000  # expanded characters in one task-data variable after a script
DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024  # growth of the process's resident memory during one evaluation
CHECK_INTERVAL = 0.01  # seconds between checks of the deadline and memory from inside loops

_now = time.monotonic


# --- Exceptions and problems -------------------------------------------------------------------------


class ScriptSandboxError(Exception):
    """A script broke a rule of the sandbox at run time."""


class ScriptTimeout(ScriptSandboxError):
    """A script or expression ran longer than its time limit."""


class ScriptResourceError(ScriptSandboxError):
    """A script tried to build something too large or to nest calls too deep."""


class ScriptSecurityError(ScriptSandboxError):
    """A script tried something the sandbox forbids (seen only at run time)."""


@dataclass(frozen=True)
class ScriptProblem:
    """Why a script or expression is refused; ``line`` counts from 1 within the source."""

    line: int | None
    message: str


class ScriptCompileError(SyntaxError):
    """A script or expression does not compile under the sandbox rules (a ``SyntaxError``)."""

    def __init__(self, problems: Sequence[ScriptProblem], source: str = "") -> None:
        self.problems: tuple[ScriptProblem, ...] = tuple(problems)
        first = self.problems[0] if self.problems else ScriptProblem(None, "does not compile")
        lines = source.splitlines()
        text = lines[first.line - 1] if first.line and 0 < first.line <= len(lines) else None
        message = "; ".join(
            p.message if p.line is None else f"line {p.line}: {p.message}" for p in self.problems
        )
        super().__init__(message or first.message, (SANDBOX_FILENAME, first.line or 0, 0, text))


class _Abort(BaseException):
    """Carries a ScriptSandboxError out of the sandbox; ``except Exception`` in a script cannot stop it."""

    def __init__(self, error: ScriptSandboxError) -> None:
        super().__init__(error)
        self.error = error


def _too_big(message: str) -> _Abort:
    return _Abort(ScriptResourceError(message))


def _forbidden(message: str) -> _Abort:
    return _Abort(ScriptSecurityError(message))


# --- Compile-time policy -----------------------------------------------------------------------------

#: Refused at compile time. Names such as open, type, object, dir, help, input or id are not refused
#: (they are plausible task-data keys) but do not exist in the sandbox.
_DENIED_NAMES = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "globals",
        "locals",
        "vars",
        "getattr",
        "setattr",
        "delattr",
        "memoryview",
        "super",
        "BaseException",
        "SystemExit",
        "KeyboardInterrupt",
        "GeneratorExit",
        "exit",
        "quit",
    }
)
_DENIED_ATTRIBUTES = frozenset({"format", "format_map", "mro"})
_BINOP_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}
_LINE_RE = re.compile(r"^Line (\d+|None): (.*)$", re.DOTALL)


def _name(identifier: str) -> ast.Name:
    return ast.Name(identifier, ast.Load())


def _call(function: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_name(function), args=list(args), keywords=[])


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's rules, tightened, plus deadline checks in loops and size guards on operators."""

    def _deadline_check(self, where: ast.AST) -> ast.expr:
        """``_now_() < _next_check_ or _checkpoint_()``: true, but every few ms the host checks the limits."""
        check = ast.BoolOp(
            op=ast.Or(),
            values=[
                ast.Compare(left=_call("_now_"), ops=[ast.Lt()], comparators=[_name("_next_check_")]),
                _call("_checkpoint_"),
            ],
        )
        ast.copy_location(check, where)
        return ast.fix_missing_locations(check)

    def _deadline_statement(self, where: ast.stmt) -> ast.stmt:
        statement = ast.Expr(self._deadline_check(where))
        ast.copy_location(statement, where)
        return statement

    # names and attributes

    def check_name(self, node: Any, name: str | None, allow_magic_methods: bool = False) -> None:
        before = len(self.errors)
        super().check_name(node, name, allow_magic_methods)
        if name not in _DENIED_NAMES or len(self.errors) > before:
            return
        lineno = getattr(node, "lineno", None)
        last = self.errors[-1] if self.errors else ""
        if name in ("exec", "eval") and last == f"Line {lineno}: {name.capitalize()} calls are not allowed.":
            return  # RestrictedPython already said so
        self.error(node, f'"{name}" is not available in scripts.')

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in _DENIED_ATTRIBUTES:
            self.error(node, f'"{node.attr}" is not allowed (use f-strings or %-formatting).')
        return super().visit_Attribute(node)

    # statements that are refused outright

    def visit_Import(self, node: ast.Import) -> Any:
        self.error(node, "import statements are not allowed: no modules are available in scripts.")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.error(node, "import statements are not allowed: no modules are available in scripts.")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.error(node, "class definitions are not allowed.")
        return node

    def visit_With(self, node: ast.With) -> Any:
        self.error(node, "with statements are not allowed.")
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        if node.finalbody:
            self.error(node, "finally blocks are not allowed.")
        return self.node_contents_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        node = super().visit_ExceptHandler(node)
        # A bare ``except:`` catches what ``except Exception:`` catches; every caught class is checked.
        guarded = _call("_exc_guard_", *([] if node.type is None else [node.type]))
        copy_locations(guarded, node.type or node)
        node.type = guarded
        return node

    # loops get a deadline check

    def visit_While(self, node: ast.While) -> Any:
        node = self.node_contents_visit(node)
        node.body.insert(0, self._deadline_statement(node))
        return node

    def visit_For(self, node: ast.For) -> Any:
        node = super().visit_For(node)
        node.body.insert(0, self._deadline_statement(node))
        return node

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        node = super().visit_comprehension(node)
        node.ifs.insert(0, self._deadline_check(node.iter))
        return node

    # size guards

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = _call(guard, node.left, node.right)
        copy_locations(call, node)
        return call

    def _guard_starred(self, node: ast.List | ast.Tuple | ast.Set) -> Any:
        node = self.node_contents_visit(node)
        if isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    value = _call("_star_guard_", element.value)
                    copy_locations(value, element.value)
                    element.value = value
        return node

    def visit_List(self, node: ast.List) -> Any:
        return self._guard_starred(node)

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return self._guard_starred(node)

    def visit_Set(self, node: ast.Set) -> Any:
        return self._guard_starred(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        node = self.node_contents_visit(node)
        call = _call("_fstring_guard_", node)
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node.value = self.visit(node.value)
        if node.format_spec is None:
            return node
        spec = node.format_spec  # a JoinedStr: visit its parts, but keep it a JoinedStr
        if isinstance(spec, ast.JoinedStr):
            spec.values = [self.visit(value) for value in spec.values]
        else:  # pragma: no cover - CPython always builds a JoinedStr here
            spec = self.visit(spec)
        call = _call("_format_guard_", node.value, ast.Constant(node.conversion), spec)
        copy_locations(call, node.value)
        node.value = call
        node.conversion = -1
        node.format_spec = None
        return node


# --- Compilation (cached) ------------------------------------------------------------------------------


def _problems_from(errors: Iterable[str]) -> tuple[ScriptProblem, ...]:
    problems = []
    for error in errors:
        match = _LINE_RE.match(error)
        if match is None:
            problems.append(ScriptProblem(None, error))
        else:
            line = None if match.group(1) == "None" else int(match.group(1))
            problems.append(ScriptProblem(line, match.group(2)))
    return tuple(problems)


@lru_cache(maxsize=COMPILE_CACHE_SIZE)
def _compile_cached(source: str, mode: str) -> tuple[CodeType | None, tuple[ScriptProblem, ...]]:
    """(code, ()) or (None, problems); failures are cached too (DMN re-validates cells on every run)."""
    if len(source) > MAX_SOURCE_LEN:
        return None, (ScriptProblem(None, f"longer than {MAX_SOURCE_LEN} characters"),)
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    try:
        result = compiler(source, filename=SANDBOX_FILENAME, policy=SandboxPolicy)
    except SyntaxError as exc:  # raised by the final compile() step, e.g. 'return' outside function
        return None, (ScriptProblem(exc.lineno, f"SyntaxError: {exc.msg}"),)
    except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
        return None, (ScriptProblem(None, f"cannot be compiled: {type(exc).__name__}: {exc}"),)
    if result.errors or result.code is None:
        return None, _problems_from(result.errors) or (ScriptProblem(None, "does not compile"),)
    return result.code, ()


def _check_mode(source: object, mode: str) -> None:
    if mode not in ("exec", "eval"):
        raise ValueError(f"mode must be 'exec' or 'eval', not {mode!r}")
    if not isinstance(source, str):
        raise TypeError(f"a script must be a str, not {type(source).__name__}")


def check_source(source: str, mode: str) -> list[ScriptProblem]:
    """Why ``source`` does not compile under the sandbox rules; an empty list means it does.

    ``mode`` is ``'exec'`` for scripts and ``'eval'`` for expressions (conditions, timers, DMN cells).
    """
    _check_mode(source, mode)
    return list(_compile_cached(source, mode)[1])


def compile_sandboxed(source: str, mode: str) -> CodeType:
    """The sandboxed code object for ``source`` (cached); raises ``ScriptCompileError`` if refused."""
    _check_mode(source, mode)
    code, problems = _compile_cached(source, mode)
    if code is None:
        raise ScriptCompileError(problems, source)
    return code


# --- Run-time guards ---------------------------------------------------------------------------------

_TEXT = (str, bytes)
_SEQUENCES = (str, bytes, list, tuple)
_SIZED = (str, bytes, list, tuple, dict, set, frozenset, range)


def _limit_for(value: object) -> int:
    return MAX_STR_LEN if isinstance(value, _TEXT) else MAX_ITEMS


def _check_result_size(size: int, like: object) -> None:
    limit = _limit_for(like)
    if size > limit:
        what = "characters in a string" if isinstance(like, _TEXT) else "elements in a sequence"
        raise _too_big(f"that would make {size} {what}; the limit is {limit}")


def _check_text(result: Any) -> Any:
    if isinstance(result, _TEXT) and len(result) > MAX_STR_LEN:
        raise _too_big(f"the string would have {len(result)} characters; the limit is {MAX_STR_LEN}")
    return result


def _check_int_bits(bits: float) -> None:
    if bits > MAX_INT_BITS:
        raise _too_big(f"the number would have about {int(bits)} bits; the limit is {MAX_INT_BITS}")


def _check_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_result_size(len(a) + len(b), a)


def _check_mul(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int):
        _check_int_bits(a.bit_length() + b.bit_length())
    elif isinstance(a, _SEQUENCES) and isinstance(b, int):
        _check_result_size(len(a) * b, a)
    elif isinstance(b, _SEQUENCES) and isinstance(a, int):
        _check_result_size(len(b) * a, b)


def _check_pow(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int) and b > 1 and abs(a) > 1:
        _check_int_bits(b * math.log2(abs(a)))


def _check_lshift(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int) and a and b > 0:
        _check_int_bits(a.bit_length() + b)


_PRINTF_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS_RE = re.compile(r"\d+")


def _check_width(digits: str) -> None:
    if len(digits) > 6 or int(digits) > MAX_FORMAT_WIDTH:
        raise _too_big(f"a format width or precision of {digits[:12]} is above {MAX_FORMAT_WIDTH}")


def _check_mod(a: Any, b: Any) -> None:
    if not isinstance(a, _TEXT):
        return
    text = a if isinstance(a, str) else a.decode("latin-1")
    star = False
    for match in _PRINTF_RE.finditer(text):
        for group in match.groups():
            if group == "*":
                star = True
            elif group:
                _check_width(group)
    if star:
        for arg in b if isinstance(b, tuple) else (b,):
            if isinstance(arg, int) and abs(arg) > MAX_FORMAT_WIDTH:
                raise _too_big(f"a format width of {arg} is above {MAX_FORMAT_WIDTH}")


def _add_(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_result_size(len(a) + len(b), a)
    return a + b


def _mul_(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            _check_int_bits(a.bit_length() + b.bit_length())
    elif isinstance(a, _SEQUENCES) or isinstance(b, _SEQUENCES):
        _check_mul(a, b)
    return a * b


def _pow_(a: Any, b: Any) -> Any:
    _check_pow(a, b)
    return a**b


def _lshift_(a: Any, b: Any) -> Any:
    _check_lshift(a, b)
    return a << b


def _mod_(a: Any, b: Any) -> Any:
    if not isinstance(a, _TEXT):
        return a % b
    _check_mod(a, b)
    return _check_text(a % b)


# Guards are inlined for the common operators: every Python-level call made while the sandbox runs
# also costs a call of the trace function.
_INPLACE_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "*=": _check_mul,
    "%=": _check_mod,
    "**=": _check_pow,
    "<<=": _check_lshift,
}
_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
    "@=": operator.imatmul,
}


def _inplacevar_(op: str, target: Any, value: Any) -> Any:
    if op == "+=":
        if isinstance(target, _SEQUENCES) and isinstance(value, _SEQUENCES):
            _check_result_size(len(target) + len(value), target)
        target += value
        return target
    if op == "-=":
        target -= value
        return target
    check = _INPLACE_CHECKS.get(op)
    if check is not None:
        check(target, value)
    result = _INPLACE_OPS[op](target, value)
    if isinstance(result, _TEXT) and len(result) > MAX_STR_LEN:
        _check_text(result)
    return result


def _star_guard_(value: Any) -> Any:
    if isinstance(value, _SIZED) and len(value) > MAX_ITEMS:
        raise _too_big(f"unpacking {len(value)} elements; the limit is {MAX_ITEMS}")
    return value


def _fstring_guard_(text: str) -> str:
    return _check_text(text)


def _format_guard_(value: Any, conversion: int, spec: str) -> str:
    if conversion == ord("s"):
        value = str(value)
    elif conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("a"):
        value = ascii(value)
    if not isinstance(value, (date, time_of_day)):  # those take strftime directives, bounded by CPython
        for digits in _DIGITS_RE.findall(spec):
            _check_width(digits)
    return _check_text(format(value, spec))


def _exc_guard_(spec: Any = None) -> Any:
    """What an ``except`` clause may catch: classes derived from Exception (bare ``except`` = Exception)."""
    if spec is None:
        return Exception
    for cls in spec if isinstance(spec, tuple) else (spec,):
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            raise _forbidden(f"scripts may only catch exceptions derived from Exception, not {cls!r}")
    return spec


def _range_(*args: Any) -> range:
    result = range(*args)
    try:
        size = len(result)
    except OverflowError:
        size = MAX_ITEMS + 1
    if size > MAX_ITEMS:
        raise _too_big(f"range() of more than {MAX_ITEMS} numbers")
    return result


def _pow_builtin(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        return _pow_(base, exp)
    return pow(base, exp, mod)


def _round_(number: Any, ndigits: Any = None) -> Any:
    if isinstance(number, int) and isinstance(ndigits, int) and ndigits < -MAX_FORMAT_WIDTH:
        raise _too_big(f"round() to {ndigits} digits")
    return round(number) if ndigits is None else round(number, ndigits)


def _sum_(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    if not isinstance(start, (list, tuple)):
        return sum(iterable, start)  # numbers, timedeltas...; sum() itself refuses str and bytes
    kind = type(start)
    parts = list(start)
    for item in iterable:  # linear, unlike repeated +
        if not isinstance(item, kind):
            raise TypeError(f"can only concatenate {kind.__name__} (not {type(item).__name__!r})")
        _check_result_size(len(parts) + len(item), parts)
        parts.extend(item)
    return parts if kind is list else tuple(parts)


def _apply_(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def _getitem_(obj: Any, key: Any) -> Any:
    return obj[key]


class _ListWriter:
    """What ``_write_`` hands out for a list: item and slice assignment with a size check."""

    __slots__ = ("target",)

    def __init__(self, target: list) -> None:
        object.__setattr__(self, "target", target)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("scripts cannot set attributes of lists")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("scripts cannot delete attributes of lists")

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice) and isinstance(value, _SIZED):
            _check_result_size(len(self.target) + len(value), self.target)
        self.target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self.target[key]


def _write_(obj: Any) -> Any:
    """Scripts may change items of dicts and lists (task data), nothing else."""
    if isinstance(obj, list):
        return _ListWriter(obj)
    if isinstance(obj, dict):
        return obj
    raise TypeError(f"scripts cannot change attributes or items of {type(obj).__name__} objects")


def _arg(args: tuple, kwargs: dict, index: int, name: str, default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _check_text_call(name: str, text: str | bytes, args: tuple, kwargs: dict) -> None:
    """Refuse str/bytes method calls whose result would be too large, before building it."""
    if name in ("ljust", "rjust", "center", "zfill"):
        width = _arg(args, kwargs, 0, "width")
        if isinstance(width, int) and width > MAX_STR_LEN:
            raise _too_big(f"{name}() to {width} characters; the limit is {MAX_STR_LEN}")
    elif name == "expandtabs":
        size = _arg(args, kwargs, 0, "tabsize", 8)
        if isinstance(size, int) and size > 0:
            tab = "\t" if isinstance(text, str) else b"\t"
            _check_result_size(len(text) + text.count(tab) * size, text)
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        if isinstance(old, type(text)) and isinstance(new, type(text)):
            count = text.count(old) if old else len(text) + 1
            limit = _arg(args, kwargs, 2, "count", -1)
            if isinstance(limit, int) and limit >= 0:
                count = min(count, limit)
            _check_result_size(len(text) + count * (len(new) - len(old)), text)
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, _TEXT)), default=1)
        _check_result_size(len(text) * max(longest, 1), text)


def _text_method(receiver: str | bytes | None, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a str/bytes method (bound to ``receiver``, or unbound if None) with size checks."""

    def call(*args: Any, **kwargs: Any) -> Any:
        if receiver is None:
            if not args or not isinstance(args[0], _TEXT):
                return method(*args, **kwargs)  # let Python raise its own TypeError
            text, rest = args[0], args[1:]
        else:
            text, rest = receiver, args
        if name == "join" and rest:
            items = rest[0] if isinstance(rest[0], (list, tuple)) else list(rest[0])
            total = sum(len(item) for item in items if isinstance(item, _TEXT))
            _check_result_size(total + len(text) * max(len(items) - 1, 0), text)
            rest = (items, *rest[1:])
        else:
            _check_text_call(name, text, rest, kwargs)
        result = method(text, *rest, **kwargs) if receiver is None else method(*rest, **kwargs)
        return _check_text(result)

    return call


def _list_extend(receiver: list | None, method: Callable[..., Any]) -> Callable[..., Any]:
    def extend(*args: Any) -> Any:
        target, rest = (args[0], args[1:]) if receiver is None and args else (receiver, args)
        if isinstance(target, list) and rest and isinstance(rest[0], _SIZED):
            _check_result_size(len(target) + len(rest[0]), target)
        return method(*args)

    return extend


def _int_to_bytes(receiver: int | None, method: Callable[..., Any]) -> Callable[..., Any]:
    def to_bytes(*args: Any, **kwargs: Any) -> Any:
        rest = args[1:] if receiver is None else args
        length = _arg(rest, kwargs, 0, "length", 1)
        if isinstance(length, int) and length > MAX_STR_LEN:
            raise _too_big(f"to_bytes() of {length} bytes; the limit is {MAX_STR_LEN}")
        return method(*args, **kwargs)

    return to_bytes


def _is_type_of(obj: Any, kinds: type | tuple[type, ...]) -> bool:
    return isinstance(obj, type) and issubclass(obj, kinds)


def _getattr_(obj: Any, name: str) -> Any:
    """Attribute access: no ``_`` names, no frame/code internals, no str.format, no modules."""
    if type(name) is not str:
        raise TypeError("attribute names must be str")
    if name.startswith("_") or name in _DENIED_ATTRIBUTES or name in INSPECT_ATTRIBUTES:
        raise _forbidden(f"the attribute {name!r} is not available in scripts")
    try:
        value = safer_getattr_raise(obj, name)
    except NotImplementedError as exc:  # format methods and string.Formatter
        raise _forbidden(str(exc)) from None
    if isinstance(value, ModuleType):
        raise _forbidden(f"the attribute {name!r} is a module")
    if not callable(value):
        return value
    if isinstance(obj, _TEXT):
        return _text_method(obj, name, value)
    if _is_type_of(obj, _TEXT):
        return _text_method(None, name, value)
    if name == "extend" and (isinstance(obj, list) or _is_type_of(obj, list)):
        return _list_extend(obj if isinstance(obj, list) else None, value)
    if name == "to_bytes" and (isinstance(obj, int) or _is_type_of(obj, int)):
        return _int_to_bytes(obj if isinstance(obj, int) else None, value)
    return value


class _PrintCollector(PrintCollector):
    """``print`` in scripts: keeps at most MAX_PRINT_CHARS characters (``printed`` reads them)."""

    def __init__(self, _getattr_: Any = None) -> None:
        super().__init__(_getattr_)
        self.size = 0

    def write(self, text: str) -> None:
        room = MAX_PRINT_CHARS - self.size
        if room > 0:
            self.txt.append(text[:room])
            self.size += min(len(text), room)


# --- Helpers available by name -----------------------------------------------------------------------

# fmt: off
_MATH_NAMES = (
    "pi", "e", "tau", "inf", "nan", "ceil", "floor", "trunc", "sqrt", "isqrt", "exp", "log", "log2",
    "log10", "pow", "fabs", "fmod", "copysign", "fsum", "gcd", "isclose", "isfinite", "isinf",
    "isnan", "degrees", "radians", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "hypot",
    "modf",
)
# fmt: on
MATH = SimpleNamespace(**{name: getattr(math, name) for name in _MATH_NAMES})

_SCALARS = (str, int, float, date, time_of_day, timedelta)


def first(items: Iterable[Any], default: Any = None) -> Any:
    """The first item, or ``default`` if there is none."""
    for item in items:
        return item
    return default


def last(items: Iterable[Any], default: Any = None) -> Any:
    """The last item, or ``default`` if there is none."""
    if isinstance(items, Sequence):
        return items[-1] if items else default
    result = default
    for result in items:  # noqa: B007
        pass
    return result


def unique(items: Iterable[Any]) -> list[Any]:
    """The items without repeats, in their first order (items must be hashable)."""
    return list(dict.fromkeys(items))


def flatten(items: Iterable[Any]) -> list[Any]:
    """One level of nesting removed: ``[[1, 2], 3, (4,)]`` becomes ``[1, 2, 3, 4]``."""
    result: list[Any] = []
    for item in items:
        if isinstance(item, (list, tuple, set, frozenset)):
            _check_result_size(len(result) + len(item), result)
            result.extend(item)
        else:
            _check_result_size(len(result) + 1, result)
            result.append(item)
    return result


def coalesce(*values: Any) -> Any:
    """The first value that is not None (None if all are)."""
    return next((value for value in values if value is not None), None)


def is_blank(value: Any) -> bool:
    """True for None, a string of only whitespace, and empty collections."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, _SIZED):
        return len(value) == 0
    return False


def join(items: Iterable[Any], sep: str = ", ") -> str:
    """Plain values (strings, numbers, dates) joined by ``sep``; None items are skipped."""
    parts = []
    for item in items:
        if item is None:
            continue
        if not isinstance(item, _SCALARS):
            raise TypeError(f"join() takes plain values, not {type(item).__name__}")
        parts.append(item if isinstance(item, str) else str(item))
    return _text_method(str(sep), "join", str(sep).join)(parts)


DEFAULT_HELPERS: dict[str, object] = {
    "datetime": datetime,
    "date": date,
    "timedelta": timedelta,
    "timezone": timezone,
    "math": MATH,
    "first": first,
    "last": last,
    "unique": unique,
    "flatten": flatten,
    "coalesce": coalesce,
    "is_blank": is_blank,
    "join": join,
    "to_ascii_digits": to_latin_digits,
    "to_persian_digits": to_persian_digits,
}

# fmt: off
_SAFE_BUILTIN_NAMES = (
    "None", "False", "True", "Ellipsis", "abs", "bool", "callable", "chr", "complex", "divmod",
    "float", "hash", "hex", "int", "isinstance", "issubclass", "len", "oct", "ord", "repr", "slice",
    "str",
)
# fmt: on
_SAFE_EXCEPTIONS = {
    name: value
    for name, value in safe_builtins.items()
    if isinstance(value, type) and issubclass(value, Exception)
}
_EXTRA_BUILTINS: dict[str, object] = {
    "all": all,
    "any": any,
    "bin": bin,
    "dict": dict,
    "enumerate": enumerate,
    "filter": filter,
    "frozenset": frozenset,
    "list": list,
    "map": map,
    "max": max,
    "min": min,
    "pow": _pow_builtin,
    "range": _range_,
    "reversed": reversed,
    "round": _round_,
    "set": set,
    "sorted": sorted,
    "sum": _sum_,
    "tuple": tuple,
    "zip": zip,
}
_GUARDS: dict[str, object] = {
    "_getattr_": _getattr_,
    "_getitem_": _getitem_,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _write_,
    "_inplacevar_": _inplacevar_,
    "_print_": _PrintCollector,
    "_apply_": _apply_,
    "_exc_guard_": _exc_guard_,
    "_add_": _add_,
    "_mul_": _mul_,
    "_pow_": _pow_,
    "_lshift_": _lshift_,
    "_mod_": _mod_,
    "_star_guard_": _star_guard_,
    "_fstring_guard_": _fstring_guard_,
    "_format_guard_": _format_guard_,
    "_now_": _now,
}
_IDENTIFIER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _validated_helpers(helpers: dict[str, object]) -> dict[str, object]:
    for name, value in helpers.items():
        if not isinstance(name, str) or not _IDENTIFIER_RE.match(name):
            raise ValueError(f"a helper name must be an identifier not starting with '_': {name!r}")
        if name in _DENIED_NAMES:
            raise ValueError(f"the helper name {name!r} is refused by the sandbox")
        if isinstance(value, ModuleType):
            raise TypeError(f"the helper {name!r} is a module; expose functions or a namespace instead")
    return dict(helpers)


# --- Task data size ----------------------------------------------------------------------------------


_CONTAINERS = (dict, list, tuple, set, frozenset)
_WEIGHTY = (dict, list, tuple, set, frozenset, str, bytes)


def _weighty_children(container: Any) -> list[Any]:
    items = [*container.keys(), *container.values()] if isinstance(container, dict) else container
    return [item for item in items if isinstance(item, _WEIGHTY)]


def _data_cost(value: Any) -> tuple[int, int]:
    """(values, characters) of ``value`` once expanded, as JSON would write it; a cycle is infinite.

    Shared containers are measured once (memoized by id), so the cost of the check is linear in the
    number of distinct containers and their items, however large the expansion.
    """
    infinite = (MAX_DATA_NODES + 1, MAX_DATA_CHARS + 1)
    if isinstance(value, _TEXT):
        return 1, len(value)
    if not isinstance(value, _CONTAINERS):
        return 1, 0
    done: dict[int, tuple[int, int]] = {}
    open_: set[int] = set()  # containers on the current path
    stack: list[tuple[Any, list[Any] | None]] = [(value, None)]
    while stack:
        container, children = stack.pop()
        key = id(container)
        if children is None:  # first visit: push the children, come back afterwards
            if key in done:
                continue
            if key in open_:
                return infinite
            open_.add(key)
            children = _weighty_children(container)
            stack.append((container, children))
            stack.extend((child, None) for child in children if isinstance(child, _CONTAINERS))
            continue
        open_.discard(key)
        size = len(container) * (2 if isinstance(container, dict) else 1)
        nodes, chars = 1 + size, 0
        for child in children:
            if isinstance(child, _TEXT):
                chars += len(child)
            else:
                child_nodes, child_chars = done[id(child)]
                nodes += child_nodes - 1
                chars += child_chars
        done[key] = (min(nodes, infinite[0]), min(chars, infinite[1]))
    return done[id(value)]


def _data_too_large(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float)):
        return False
    nodes, chars = _data_cost(value)
    return nodes > MAX_DATA_NODES or chars > MAX_DATA_CHARS


def _oversized_keys(data: dict[str, Any]) -> list[str]:
    return [key for key, value in data.items() if _data_too_large(value)]


def check_data_size(data: dict[str, Any], remove: bool = False) -> None:
    """Raise ``ScriptResourceError`` if a variable of ``data`` is absurdly large once expanded.

    Shared references make ``[[x] * 1000] * 1000`` cheap to build but huge to serialize; cycles are
    infinite. With ``remove=True`` the offending variables are taken out of ``data`` first.
    """
    offenders = _oversized_keys(data)
    if not offenders:
        return
    if remove:
        for key in offenders:
            data.pop(key, None)
    raise ScriptResourceError(
        f"task data {', '.join(map(repr, offenders))} would be too large to store "
        f"(more than {MAX_DATA_NODES} values or {MAX_DATA_CHARS} characters, or a cycle)"
    )


# --- Time and depth limits ---------------------------------------------------------------------------


def _resident_bytes() -> int:
    """Resident memory of this process (0 where it cannot be read cheaply)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover - not Linux
    _PAGE_SIZE = 4096


class _Watch:
    """The limits of one evaluation: deadline, memory growth and nesting depth of sandboxed frames.

    ``on_call`` is the trace function; ``checkpoint`` is what the deadline checks in loops call once
    ``_now_()`` passes ``_next_check_``, i.e. every CHECK_INTERVAL seconds at most.
    """

    __slots__ = (
        "builtins",
        "deadline",
        "depth",
        "max_depth",
        "memory_base",
        "memory_limit",
        "next_check",
        "scope",
        "time_limit",
    )

    def __init__(
        self,
        sandbox_builtins: dict[str, object],
        scope: dict[str, Any],
        time_limit: float,
        max_depth: int,
        memory_limit: int | None,
    ) -> None:
        self.builtins = sandbox_builtins
        self.scope = scope
        self.time_limit = time_limit
        self.max_depth = max_depth
        self.memory_limit = memory_limit
        self.memory_base: int | None = None  # measured at the first checkpoint: most calls end before
        self.depth = 0
        now = _now()
        self.deadline = now + time_limit
        self.next_check = min(now + CHECK_INTERVAL, self.deadline)
        scope["_next_check_"] = self.next_check
        scope["_checkpoint_"] = self.checkpoint

    def checkpoint(self) -> bool:
        now = _now()
        if now >= self.deadline:
            raise _Abort(ScriptTimeout(f"the script ran longer than its time limit of {self.time_limit} s"))
        if self.memory_limit:
            resident = _resident_bytes()
            if self.memory_base is None:
                self.memory_base = resident
            elif resident - self.memory_base > self.memory_limit:
                grown = (resident - self.memory_base) // 2**20
                raise _too_big(
                    f"the script used {grown} MiB more memory; the limit is {self.memory_limit // 2**20}"
                )
        self.next_check = min(now + CHECK_INTERVAL, self.deadline)
        self.scope["_next_check_"] = self.next_check
        return True

    def on_call(self, frame: FrameType, event: str, arg: object) -> Callable | None:
        # Only sandboxed frames (they see the sandbox builtins) are watched; helpers run untraced.
        if frame.f_builtins is not self.builtins:
            return None
        self.depth += 1
        if self.depth > self.max_depth:
            raise _too_big(f"the script nested calls more than {self.max_depth} deep")
        if _now() >= self.next_check:
            self.checkpoint()
        frame.f_trace_lines = False  # loops carry their own checks; lines need no events
        return self.on_event

    def on_event(self, frame: FrameType, event: str, arg: object) -> Callable:
        if event == "return":
            self.depth -= 1
        return self.on_event


# --- Environment and engine --------------------------------------------------------------------------


class SandboxedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, running RestrictedPython code under limits.

    Builtins and helpers live in the sandbox's builtins namespace, so task data with the same name
    shadows them (rather than being refused as by SpiffWorkflow's own ``check_for_overwrite``).
    """

    def __init__(
        self,
        helpers: dict[str, object] | None = None,
        time_limit: float = DEFAULT_TIME_LIMIT,
        max_depth: int = DEFAULT_MAX_DEPTH,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    ) -> None:
        if time_limit <= 0 or max_depth < 1:
            raise ValueError("time_limit must be positive and max_depth at least 1")
        super().__init__({})
        self.time_limit = float(time_limit)
        self.max_depth = int(max_depth)
        self.memory_limit = memory_limit
        self.builtins: dict[str, object] = {name: safe_builtins[name] for name in _SAFE_BUILTIN_NAMES}
        self.builtins.update(_SAFE_EXCEPTIONS)
        self.builtins.update(_EXTRA_BUILTINS)
        self.builtins.update(DEFAULT_HELPERS)
        self.builtins.update(_GUARDS)
        self.add_helpers(helpers or {})

    def add_helpers(self, helpers: dict[str, object]) -> None:
        """Make more functions (or namespaces of them) callable by name from scripts."""
        self.builtins.update(_validated_helpers(helpers))

    @property
    def helper_names(self) -> list[str]:
        """Every name a script can use without defining it (builtins and helpers)."""
        return sorted(name for name in self.builtins if not name.startswith("_"))

    def _run(self, code: CodeType, scope: dict[str, Any], mode: str) -> Any:
        scope["__builtins__"] = self.builtins
        watch = _Watch(self.builtins, scope, self.time_limit, self.max_depth, self.memory_limit)
        previous = sys.gettrace()
        sys.settrace(watch.on_call)
        try:
            if mode == "eval":
                return eval(code, scope)
            exec(code, scope)
            return None
        except _Abort as abort:
            raise abort.error.with_traceback(abort.__traceback__) from None
        finally:
            sys.settrace(previous)

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> Any:
        """The value of ``expression`` over the task data ``context`` (plus ``external_context``)."""
        code = compile_sandboxed(expression, "eval")
        self._prepare_context(context)
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        result = self._run(code, scope, "eval")
        if _data_too_large(result):
            raise ScriptResourceError("the value of the expression is too large")
        return result

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        """Run ``script`` with the task data ``context`` as its variables; keeps non-callable results."""
        code = compile_sandboxed(script, "exec")
        self.check_for_overwrite(context, external_context or {})
        self._prepare_context(context)
        context.update(self.globals)
        context.update(external_context or {})
        try:
            self._run(code, context, "exec")
        except BaseException:
            self._clean_up(context, external_context)
            for key in _oversized_keys(context):  # do not leave a failed script's monsters behind
                context.pop(key, None)
            raise
        self._clean_up(context, external_context)
        check_data_size(context, remove=True)
        return True

    def _clean_up(self, context: dict[str, Any], external_context: dict[str, Any] | None) -> None:
        context.pop("_next_check_", None)
        self._remove_globals_and_functions_from_context(context, external_context)


def _describe(error: BaseException) -> str:
    detail = type(error).__name__
    if error.args:
        detail += ": " + str(error.args[0])
    return detail


class SandboxedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine on a ``SandboxedEnvironment``; errors become WorkflowTaskException."""

    environment: SandboxedEnvironment

    def __init__(
        self,
        environment: SandboxedEnvironment | None = None,
        helpers: dict[str, object] | None = None,
        time_limit: float = DEFAULT_TIME_LIMIT,
    ) -> None:
        super().__init__(environment=environment or SandboxedEnvironment(helpers, time_limit))

    def validate(self, expression: str) -> None:
        """Raise ``ScriptCompileError`` (a SyntaxError, as DMN expects) if the expression is refused."""
        compile_sandboxed(expression, "eval")

    def evaluate(self, task: Any, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate over ``task.data``; failures become WorkflowTaskException naming the cause."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {_describe(exc)}", task=task, exception=exc
            ) from exc

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        """The WorkflowTaskException for a failed script, with the failing line (as the base class)."""
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        if isinstance(err, SpiffWorkflowException):
            err.line_number = line_number
            err.error_line = error_line
            err.add_note(f"Python script error on line {line_number}: '{error_line}'")
            return err
        return WorkflowTaskException(
            _describe(err), task=task, exception=err, line_number=line_number, error_line=error_line
        )

    def get_error_line_number_and_content(self, script: str, err: BaseException) -> tuple[int, str]:
        """The line (from 1; 0 if unknown) of ``script`` where ``err`` happened, and its text."""
        line_number = 0
        if isinstance(err, SyntaxError):
            line_number = err.lineno or 0
        else:
            for frame, lineno in traceback.walk_tb(err.__traceback__):
                if frame.f_code.co_filename == SANDBOX_FILENAME and (
                    frame.f_builtins is getattr(self.environment, "builtins", frame.f_builtins)
                ):
                    line_number = lineno or 0
        lines = (script or "").splitlines()
        error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        return line_number, error_line


def make_script_engine(
    helpers: dict[str, object] | None = None, time_limit: float = DEFAULT_TIME_LIMIT
) -> SandboxedScriptEngine:
    """The script engine the rest of Ravand uses; ``helpers`` become callable by name in scripts."""
    return SandboxedScriptEngine(SandboxedEnvironment(helpers, time_limit))
