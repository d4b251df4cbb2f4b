"""The public status of a request, by its tracking code: no login, rate-limited per address."""

from __future__ import annotations

from flask_babel import force_locale, get_locale

from engine.cases.public_status import public_status as find_status
from engine.errors import N_
from web import guard
from web.api.schemas import PublicStatusSchema
from web.api_access import api_blueprint, ctx
from web.api_errors import ApiError, ErrorSchema, api_locale
from web.catalog import current_catalog
from web.tracking import status_json

blp = api_blueprint(
    "api_public", __name__, "What a citizen may see without logging in.", tag="Public", login=False
)


@blp.route("/public/status/<code>")
@blp.doc(security=[])
@blp.response(200, PublicStatusSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(429, schema=ErrorSchema)
def public_status(code):
    """Where the request with this tracking code stands, in plain words."""
    if not guard.allow("status"):
        raise ApiError(429)
    status = find_status(ctx(), code)
    if status is None:
        raise ApiError(404, N_("No request has this tracking code."), code="unknown_tracking_code")
    with force_locale(api_locale()):
        entry = current_catalog().get(status.process_key)
        name = entry.name(str(get_locale())) if entry else status.process_key
        return status_json(status, name)
