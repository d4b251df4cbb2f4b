"""Files in and out of the studio: importing BPMN, DMN and form files into a draft, exporting one file
or the whole draft, and the files of a deployed version (plain text, never rendered)."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from engine.definitions import transfer, versions
from engine.errors import RavandError
from web.designer import bp
from web.designer.common import designer_required, engine, error_json, seed_files


def _plain(text: str | bytes, mimetype: str, download: str | None = None) -> Response:
    # Designers' content is sent as it is and never rendered: XML could carry XHTML scripts.
    response = Response(text, mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


@bp.post("/<key>/import")
@designer_required
def import_files(key: str):
    """Add files to the draft from an upload (several at once), as one new revision."""
    try:
        revision = int(request.form.get("revision", ""))
    except ValueError:
        return jsonify(code="invalid_data", message=_("The request could not be carried out.")), 400
    uploads = {f.filename or "": f.read() for f in request.files.getlist("files")}
    try:
        draft = transfer.import_files(
            engine(), key, uploads, revision, current_user.username, seed_files(key)
        )
    except RavandError as exc:
        return error_json(exc)
    return jsonify(draft=draft.to_dict(), message=_("Imported."))


@bp.get("/<key>/export/<name>")
@designer_required
def export_file(key: str, name: str):
    try:
        text = transfer.export_file(engine(), key, name, seed_files(key))
    except RavandError as exc:
        return error_json(exc)
    return _plain(text, "application/octet-stream", download=name)


@bp.get("/<key>/export.zip")
@designer_required
def export_zip(key: str):
    try:
        content = transfer.export_zip(engine(), key, seed_files(key))
    except RavandError as exc:
        return error_json(exc)
    return _plain(content, "application/zip", download=f"{key}.zip")


@bp.get("/<key>/versions/<int:version>/files/<name>")
@designer_required
def version_file(key: str, version: int, name: str):
    try:
        files = versions.version_files(engine(), key, version)
    except RavandError as exc:
        return error_json(exc)
    if name not in files:
        return jsonify(code="not_found", message=_("Not found.")), 404
    return _plain(files[name], "text/plain")
