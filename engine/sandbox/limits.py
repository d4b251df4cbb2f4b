"""The sandbox's limits: sizes, time and memory, the errors that report a breach, checks of task data."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from typing import Any
from uuid import UUID

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
MAX_DATA_CHARS = 10_000_000  # expanded characters of a task's data (all variables) after a script
MAX_DATA_DEPTH = 100  # nesting of lists and dicts in task data
DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024  # growth of the process's resident memory during one evaluation
CHECK_INTERVAL = 0.01  # seconds between checks of the deadline and memory from inside loops

_now = time.monotonic
_TEXT = (str, bytes)


# --- Exceptions and problems -------------------------------------------------------------------------


class ScriptSandboxError(Exception):
    """A script broke a rule of the sandbox at run time."""


class ScriptTimeout(ScriptSandboxError):
    """A script or expression ran longer than its time limit."""


class ScriptResourceError(ScriptSandboxError):
    """A script tried to build something too large or to nest calls too deep."""


class ScriptDataError(ScriptSandboxError):
    """A script or expression left a value in task data that cannot be saved (not JSON-like)."""


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


#: What task data may hold: what the saved state's JSON (with SpiffWorkflow's converters) can store.
_STORABLE_LEAVES = (str, int, float, bool, type(None), datetime, timedelta, UUID)
#: The largest integer JSON text can carry here: CPython writes at most 4,300 digits (about 14,280 bits).
MAX_STORED_INT_BITS = 14_000


def check_storable(value: Any, where: str) -> None:
    """Raise ``ScriptDataError`` unless ``value`` can be saved: JSON-like, at most MAX_DATA_DEPTH deep.

    Iterative, so a 100,000-deep list is refused rather than overflowing the stack.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, _STORABLE_LEAVES):
            _check_number(item, where)
            continue
        if depth >= MAX_DATA_DEPTH:
            raise ScriptDataError(f"{where} is nested more than {MAX_DATA_DEPTH} deep and cannot be saved")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise ScriptDataError(f"{where} has a {type(key).__name__} key: keys must be text")
                stack.append((child, depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, depth + 1) for child in item)
        else:
            raise ScriptDataError(f"{where} holds a {type(item).__name__}, which cannot be saved")


def _check_number(item: Any, where: str) -> None:
    """JSON has no NaN or infinity, and Python writes no integer of more than 4,300 digits."""
    if isinstance(item, float) and not math.isfinite(item):
        raise ScriptDataError(f"{where} holds {item!r}, which cannot be saved (JSON has no NaN or infinity)")
    if isinstance(item, int) and item.bit_length() > MAX_STORED_INT_BITS:
        raise ScriptDataError(
            f"{where} holds an integer of {item.bit_length()} bits, which cannot be saved "
            f"(at most {MAX_STORED_INT_BITS})"
        )


def check_task_data(data: dict[str, Any]) -> None:
    """Every variable storable, and all of them together within MAX_DATA_NODES / MAX_DATA_CHARS."""
    check_data_size(data)
    nodes = chars = 0
    for key, value in data.items():
        if value is None or isinstance(value, (bool, int, float)):
            continue
        more_nodes, more_chars = _data_cost(value)
        nodes, chars = nodes + more_nodes, chars + more_chars + len(key)
    if nodes > MAX_DATA_NODES or chars > MAX_DATA_CHARS:
        raise ScriptResourceError(
            f"the task data would be too large to store (more than {MAX_DATA_NODES} values "
            f"or {MAX_DATA_CHARS} characters, or a cycle)"
        )
    for key, value in data.items():
        check_storable(value, f"task data {key!r}")
