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

Every one C-level call is bounded from its arguments before it runs (``bounded.py``): integer sizes of
``int(s, 16)``, ``int.from_bytes``, ``//``, ``%``, ``divmod`` and three-argument ``pow``; codecs are
the linear ones only; ``zip``/``map``/``filter``/``enumerate`` nest at most 16 deep and take at most 64
iterables (hundreds of thousands nested crashed CPython's C stack). Task-data keys beginning with ``_``
are stripped before every evaluation and never reach the scope, so data cannot replace a guard; the
builtins (guards and helpers) are copied per evaluation and helper namespaces are frozen. After a
script, task data must be storable (JSON-like, at most 100 deep, 10 M characters in all), else the
step fails and the data is restored as it was.

Why in-process and not a supervised child per evaluation: ``bench/sandbox_cost.py`` measures a fork
per step at ~80 times the in-process sandbox (~3.6 ms against ~45 µs for a small script), on every
gateway condition and DMN cell. Residual risk: ``repr`` or ``==`` of huge, heavily shared nested lists
is one uninterruptible C call. Jobs commit their attempt before running, so a process that dies in
one does not run it again (engine/runtime/jobs.py).
"""

from __future__ import annotations

import sys
import traceback
from types import CodeType
from typing import Any

from RestrictedPython import (
    safe_builtins,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.sandbox.bounded import (
    BoundedEnumerate,
    BoundedFilter,
    BoundedInt,
    BoundedMap,
    BoundedStr,
    BoundedZip,
    bounded_divmod,
)
from engine.sandbox.guards import _GUARDS, _getattr_, _pow_builtin, _range_, _round_, _sum_
from engine.sandbox.helpers import DEFAULT_HELPERS, _validated_helpers
from engine.sandbox.limits import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    SANDBOX_FILENAME,
    ScriptCompileError,
    ScriptDataError,
    ScriptProblem,
    ScriptResourceError,
    ScriptSandboxError,
    ScriptSecurityError,
    ScriptTimeout,
    _Abort,
    _data_too_large,
    _Watch,
    check_data_size,
    check_storable,
    check_task_data,
)
from engine.sandbox.policy import SandboxPolicy, check_source, compile_sandboxed
from engine.sandbox.render import bounded_repr

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_TIME_LIMIT",
    "SANDBOX_FILENAME",
    "SandboxPolicy",
    "SandboxedEnvironment",
    "SandboxedScriptEngine",
    "ScriptCompileError",
    "ScriptDataError",
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

# fmt: off
_SAFE_BUILTIN_NAMES = (
    "None", "False", "True", "Ellipsis", "abs", "bool", "callable", "chr", "complex",
    "float", "hash", "hex", "isinstance", "issubclass", "len", "oct", "ord", "slice",
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
    "divmod": bounded_divmod,
    "int": BoundedInt,
    "str": BoundedStr,
    "enumerate": BoundedEnumerate,
    "filter": BoundedFilter,
    "frozenset": frozenset,
    "list": list,
    "map": BoundedMap,
    "max": max,
    "min": min,
    "pow": _pow_builtin,
    "range": _range_,
    "repr": bounded_repr,
    "reversed": reversed,
    "round": _round_,
    "set": set,
    "sorted": sorted,
    "sum": _sum_,
    "tuple": tuple,
    "zip": BoundedZip,
}

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
        # A fresh copy per evaluation: nothing one evaluation does can change another's names.
        sandbox_builtins = dict(self.builtins)
        scope["__builtins__"] = sandbox_builtins
        watch = _Watch(sandbox_builtins, scope, self.time_limit, self.max_depth, self.memory_limit)
        previous = sys.gettrace()
        sys.settrace(watch.on_call)
        try:
            if mode == "eval":
                return eval(code, scope)
            exec(code, scope)
            return None
        except _Abort as abort:
            raise abort.error.with_traceback(abort.__traceback__) from None
        except RecursionError as exc:  # deep C-level recursion (e.g. repr of a deep list)
            raise ScriptResourceError(f"the script nested too deep: {exc}") from None
        finally:
            sys.settrace(previous)

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> Any:
        """The value of ``expression`` over the task data ``context`` (plus ``external_context``)."""
        code = compile_sandboxed(expression, "eval")
        self._prepare_context(context)
        scope = dict(self.globals)
        scope.update(_public(external_context or {}))
        scope.update(_public(context))
        result = self._run(code, scope, "eval")
        if _data_too_large(result):
            raise ScriptResourceError("the value of the expression is too large")
        if not isinstance(result, range):  # a loop's cardinality or collection may be a range
            check_storable(result, "the value of the expression")
        return result

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        """Run ``script`` with the task data ``context`` as its variables; keeps non-callable results.

        If the script fails, or leaves data that cannot be saved, ``context`` gets its variables back
        as they were before (nothing of the step is kept) and the error is raised.
        """
        for key in [key for key in context if not _is_public(key)]:
            del context[key]  # the sandbox's own names (``_getattr_`` ...) cannot come from data
        code = compile_sandboxed(script, "exec")
        before = dict(context)
        self.check_for_overwrite(context, external_context or {})
        self._prepare_context(context)
        context.update(self.globals)
        context.update(_public(external_context or {}))
        try:
            self._run(code, context, "exec")
            self._clean_up(context, external_context)
            check_task_data(context)
        except BaseException:
            context.clear()
            context.update(before)
            raise
        return True

    def _clean_up(self, context: dict[str, Any], external_context: dict[str, Any] | None) -> None:
        for key in [key for key in context if not _is_public(key)]:
            del context[key]
        self._remove_globals_and_functions_from_context(context, external_context)


def _is_public(key: object) -> bool:
    return not (isinstance(key, str) and key.startswith("_"))


def _public(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without keys beginning with ``_``: those are the sandbox's own names."""
    return {key: value for key, value in data.items() if _is_public(key)}


def check_timer_value(definition: TimerEventDefinition, value: Any) -> None:
    """A timer expression gives an ISO 8601 text; a cycle must not repeat with a zero interval."""
    if not isinstance(value, str):
        raise ScriptDataError(f"the timer expression gave a {type(value).__name__}, not an ISO 8601 text")
    if isinstance(definition, CycleTimerEventDefinition):
        try:
            cycles, _start, interval = TimerEventDefinition.parse_iso_recurring_interval(value)
        except Exception as exc:  # SpiffWorkflow's parser raises bare Exceptions
            message = f"the timer cycle {value[:100]!r} is not an ISO 8601 repeating interval"
            raise ScriptDataError(message) from exc
        if cycles != 0 and interval.total_seconds() <= 0:
            raise ScriptDataError(f"the timer cycle {value[:100]!r} repeats with a zero interval")


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
            result = self.environment.evaluate(expression, task.data, external_context)
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and definition.expression == expression:
                check_timer_value(definition, result)
            return result
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
                    frame.f_builtins.get("_getattr_") is _getattr_
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
