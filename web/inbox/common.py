"""What the inbox's views share: the engine context, translated engine errors, names of people and units."""

from __future__ import annotations

import re

from flask import current_app, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from engine.calendar.jalali import to_persian_digits
from engine.context import Context
from engine.errors import InvalidData, RavandError
from engine.models import OrgUnit, User

# Field messages the engine formats before they reach us ("must be at least 3"): their templates.
_FIELD_TEMPLATES = [
    "must be at least {min}",
    "must be at most {max}",
    "must be at least {n} characters",
    "must be at most {n} characters",
]


def engine() -> Context:
    return current_app.extensions["ravand"]


def is_persian() -> bool:
    return str(get_locale()) == "fa"


def localized_number(value) -> str:
    return to_persian_digits(str(value)) if is_persian() else str(value)


def error_message(exc: RavandError) -> str:
    """An engine error in the page's language (its template is the msgid); people by their full names."""
    params = {k: localized_number(v) if isinstance(v, int) else v for k, v in exc.params.items()}
    if isinstance(params.get("user"), str):
        with engine().db.transaction() as session:
            params["user"] = full_names(session, [params["user"]]).get(params["user"], params["user"])
    return _(exc.template).format(**params) if params else _(exc.template)


def field_message(message: str) -> str:
    """A field message from engine.forms in the page's language."""
    for template in _FIELD_TEMPLATES:
        name = re.search(r"\{(\w+)\}", template).group(1)
        pattern = re.escape(template).replace(re.escape("{" + name + "}"), r"(?P<v>-?[\d.]+)")
        match = re.fullmatch(pattern, message)
        if match:
            return _(template).format(**{name: localized_number(match["v"])})
    return _(message)


def error_response(exc: RavandError):
    """The JSON answer the page's scripts show: a message, and for bad data the message of each field."""
    body = {"code": exc.code, "message": error_message(exc)}
    if isinstance(exc, InvalidData):
        body["fields"] = {name: field_message(text) for name, text in exc.field_errors.items()}
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
