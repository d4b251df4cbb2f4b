"""JSON errors for every API blueprint: ``{"code", "message"}`` (plus ``fields`` for bad input) with the
right 4xx, and the schema that documents them.

Messages are in Persian or English: ``?lang=`` first, then the Accept-Language header, then the
user's session choice, then Persian.
"""

from __future__ import annotations

from flask import current_app, jsonify, request, session
from flask_babel import force_locale
from flask_smorest import Blueprint
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from engine.errors import N_, InvalidData, RavandError
from web.i18n import message_text, translate

HTTP_CODES = {
    400: ("bad_request", N_("The request is not valid.")),
    401: ("unauthorized", N_("Please log in, or send a valid API token.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not_found", N_("Not found.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    409: ("conflict", N_("This was changed by someone else; reload and try again.")),
    413: ("too_large", N_("The request is too large.")),
    422: ("invalid_request", N_("The request is not valid.")),
    429: ("too_many_requests", N_("Too many requests. Please wait a little and try again.")),
    500: ("internal_error", N_("Something went wrong on the server; please try again later.")),
}
FALLBACK = ("error", N_("The request could not be carried out."))
# marshmallow's messages for bad request bodies and parameters, marked here for translation.
MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Not a valid mapping type."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Invalid input type."),
)


class ErrorSchema(Schema):
    code = fields.String(
        metadata={"description": "A stable error code: not_found, forbidden, invalid_data, ..."}
    )
    message = fields.String(metadata={"description": "The message in the request's language"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Per-field messages, for invalid input"},
    )


class ApiError(Exception):
    """An error a view reports directly: a status, a stable code and a message template."""

    def __init__(self, status: int, template: str | None = None, code: str | None = None, **params):
        default_code, default_template = HTTP_CODES.get(status, FALLBACK)
        self.status, self.code = status, code or default_code
        self.template, self.params = template or default_template, params
        super().__init__(self.template)


def api_locale() -> str:
    languages = current_app.config["RAVAND_LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        return chosen
    if request.accept_languages:
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return (
        session.get("lang")
        if session.get("lang") in languages
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def error_response(
    status: int, code: str, template: str, params: dict | None = None, fields: dict | None = None
):
    with force_locale(api_locale()):
        body = {"code": code, "message": translate(template, params)}
        if fields is not None:
            body["fields"] = {name: message_text(message) for name, message in fields.items()}
    return jsonify(body), status


def handle_api_error(error: ApiError):
    return error_response(error.status, error.code, error.template, error.params)


def handle_ravand_error(error: RavandError):
    fields = error.field_errors if isinstance(error, InvalidData) else None
    return error_response(error.http_status, error.code, error.template, error.params, fields)


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if isinstance(error, CSRFError):
        return error_response(
            400, "csrf", N_("The security token is missing or has expired; reload and try again.")
        )
    code, template = HTTP_CODES.get(status, FALLBACK)
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    fields = _flatten(messages) if messages else None
    return error_response(status, code, template, fields=fields)


def _flatten(messages: dict) -> dict[str, str]:
    """webargs' messages by location ({"json": {"data": ["..."]}}) as {"data": "..."}."""
    flat: dict[str, str] = {}
    for by_field in messages.values():
        flat.update(_flatten_fields(by_field, ""))
    return flat


def _flatten_fields(value, prefix: str) -> dict[str, str]:
    if isinstance(value, dict):
        flat = {}
        for key, inner in value.items():
            flat.update(_flatten_fields(inner, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): str(value[0] if isinstance(value, list) and value else value)}


def install_error_handlers(blp: Blueprint) -> None:
    """JSON errors for every request the blueprint serves (by code, so the pages' HTML handlers stay out)."""
    blp.register_error_handler(ApiError, handle_api_error)
    blp.register_error_handler(RavandError, handle_ravand_error)
    for status in HTTP_CODES:
        blp.register_error_handler(status, handle_http_error)
    blp.register_error_handler(HTTPException, handle_http_error)
