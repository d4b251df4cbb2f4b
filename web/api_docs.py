"""What makes the OpenAPI document exact: an operationId per operation, tags named for the people who use
them, one multipart body for an upload, and the error answers each operation can give.

Every API blueprint is an ``ApiBlueprint``. Its ``route`` documents, besides what the view declares:
401 where a login is needed, 403 where only some users may call it (``restricted``), 404 where the
path names something, and 400 (the CSRF token of a session) for unsafe methods. 409 and the per-view
403s are declared by the views, where the engine can answer them.
"""

from __future__ import annotations

import re

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from web.api_errors import ErrorSchema

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ApiParser(FlaskParser):
    """webargs with a ``multipart`` location: the form fields and the files of one multipart body."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


def operation_id(function_name: str) -> str:
    """``list_my_tasks`` → ``listMyTasks``."""
    head, *rest = function_name.split("_")
    return head + "".join(word.capitalize() for word in rest)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def __init__(
        self, name: str, import_name: str, *, tag: str, description: str, login: bool, restricted: str | None
    ):
        super().__init__(name, import_name, description=description)
        self.tag, self.login, self.restricted = tag, login, restricted

    def route(self, rule, *, parameters=None, tags=None, **options):
        # Operations are tagged with the people they serve, not with the blueprint's name.
        register = super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)
        methods = set(options.get("methods") or ["GET"])

        def decorator(func):
            declared = getattr(func, "_apidoc", {}).get("response", {}).get("responses", {})
            documented = func
            for status, description in self._usual_errors(rule, methods).items():
                if status not in declared:
                    documented = self.alt_response(status, schema=ErrorSchema, description=description)(
                        documented
                    )
            documented = self.doc(operationId=operation_id(func.__name__))(documented)
            return register(documented)

        return decorator

    def _usual_errors(self, rule: str, methods: set[str]) -> dict[int, str]:
        errors: dict[int, str] = {}
        if self.login:
            errors[401] = "No login session and no valid API token"
            if methods & UNSAFE:
                errors[400] = "With a login session: the CSRF token (X-CSRFToken) is missing or expired"
        if self.restricted:
            errors[403] = self.restricted
        if re.search(r"<[^>]+>", rule):
            errors[404] = "Nothing with this id, or nothing you may see"
        return errors
