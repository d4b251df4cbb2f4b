"""Bounds on the integers that pages and the API take from a URL or a query.

A database id is at most 2^31 - 1 (PostgreSQL's ``integer``; SQLite's reach 2^63 - 1): a larger number
names nothing, so it is "not found" (a route) or invalid (a query), never passed to the driver, whose
overflow would be a 500. Page numbers are bounded so that an offset stays far inside 64 bits.

Routes take ids with the ``id`` converter (``/things/<id:thing_id>``, registered by ``create_app``): any
run of digits matches, and one past the bound becomes 0, which names nothing — so the engine answers
"not found" whatever the method (a converter that refused it would make Werkzeug answer 405 for a
POST beside a GET route of the same path).
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.routing import BaseConverter

from engine.calendar.jalali import to_latin_digits

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


class IdConverter(BaseConverter):
    """A database id in a route: digits; 0 for a number no row can have."""

    regex = r"\d+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        return int(value) if len(value) <= len(str(MAX_ID)) and int(value) <= MAX_ID else 0

    def to_url(self, value: int) -> str:
        return str(int(value))


def _number(value: str | None) -> int | None:
    """A whole number typed with Latin or Persian digits; None for anything else (or absurdly long)."""
    text = to_latin_digits((value or "").strip())
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def id_arg(args: Mapping[str, str], name: str) -> int | None:
    """An id from a query string or a form; None when it is missing or names nothing."""
    value = _number(args.get(name))
    return value if value is not None and 1 <= value <= MAX_ID else None


def page_arg(args: Mapping[str, str], name: str = "page") -> int:
    """A page number from a query string: 1 when missing or not a number, at most ``MAX_PAGE``."""
    value = _number(args.get(name))
    return min(value, MAX_PAGE) if value is not None and value >= 1 else 1
