"""How long ``str(x)`` or ``repr(x)`` would be, estimated from ``x`` before the text is built.

``str([['x' * 1000] * 1000] * 1000)`` is one C call that builds a billion characters: it cannot be
interrupted, so the size is bounded from the value first. The estimate is an upper bound (a little
loose for strings with characters repr escapes), computed by a walk memoized by ``id`` (shared lists
are measured once) that stops as soon as it passes the limit, so its cost is at most a few million
steps whatever the value.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from datetime import time as time_of_day
from types import SimpleNamespace
from typing import Any

from engine.sandbox.limits import MAX_STR_LEN, _too_big

_CONTAINERS = (list, tuple, set, frozenset, dict)
_TIMES = (date, time_of_day, timedelta, timezone)
_OTHER = 200  # functions, builtins, ranges, types...: their repr is a short fixed text


def _text_repr(text: str | bytes) -> int:
    """An upper bound of ``len(repr(text))``: exact-ish for printable text, escapes counted as 4 or 10."""
    n = len(text)
    if isinstance(text, bytes):
        if text.isascii() and text.decode("ascii").isprintable():
            return n + 3 + text.count(b"\\") + text.count(b"'")
        return 4 * n + 3
    if text.isprintable():
        return n + 2 + text.count("\\") + text.count("'")
    if text.isascii():
        return 4 * n + 2
    return 10 * n + 2


def _int_chars(value: int) -> int:
    return int(value.bit_length() * 0.30103) + 2


def _leaf(value: Any) -> int | None:
    """The repr size of a value that is not a container, or None for a container."""
    kind = type(value)
    if kind is int or kind is bool:
        return _int_chars(value)
    if kind is float:
        return 24
    if value is None:
        return 4
    if isinstance(value, (str, bytes)):
        return _text_repr(value)
    if _is_container(value):
        return None
    if isinstance(value, int):
        return _int_chars(value)
    if isinstance(value, complex):
        return 52
    if isinstance(value, _TIMES):
        return 120
    return _OTHER


def _children(value: Any) -> tuple[Any, int]:
    """(items to measure, fixed characters besides them) of a container's repr."""
    if isinstance(value, dict):
        return [*value.keys(), *value.values()], 2 + 4 * len(value)
    if isinstance(value, SimpleNamespace):
        names = vars(value)
        return list(names.values()), 11 + sum(len(name) + 3 for name in names)
    if isinstance(value, BaseException):
        return list(value.args), len(type(value).__name__) + 2 + 2 * len(value.args)
    extra = len(type(value).__name__) + 2 if isinstance(value, (set, frozenset)) else 0
    return list(value), 2 + extra + 2 * len(value)


def _is_container(value: Any) -> bool:
    return isinstance(value, (*_CONTAINERS, SimpleNamespace, BaseException))


_FIXED = {float: 24, type(None): 4, complex: 52}


def repr_size(value: Any, limit: int = MAX_STR_LEN) -> int:
    """An upper bound of ``len(repr(value))``, or some number above ``limit`` once it passes it."""
    if not _is_container(value):
        return _leaf(value) or 0
    done: dict[int, int] = {}
    texts: dict[int, int] = {}  # long texts are scanned once, however often they are referenced
    open_: set[int] = set()
    # Item slots and distinct text characters walked: each is at least one character of the result.
    visited = 0
    # (container, its containers still to add, size of everything else in it)
    stack: list[tuple[Any, list[Any] | None, int]] = [(value, None, 0)]
    while stack:
        container, nested, size = stack.pop()
        key = id(container)
        if nested is None:
            if key in done:
                continue
            if key in open_:
                done[key] = 5  # a cycle is printed as [...]
                continue
            children, size = _children(container)
            visited += len(children)
            if size > limit or visited > limit:
                return limit + 1
            nested = []
            for child in children:  # one pass: leaves are added now, containers once measured
                kind = type(child)
                if kind is int:
                    size += int(child.bit_length() * 0.30103) + 2
                elif kind is str and len(child) < 64:
                    size += len(child) + 2 if child.isprintable() else 10 * len(child) + 2
                elif kind is float:
                    size += len(repr(child))
                elif kind in _FIXED:
                    size += _FIXED[kind]
                elif _is_container(child):
                    nested.append(child)
                elif isinstance(child, (str, bytes)):
                    known = texts.get(id(child))
                    if known is None:
                        visited += len(child)
                        if visited > limit:
                            return limit + 1
                        known = texts[id(child)] = _text_repr(child)
                    size += known
                else:
                    size += _leaf(child) or 0
                if size > limit:
                    return limit + 1
            open_.add(key)
            stack.append((container, nested, size))
            stack.extend((child, None, 0) for child in nested)
            continue
        open_.discard(key)
        for child in nested:
            size += done.get(id(child), 5)
            if size > limit:
                return limit + 1
        done[key] = size
    return done[id(value)]


def str_size(value: Any, limit: int = MAX_STR_LEN) -> int:
    """An upper bound of ``len(str(value))`` (a text is itself; inside containers, items are repr'd)."""
    if isinstance(value, str):
        return len(value)
    return repr_size(value, limit)


def check_rendering(value: Any, conversion: str = "s", extra: int = 0) -> None:
    """Refuse, before it is built, a text of ``value`` (plus ``extra`` characters) above MAX_STR_LEN."""
    if conversion == "s" and isinstance(value, str):
        size = len(value)
    elif conversion == "s":
        size = str_size(value)
    else:
        size = repr_size(value)
    if size + extra > MAX_STR_LEN:
        raise _too_big(f"the text of that value would have more than {MAX_STR_LEN} characters")


def bounded_repr(value: Any) -> str:
    """``repr`` for scripts: refused before building a text longer than MAX_STR_LEN."""
    check_rendering(value, "r")
    return repr(value)
