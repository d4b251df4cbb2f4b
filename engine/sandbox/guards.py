"""Run-time guards the policy calls: operators, attribute and item access, text methods, print."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.sandbox.bounded import _floordiv_, bounded_modpow, check_codec, check_operand_bits
from engine.sandbox.formatting import _check_mod, _format_guard_, _FString
from engine.sandbox.limits import (
    _TEXT,
    MAX_FORMAT_WIDTH,
    MAX_INT_BITS,
    MAX_ITEMS,
    MAX_PRINT_CHARS,
    MAX_STR_LEN,
    _forbidden,
    _now,
    _too_big,
)
from engine.sandbox.policy import _DENIED_ATTRIBUTES
from engine.sandbox.render import check_rendering

# --- Run-time guards ---------------------------------------------------------------------------------

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
        check_operand_bits(a, b)
        return a % b
    _check_mod(a, b)
    return _check_text(a % b)


# Guards are inlined for the common operators: every Python-level call made while the sandbox runs
# also costs a call of the trace function.
_INPLACE_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "*=": _check_mul,
    "%=": lambda a, b: check_operand_bits(a, b) if not isinstance(a, _TEXT) else _check_mod(a, b),
    "//=": check_operand_bits,
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
    return bounded_modpow(base, exp, mod)


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
    elif name in ("split", "rsplit", "splitlines"):
        parts = _parts(name, text, args, kwargs)
        if parts > MAX_ITEMS:
            raise _too_big(f"{name}() into {parts} parts; the limit is {MAX_ITEMS}")
    elif name in ("encode", "decode"):
        check_codec(_arg(args, kwargs, 0, "encoding", "utf-8"))
    elif name == "translate" and args and isinstance(text, str):
        table = args[0]
        values = table.values() if isinstance(table, dict) else table if isinstance(table, _SEQUENCES) else ()
        longest = max((len(v) for v in values if isinstance(v, _TEXT)), default=1)
        _check_result_size(len(text) * max(longest, 1), text)


_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _parts(name: str, text: str | bytes, args: tuple, kwargs: dict) -> int:
    """An upper bound of how many parts a split gives, counted in C without building them."""

    def count(chars: str) -> int:
        if isinstance(text, bytes):
            return sum(text.count(c.encode("latin-1")) for c in chars if ord(c) < 128)
        return sum(text.count(c) for c in chars)

    if name == "splitlines":
        return count(_LINE_BREAKS) + 1
    sep = _arg(args, kwargs, 0, "sep")
    if isinstance(sep, type(text)) and sep:
        parts = text.count(sep) + 1
    else:  # runs of whitespace split: no more parts than gaps + 1, nor than non-space characters
        spaces = count(_WHITESPACE)
        parts = min(spaces + 1, len(text) - spaces)
    limit = _arg(args, kwargs, 1, "maxsplit", -1)
    if isinstance(limit, int) and limit >= 0:
        parts = min(parts, limit + 1)
    return parts


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

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        if self.size >= MAX_PRINT_CHARS:
            return  # nothing more is kept: nothing more is rendered
        for value in objects:
            check_rendering(value, "s")
        super()._call_print(*objects, **kwargs)

    def write(self, text: str) -> None:
        room = MAX_PRINT_CHARS - self.size
        if room > 0:
            self.txt.append(text[:room])
            self.size += min(len(text), room)


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
    "_floordiv_": _floordiv_,
    "_star_guard_": _star_guard_,
    "_fstring_": _FString,
    "_format_guard_": _format_guard_,
    "_now_": _now,
}
