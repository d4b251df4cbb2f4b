"""The supervisor's monitor at /monitor/: where work stands and where it is stuck, and the actions to fix it.

Its REST twin lives in ``web.monitor.api`` under /api/v1/monitor/.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("monitor", __name__, url_prefix="/monitor")

from web.monitor import jobs, tasks, views  # noqa: E402, F401  (register the routes on bp)


def register_monitor(app: Flask) -> None:
    """The pages, and the API blueprint: in the app's OpenAPI document when the API is set up."""
    from web.monitor.api import blp

    app.register_blueprint(bp)
    api = app.extensions.get("ravand_api")
    if api is not None:
        api.register_blueprint(blp, url_prefix="/api/v1")
    else:
        app.register_blueprint(blp, url_prefix="/api/v1")
