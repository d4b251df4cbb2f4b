"""Functions and namespaces scripts call by name, and the validation of caller-injected helpers."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from datetime import time as time_of_day
from types import ModuleType, SimpleNamespace
from typing import Any

from engine.calendar.jalali import to_latin_digits, to_persian_digits
from engine.sandbox.guards import _SIZED, _check_result_size, _text_method
from engine.sandbox.policy import _DENIED_NAMES

# --- Helpers available by name -----------------------------------------------------------------------

# fmt: off
_MATH_NAMES = (
    "pi", "e", "tau", "inf", "nan", "ceil", "floor", "trunc", "sqrt", "isqrt", "exp", "log", "log2",
    "log10", "pow", "fabs", "fmod", "copysign", "fsum", "gcd", "isclose", "isfinite", "isinf",
    "isnan", "degrees", "radians", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "hypot",
    "modf",
)
# fmt: on


class _FrozenNamespace(SimpleNamespace):
    """A namespace of helpers nobody can change: one process's scripts share it with every other."""

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("helper namespaces cannot be changed")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("helper namespaces cannot be changed")


MATH = _FrozenNamespace(**{name: getattr(math, name) for name in _MATH_NAMES})

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
