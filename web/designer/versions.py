"""Version history, the visual diff of a deployed version, and migrating running instances to a version."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.definitions import drafts
from engine.errors import RavandError
from engine.models import ProcessDefinition, ProcessInstance
from engine.runtime import migration
from engine.runtime.migration import MIGRATABLE
from web.designer import bp
from web.designer.common import designer_required, engine, js_messages
from web.i18n import error_text

MAX_INSTANCES = 500


@bp.get("/<key>/versions")
@designer_required
def versions(key: str):
    ctx = engine()
    history = drafts.versions(ctx, key)
    if not history:
        abort(404)
    with ctx.db.transaction() as session:
        running = session.execute(
            select(
                ProcessInstance.id, ProcessInstance.title, ProcessInstance.status, ProcessDefinition.version
            )
            .join(ProcessDefinition)
            .where(ProcessInstance.process_key == key, ProcessInstance.status.in_(MIGRATABLE))
            .order_by(ProcessInstance.id)
            .limit(MAX_INSTANCES)
        ).all()
    return render_template("designer/versions.html", key=key, history=history, running=running)


@bp.get("/<key>/versions/<int:version>/diff")
@designer_required
def diff(key: str, version: int):
    history = {v["version"]: v for v in drafts.versions(engine(), key)}
    if version not in history:
        abort(404)
    current = drafts.version_files(engine(), key, version)
    main = drafts.main_bpmn_file(key, current)
    previous = max((v for v in history if v < version), default=None)
    before = drafts.version_files(engine(), key, previous) if previous else {}
    files = {
        "added": sorted(set(current) - set(before)),
        "removed": sorted(set(before) - set(current)),
        "changed": sorted(n for n in set(current) & set(before) if current[n] != before[n]),
    }
    return render_template(
        "designer/diff.html",
        key=key,
        version=history[version],
        previous=previous,
        main=main,
        files=files,
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
    with engine().db.transaction() as session:
        definition = session.get(ProcessDefinition, target)
        if definition is None or definition.key != key:
            abort(404)
        if from_versions:
            ids += session.scalars(
                select(ProcessInstance.id)
                .join(ProcessDefinition)
                .where(
                    ProcessDefinition.key == key,
                    ProcessDefinition.version.in_(from_versions),
                    ProcessInstance.status.in_(MIGRATABLE),
                )
                .order_by(ProcessInstance.id)
            ).all()
    return target, sorted(set(ids))[:MAX_INSTANCES]


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
