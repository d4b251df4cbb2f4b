"""The compile-time policy: what scripts may write, and where the run-time guards are inserted."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
)
from RestrictedPython.transformer import copy_locations

from engine.sandbox.limits import (
    COMPILE_CACHE_SIZE,
    MAX_SOURCE_LEN,
    SANDBOX_FILENAME,
    ScriptCompileError,
    ScriptProblem,
)

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
    ast.FloorDiv: "_floordiv_",
}
MAX_FSTRING_FIELDS = 1000  # replacement fields of one f-string
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
        """``f'a{x!r:>9}'`` becomes ``_fstring_().add('a').add(x, 114, '>9').text()``: every part is
        measured before it is rendered, and the running total before it is kept."""
        if sum(isinstance(value, ast.FormattedValue) for value in node.values) > MAX_FSTRING_FIELDS:
            self.error(node, f"an f-string may have at most {MAX_FSTRING_FIELDS} replacement fields.")
            return node
        chain: ast.expr = _call("_fstring_")
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec = ast.Constant("") if value.format_spec is None else self.visit(value.format_spec)
                args = [self.visit(value.value), ast.Constant(value.conversion), spec]
            else:
                args = [value]
            chain = ast.Call(func=ast.Attribute(chain, "add", ast.Load()), args=args, keywords=[])
        call = ast.Call(func=ast.Attribute(chain, "text", ast.Load()), args=[], keywords=[])
        copy_locations(call, node)
        return ast.fix_missing_locations(call)


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
