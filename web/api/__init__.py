"""The REST API under /api/v1: the same actions as the pages, described at /api/v1/openapi.json.

Authentication: the login session (with the CSRF token in ``X-CSRFToken`` for unsafe methods) or a
personal token (``Authorization: Bearer <token>``, made with ``POST /api/v1/token``). Errors are JSON:
``{"code", "message"}``, plus ``fields`` for invalid input.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from web.api import account, instances, public, tasks
from web.api_errors import ErrorSchema
from web.bounds import MAX_ID, IdConverter

PREFIX = "/api/v1"


class RavandApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler: the pages keep their own HTML errors."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, *args, **kwargs):
        self._tags: set[str] = set()
        super().__init__(*args, **kwargs)

    def _register_error_handlers(self) -> None:
        """Each API blueprint installs its own JSON error handlers (web.api.errors)."""

    def register_blueprint(self, blp, *, parameters=None, **options):
        """flask-smorest's, with the document's tags named for people (``ApiBlueprint.tag``), each once."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        if blp.tag not in self._tags:
            self._tags.add(blp.tag)
            self.spec.tag({"name": blp.tag, "description": blp.description})


def register_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "Ravand")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = RavandApi(
        app,
        spec_kwargs={
            "info": {"description": __doc__},
            "security": [{"bearer": []}, {"session": []}],
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    id_schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    api.register_converter(IdConverter, lambda _converter: id_schema)
    for module in (tasks, instances, account, public):
        api.register_blueprint(module.blp, url_prefix=PREFIX)
    app.extensions["ravand_api"] = api
    return api
