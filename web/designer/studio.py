"""The models list and the studio: drafts, checks and deploys (JSON endpoints for the editor's script)."""

from __future__ import annotations

import re

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.definitions import drafts
from engine.errors import RavandError
from engine.models import ProcessDefinition, ProcessDraft
from web.designer import bp
from web.designer.common import (
    catalog_names,
    designer_required,
    engine,
    error_json,
    js_messages,
    json_body,
    roles,
    seed_files,
)
from web.designer.decisions import try_decision
from web.home import digits
from web.i18n import error_text, problem_dict

_DECISION_ID = re.compile(r"<(?:\w+:)?decision\b[^>]*?\bid=\"([^\"]+)\"")


@bp.get("/")
@designer_required
def index():
    models = drafts.list_models(engine(), catalog_names())
    return render_template("designer/index.html", models=models, roles=roles())


@bp.post("/new")
@designer_required
def create():
    key, name = request.form.get("key", "").strip(), request.form.get("name", "").strip()
    try:
        drafts.create_draft(
            engine(), key, name, current_user.username, request.form.get("role") or "coord_expert"
        )
    except RavandError as exc:
        flash(_field_errors(exc), "danger")
        return redirect(url_for("designer.index"))
    flash(_("The process '%(key)s' was created from the template.", key=key), "success")
    return redirect(url_for("designer.studio", key=key))


@bp.post("/<key>/copy")
@designer_required
def copy(key: str):
    new_key = request.form.get("new_key", "").strip()
    try:
        drafts.copy_draft(engine(), key, new_key, current_user.username, seed_files(key))
    except RavandError as exc:
        flash(_field_errors(exc), "danger")
        return redirect(url_for("designer.index"))
    flash(_("'%(key)s' was copied to '%(new)s'.", key=key, new=new_key), "success")
    return redirect(url_for("designer.studio", key=new_key))


@bp.post("/<key>/archive")
@designer_required
def archive(key: str):
    archived = request.form.get("archived", "1") == "1"
    try:
        drafts.set_archived(engine(), key, archived, current_user.username)
    except RavandError as exc:
        flash(error_text(exc), "danger")
    else:
        flash(_("The process was archived.") if archived else _("The process was restored."), "success")
    return redirect(url_for("designer.index"))


@bp.get("/<key>/")
@designer_required
def studio(key: str):
    try:
        draft = drafts.get_draft(engine(), key, seed_files(key))
    except RavandError as exc:
        return render_template(
            "auth/error.html", status=exc.http_status, message=error_text(exc)
        ), exc.http_status
    return render_template("designer/studio.html", draft=draft, messages=js_messages())


@bp.get("/<key>/draft")
@designer_required
def draft_json(key: str):
    ctx = engine()
    try:
        draft = drafts.get_draft(ctx, key, seed_files(key))
    except RavandError as exc:
        return error_json(exc)
    with ctx.db.transaction() as session:
        processes = sorted(
            set(session.scalars(select(ProcessDefinition.key)).all())
            | set(session.scalars(select(ProcessDraft.key)).all())
            | set(catalog_names())
        )
    decisions = sorted(
        {d for name, text in draft.files.items() if name.endswith(".dmn") for d in _DECISION_ID.findall(text)}
    )
    return jsonify(draft=draft.to_dict(), roles=roles(), processes=processes, decisions=decisions)


@bp.post("/<key>/draft")
@designer_required
def save(key: str):
    body = json_body()
    files, revision = body.get("files"), body.get("revision")
    if not isinstance(files, dict) or not isinstance(revision, int):
        return jsonify(code="invalid_data", message=_("The request could not be carried out.")), 400
    try:
        draft = drafts.save_draft(engine(), key, files, revision, current_user.username)
    except RavandError as exc:
        return error_json(exc)
    return jsonify(draft=draft.to_dict(), message=_("The draft was saved."))


@bp.post("/<key>/check")
@designer_required
def check(key: str):
    try:
        problems = drafts.check_draft(engine(), key, seed_files(key))
    except RavandError as exc:
        return error_json(exc)
    return jsonify(problems=[problem_dict(p) for p in problems])


@bp.post("/<key>/deploy")
@designer_required
def deploy(key: str):
    body = json_body()
    revision = body.get("revision")
    if not isinstance(revision, int):
        return jsonify(code="invalid_data", message=_("The request could not be carried out.")), 400
    try:
        result = drafts.deploy_draft(
            engine(), key, revision, current_user.username, str(body.get("comment") or "")
        )
    except RavandError as exc:
        return error_json(exc)
    message = (
        _("Version %(version)s was deployed.", version=digits(result.version))
        if result.created
        else _("This content is already deployed as version %(version)s.", version=digits(result.version))
    )
    diff_url = url_for("designer.diff", key=key, version=result.version)
    return jsonify({**result.to_dict(), "message": message, "diff_url": diff_url})


@bp.get("/<key>/versions/<int:version>/files/<name>")
@designer_required
def version_file(key: str, version: int, name: str):
    try:
        files = drafts.version_files(engine(), key, version)
    except RavandError as exc:
        return error_json(exc)
    if name not in files:
        return jsonify(code="not_found", message=_("Not found.")), 404
    # Plain text, never rendered: a file is designers' content, and XML could carry XHTML scripts.
    response = Response(files[name], mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.post("/<key>/decisions/try")
@designer_required
def try_it(key: str):
    body = json_body()
    try:
        # The table as it is in the editor, else the draft's decision files.
        if isinstance(body.get("dmn"), str):
            files = {"try.dmn": body["dmn"]}
        else:
            files = drafts.get_draft(engine(), key, seed_files(key)).files
        result = try_decision(engine(), files, str(body.get("decision") or ""), body.get("inputs") or {})
    except RavandError as exc:
        return error_json(exc)
    return jsonify(result=result)


def _field_errors(exc: RavandError) -> str:
    fields = getattr(exc, "field_errors", None)
    if fields:
        return " ".join(_(message) for message in fields.values())
    return error_text(exc)
