"""The models list and the studio: drafts, checks, deploys, starters and archiving (JSON endpoints for
the editor's script). Each action calls one engine service."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.definitions import drafts, starters, trial
from engine.errors import RavandError
from web.catalog import current_catalog
from web.designer import bp
from web.designer.common import (
    catalog_names,
    designer_required,
    engine,
    error_json,
    js_messages,
    json_body,
    seed_files,
)
from web.home import digits
from web.i18n import error_text, field_texts, problem_dict
from web.redirects import local_target


@bp.get("/")
@designer_required
def index():
    models = drafts.list_models(engine(), catalog_names())
    return render_template("designer/index.html", models=models, roles=drafts.role_choices(engine()))


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
        drafts.copy_draft(engine(), key, new_key, current_user.username, seed_files(key), current_catalog())
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
        starters.set_archived(engine(), key, archived, current_user.username)
    except RavandError as exc:
        if request.is_json:
            return error_json(exc)
        flash(error_text(exc), "danger")
    else:
        message = _("The process was archived.") if archived else _("The process was restored.")
        if request.is_json:
            return jsonify(message=message, archived=archived)
        flash(message, "success")
    return redirect(local_target(request.form.get("next"), url_for("designer.index")))


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
    try:
        return jsonify(drafts.studio(engine(), key, seed_files(key), current_catalog()))
    except RavandError as exc:
        return error_json(exc)


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


@bp.post("/<key>/discard")
@designer_required
def discard(key: str):
    revision = json_body().get("revision")
    if not isinstance(revision, int):
        return jsonify(code="invalid_data", message=_("The request could not be carried out.")), 400
    try:
        draft = drafts.discard_draft(engine(), key, revision, current_user.username)
    except RavandError as exc:
        return error_json(exc)
    return jsonify(draft=draft.to_dict(), message=_("The draft was discarded."))


@bp.post("/<key>/check")
@designer_required
def check(key: str):
    try:
        problems = drafts.check_draft(engine(), key, seed_files(key))
    except RavandError as exc:
        return error_json(exc)
    return jsonify(problems=[problem_dict(p) for p in problems])


@bp.post("/<key>/lint")
@designer_required
def lint(key: str):
    """The deploy checks on what is in the editor, unsaved: the studio's live lint asks after each edit."""
    files = json_body().get("files")
    if not isinstance(files, dict):
        return jsonify(code="invalid_data", message=_("The request could not be carried out.")), 400
    try:
        problems = drafts.check_files(engine(), key, files)
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


@bp.post("/<key>/starters")
@designer_required
def set_starters(key: str):
    wanted = json_body().get("starters")
    if not isinstance(wanted, list):
        return jsonify(code="invalid_data", message=_("The request could not be carried out.")), 400
    try:
        access = starters.set_starters(engine(), key, wanted, current_user.username, current_catalog())
    except RavandError as exc:
        return error_json(exc)
    return jsonify(access=access.to_dict(), message=_("Who may start it was saved."))


@bp.post("/<key>/decisions/try")
@designer_required
def try_it(key: str):
    body = json_body()
    try:
        result = trial.try_in_draft(
            engine(),
            key,
            str(body.get("decision") or ""),
            body.get("inputs") or {},
            body.get("dmn"),
            seed_files(key),
        )
    except RavandError as exc:
        return error_json(exc)
    return jsonify(result=result)


def _field_errors(exc: RavandError) -> str:
    fields = field_texts(exc)
    return " ".join(fields.values()) if fields else error_text(exc)
