"""Version history, the visual diff of a deployed version, and migrating running instances to a version."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.definitions import versions as history
from engine.errors import NotFound, RavandError
from engine.runtime import migration
from web.designer import bp
from web.designer.common import designer_required, engine, js_messages
from web.i18n import error_text


@bp.get("/<key>/versions")
@designer_required
def versions(key: str):
    try:
        page = history.versions_page(engine(), key)
    except NotFound:
        abort(404)
    return render_template("designer/versions.html", key=key, history=page.history, running=page.running)


@bp.get("/<key>/versions/<int:version>/diff")
@designer_required
def diff(key: str, version: int):
    try:
        found = history.version_diff(engine(), key, version)
    except NotFound:
        abort(404)
    return render_template(
        "designer/diff.html",
        key=key,
        version=found.version,
        previous=found.previous,
        main=found.main,
        files=found.files,
        messages=js_messages(),
    )


def _selection(key: str) -> tuple[int, list[int]]:
    """The target version of ``key`` and the chosen instances: those ticked, and every running one of the
    versions ticked."""
    try:
        target = int(request.form.get("target", ""))
        ids = [int(i) for i in request.form.getlist("instance")]
        from_versions = [int(v) for v in request.form.getlist("from_version")]
    except ValueError:
        abort(400)
    try:
        return target, history.migration_selection(engine(), key, target, ids, from_versions)
    except NotFound:
        abort(404)


@bp.post("/<key>/migration/preview")
@designer_required
def migration_preview(key: str):
    target, ids = _selection(key)
    if not ids:
        flash(_("Choose the instances to migrate."), "warning")
        return redirect(url_for("designer.versions", key=key))
    try:
        plans = migration.preview(engine(), target, ids)
    except RavandError as exc:
        flash(error_text(exc), "danger")
        return redirect(url_for("designer.versions", key=key))
    return render_template("designer/migration.html", key=key, target=target, plans=plans, results=None)


@bp.post("/<key>/migration/run")
@designer_required
def migration_run(key: str):
    target, ids = _selection(key)
    try:
        results = migration.migrate(engine(), target, ids, current_user.username)
    except RavandError as exc:
        flash(error_text(exc), "danger")
        return redirect(url_for("designer.versions", key=key))
    done = sum(r.migrated for r in results)
    flash(
        _("%(done)s of %(total)s instance(s) were migrated.", done=done, total=len(results)),
        "success" if done == len(results) else "warning",
    )
    return render_template("designer/migration.html", key=key, target=target, plans=None, results=results)
