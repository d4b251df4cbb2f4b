"""Guards of text formatting: ``%``-formatting and f-strings, bounded before the text is built.

The policy compiles ``f'a{x!r:>10}b'`` to ``_fstring_().add('a').add(x, 114, '>10').add('b').text()``:
each part is measured before it is rendered and the running total before it is kept, so neither one
huge value nor thousands of wide fields can build more than MAX_STR_LEN characters.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import time as time_of_day
from typing import Any

from engine.sandbox.limits import _TEXT, MAX_FORMAT_WIDTH, MAX_STR_LEN, _too_big
from engine.sandbox.render import check_rendering, repr_size, str_size

_PRINTF_RE = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])?")
_DIGITS_RE = re.compile(r"\d+")
MAX_SPEC_LEN = 1000  # characters of one format spec (strftime directives of a date included)
_R, _S, _A = ord("r"), ord("s"), ord("a")


def _check_width(digits: str) -> int:
    if len(digits) > 6 or int(digits) > MAX_FORMAT_WIDTH:
        raise _too_big(f"a format width or precision of {digits[:12]} is above {MAX_FORMAT_WIDTH}")
    return int(digits)


def _check_mod(a: Any, b: Any) -> None:
    """Refuse ``a % b`` (a text) before it is built if the result would pass MAX_STR_LEN."""
    if not isinstance(a, _TEXT):
        return
    text = a if isinstance(a, str) else a.decode("latin-1")
    total, star, keys, reprs = len(text), False, [], False
    for match in _PRINTF_RE.finditer(text):
        key, width, precision, conversion = match.groups()
        for group in (width, precision):
            if group == "*":
                star = True
            elif group:
                total += _check_width(group)
        if key is not None:
            keys.append(key)
        reprs = reprs or conversion in ("r", "a")
    args = b if isinstance(b, tuple) else (b,)
    if star:
        for arg in args:
            if isinstance(arg, int) and abs(arg) > MAX_FORMAT_WIDTH:
                raise _too_big(f"a format width of {arg} is above {MAX_FORMAT_WIDTH}")
    if keys and isinstance(b, dict):
        args = tuple(b[key] for key in keys if key in b)
    measure = repr_size if reprs else str_size
    for arg in args:
        total += measure(arg, MAX_STR_LEN)
        if total > MAX_STR_LEN:
            raise _too_big(f"the formatted text would have more than {MAX_STR_LEN} characters")


def _format_value(value: Any, conversion: int, spec: str) -> str:
    if conversion == -1 and not spec and type(value) is str:
        return value
    if len(spec) > MAX_SPEC_LEN:
        raise _too_big(f"a format spec of {len(spec)} characters; the limit is {MAX_SPEC_LEN}")
    if spec and not isinstance(value, (date, time_of_day)):  # strftime directives, bounded by the length
        for digits in _DIGITS_RE.findall(spec):
            _check_width(digits)
    if conversion in (_R, _A):
        check_rendering(value, "r")
        value = repr(value) if conversion == _R else ascii(value)
    else:
        check_rendering(value, "s")
        if conversion == _S:
            value = str(value)
    return format(value, spec)


class _FString:
    """One f-string being built: parts are measured before they are rendered and kept."""

    __slots__ = ("parts", "size")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, value: Any, conversion: int = -1, spec: str = "") -> _FString:
        text = _format_value(value, conversion, spec)
        self.size += len(text)
        if self.size > MAX_STR_LEN:
            raise _too_big(f"the f-string would have more than {MAX_STR_LEN} characters")
        self.parts.append(text)
        return self

    def text(self) -> str:
        return "".join(self.parts)


def _format_guard_(value: Any, conversion: int, spec: str) -> str:
    """One replacement field, rendered only if its text is within the limits."""
    return _format_value(value, conversion, spec)
