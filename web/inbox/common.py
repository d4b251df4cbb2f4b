"""What the inbox's views share: the engine, engine errors as the page's scripts read them, names in
the page's language, and the notification badge."""

from __future__ import annotations

from flask import g, jsonify

from engine.errors import InvalidData, RavandError
from web.context import engine
from web.i18n import error_text, field_texts, is_persian

__all__ = ["engine", "error_response", "error_text", "locale", "named", "show_unread"]


def error_response(exc: RavandError):
    """The JSON answer the page's scripts show: a message, and for bad data the message of each field."""
    body = {"code": exc.code, "message": error_text(exc)}
    if isinstance(exc, InvalidData):
        body["fields"] = field_texts(exc)
    return jsonify(body), exc.http_status


def locale() -> str:
    return "fa" if is_persian() else "en"


def named(item: dict, prefix: str) -> str:
    """``item[prefix + "_fa"]`` or ``item[prefix + "_en"]``, as the page reads (Persian when English is
    missing)."""
    persian = item.get(f"{prefix}_fa") or ""
    return persian if is_persian() else item.get(f"{prefix}_en") or persian


def show_unread(count: int) -> None:
    """The badge's number, already read with the page's own read model (no query of its own then)."""
    g.ravand_unread = count
