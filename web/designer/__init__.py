"""The process designer's studio at /designer/: models and drafts, the BPMN, form and decision editors,
checks and deploys, version history and the migration of running instances. Designers only."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("designer", __name__, url_prefix="/designer")

from web.designer import files, studio, versions  # noqa: E402, F401  (they register their routes on bp)
