"""The database out of reach for a moment (a restart, a failover, connections terminated, SQLite busy).

A request caught in it was rolled back whole, so it is answered 503 with ``Retry-After``, in the
reader's language, instead of a 500: the user (or the client) tries again, and the next request gets a
fresh connection (``pool_pre_ping``) without any restart of Ravand.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def install_outages(app: Flask) -> None:
    @app.errorhandler(DBAPIError)
    def _database_unreachable(error: DBAPIError):
        if not (isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated):
            raise error  # a bug, not an outage: the usual 500
        log.warning("database unreachable during %s %s: %s", request.method, request.path, error.orig)
        message = _("The database could not be reached; nothing was saved. Please try again in a moment.")
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            response = jsonify(code="unavailable", message=message)
        else:
            response = render_template("auth/error.html", status=503, message=message)
        return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
