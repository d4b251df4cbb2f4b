"""What the inbox's views share: the engine context, translated engine errors, names of people and units."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select

from engine.context import Context
from engine.errors import InvalidData, RavandError
from engine.models import OrgUnit, User
from web.i18n import field_texts, is_persian, localized_number, translate

__all__ = [
    "engine",
    "error_message",
    "error_response",
    "full_names",
    "is_persian",
    "localized_number",
    "unit_name",
]


def engine() -> Context:
    return current_app.extensions["ravand"]


def error_message(exc: RavandError) -> str:
    """An engine error in the page's language (its template is the msgid); people by their full names."""
    params = dict(exc.params)
    if isinstance(params.get("user"), str):
        with engine().db.transaction() as session:
            params["user"] = full_names(session, [params["user"]]).get(params["user"], params["user"])
    return translate(exc.template, params)


def error_response(exc: RavandError):
    """The JSON answer the page's scripts show: a message, and for bad data the message of each field."""
    body = {"code": exc.code, "message": error_message(exc)}
    if isinstance(exc, InvalidData):
        body["fields"] = field_texts(exc)
    return jsonify(body), exc.http_status


def full_names(session, usernames) -> dict[str, str]:
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.full_name).where(User.username.in_(wanted)))
    return dict(rows.all())


def unit_name(unit: OrgUnit | None) -> str:
    if unit is None:
        return ""
    return unit.name_fa if is_persian() else unit.name_en
