"""Built-ins whose one C-level call could run for minutes or overflow the C stack, bounded before they run.

A single C call cannot be interrupted by the sandbox's clock, so the cost of each is bounded from its
arguments instead: integer sizes (``int(s, 16)``, ``//``, ``%``, ``divmod``, three-argument ``pow``),
codecs (only linear ones), and the nesting and width of lazy iterators (``zip``/``map``/``filter``/
``enumerate`` of each other, which CPython consumes recursively in C: hundreds of thousands nested
crash the process). ``int`` and ``str`` stay types for ``isinstance`` but are bounded when called.
"""

from __future__ import annotations

import codecs
from typing import Any

from engine.sandbox.limits import MAX_INT_BITS, MAX_STR_LEN, _too_big
from engine.sandbox.render import check_rendering

#: Operands of ``//``, ``%`` and ``divmod`` (schoolbook division is quadratic in their size).
MAX_OPERAND_BITS = 2 * MAX_INT_BITS
#: ``pow(b, e, m)`` costs about bits(e) * bits(m)**2; 4096-bit RSA-sized numbers take ~0.1 s.
MAX_MODPOW_COST = 4096**3
#: Characters of a string ``int()`` parses (its result is bounded by MAX_INT_BITS anyway).
MAX_INT_TEXT = MAX_INT_BITS // 3
MAX_LAZY_DEPTH = 16  # zip/map/filter/enumerate nested in each other
MAX_ZIP_WIDTH = 64  # iterables of one zip or map
#: Codecs whose cost is linear in the text; the others (punycode, idna, zlib ...) are refused.
SAFE_CODECS = frozenset({"utf-8", "ascii", "latin-1", "iso8859-1", "utf-16", "utf-32", "cp1256", "cp1252"})


def check_operand_bits(*values: Any) -> None:
    for value in values:
        if isinstance(value, int) and value.bit_length() > MAX_OPERAND_BITS:
            raise _too_big(f"an integer of {value.bit_length()} bits; the limit is {MAX_OPERAND_BITS}")


def check_codec(encoding: Any) -> None:
    if not isinstance(encoding, str):
        return  # Python raises its own TypeError
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return  # Python raises its own LookupError
    if name not in SAFE_CODECS:
        raise _too_big(f"the codec {encoding!r} is not available in scripts (use utf-8)")


def _floordiv_(a: Any, b: Any) -> Any:
    check_operand_bits(a, b)
    return a // b


def bounded_divmod(a: Any, b: Any) -> Any:
    check_operand_bits(a, b)
    return divmod(a, b)


def bounded_modpow(base: Any, exp: Any, mod: Any) -> Any:
    if isinstance(base, int) and isinstance(exp, int) and isinstance(mod, int):
        check_operand_bits(base)
        cost = max(abs(exp).bit_length(), 1) * max(mod.bit_length(), 1) ** 2
        if cost > MAX_MODPOW_COST:
            raise _too_big("pow() with such large exponent and modulus would take too long")
    return pow(base, exp, mod)


class _BoundedType(type):
    """A built-in type whose calls are checked; ``isinstance(x, int)`` still sees every real int."""

    real: type

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls.real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.real)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.construct(*args, **kwargs)


class BoundedInt(int, metaclass=_BoundedType):
    real = int

    @staticmethod
    def construct(*args: Any, **kwargs: Any) -> int:
        text = args[0] if args else kwargs.get("x")
        if isinstance(text, (str, bytes, bytearray)) and len(text) > MAX_INT_TEXT:
            raise _too_big(f"int() of {len(text)} characters; the limit is {MAX_INT_TEXT}")
        return int(*args, **kwargs)

    @staticmethod
    def from_bytes(data: Any, *args: Any, **kwargs: Any) -> int:
        if hasattr(data, "__len__") and len(data) * 8 > MAX_INT_BITS:
            raise _too_big(f"int.from_bytes() of {len(data)} bytes; the limit is {MAX_INT_BITS // 8}")
        return int.from_bytes(data, *args, **kwargs)


class BoundedStr(str, metaclass=_BoundedType):
    real = str

    @staticmethod
    def construct(*args: Any, **kwargs: Any) -> str:
        if len(args) > 1 or "encoding" in kwargs:
            check_codec(args[1] if len(args) > 1 else kwargs["encoding"])
        elif len(args) == 1 and not kwargs:
            check_rendering(args[0], "s")  # before the text is built
        result = str(*args, **kwargs)
        if len(result) > MAX_STR_LEN:
            raise _too_big(f"the string would have {len(result)} characters; the limit is {MAX_STR_LEN}")
        return result


def _lazy_depth(values: tuple[Any, ...]) -> int:
    depth = 1 + max((getattr(value, "depth", 0) for value in values if isinstance(value, _LAZY)), default=0)
    if depth > MAX_LAZY_DEPTH:
        raise _too_big(f"lazy iterators nested {depth} deep; the limit is {MAX_LAZY_DEPTH}")
    return depth


def _check_width(iterables: tuple[Any, ...]) -> None:
    if len(iterables) > MAX_ZIP_WIDTH:
        raise _too_big(f"{len(iterables)} iterables at once; the limit is {MAX_ZIP_WIDTH}")


class BoundedZip(zip):
    __slots__ = ("depth",)

    def __new__(cls, *iterables: Any, **kwargs: Any) -> BoundedZip:
        _check_width(iterables)
        self = super().__new__(cls, *iterables, **kwargs)
        self.depth = _lazy_depth(iterables)
        return self


class BoundedMap(map):
    __slots__ = ("depth",)

    def __new__(cls, function: Any, *iterables: Any) -> BoundedMap:
        _check_width(iterables)
        self = super().__new__(cls, function, *iterables)
        self.depth = _lazy_depth(iterables)
        return self


class BoundedFilter(filter):
    __slots__ = ("depth",)

    def __new__(cls, function: Any, iterable: Any) -> BoundedFilter:
        self = super().__new__(cls, function, iterable)
        self.depth = _lazy_depth((iterable,))
        return self


class BoundedEnumerate(enumerate):
    __slots__ = ("depth",)

    def __new__(cls, iterable: Any, start: int = 0) -> BoundedEnumerate:
        self = super().__new__(cls, iterable, start)
        self.depth = _lazy_depth((iterable,))
        return self


_LAZY = (BoundedZip, BoundedMap, BoundedFilter, BoundedEnumerate)
