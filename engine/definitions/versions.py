"""Deployed versions as the designer reads them: each version's files, the history with its instances,
what changed from one version to the next, and the running instances a migration may move."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions.model import read_model
from engine.errors import N_, NotFound
from engine.models import DefinitionFile, ProcessDefinition, ProcessInstance

MIGRATABLE = ("running", "incident", "suspended")  # the statuses engine.runtime.migration moves
MAX_INSTANCES = 500


def _files(session: Session, key: str, version: int) -> dict[str, str]:
    rows = session.scalars(
        select(DefinitionFile)
        .join(ProcessDefinition)
        .where(ProcessDefinition.key == key, ProcessDefinition.version == version)
    ).all()
    if not rows:
        raise NotFound(N_("Version {version} of '{key}' does not exist."), key=key, version=version)
    return {f.name: f.content for f in rows}


def version_files(ctx: Context, key: str, version: int) -> dict[str, str]:
    """The files of one deployed version."""
    with ctx.db.read() as session:
        return _files(session, key, version)


def _history(session: Session, key: str) -> list[dict]:
    counts: dict[int, dict[str, int]] = {}
    for definition_id, status, count in session.execute(
        select(ProcessInstance.definition_id, ProcessInstance.status, func.count())
        .where(ProcessInstance.process_key == key)
        .group_by(ProcessInstance.definition_id, ProcessInstance.status)
    ):
        counts.setdefault(definition_id, {})[str(status)] = count
    return [
        {
            "id": d.id,
            "version": d.version,
            "name": d.name,
            "deployed_at": d.deployed_at,
            "deployed_by": d.deployed_by,
            "comment": d.comment,
            "instances": counts.get(d.id, {}),
            "running": sum(n for s, n in counts.get(d.id, {}).items() if s in MIGRATABLE),
        }
        for d in session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.key == key)
            .order_by(ProcessDefinition.version.desc())
        )
    ]


def versions(ctx: Context, key: str) -> list[dict]:
    """The version history of a process: who deployed each version, when, why, and its instances by status."""
    with ctx.db.read() as session:
        return _history(session, key)


@dataclass
class VersionsPage:
    key: str
    history: list[dict]
    running: list[dict] = field(default_factory=list)


def versions_page(ctx: Context, key: str) -> VersionsPage:
    """The history of ``key`` and its running instances (those a migration may move), in one read."""
    with ctx.db.read() as session:
        history = _history(session, key)
        if not history:
            raise NotFound(N_("No process '{key}' is deployed."), key=key)
        running = [
            {"id": i, "title": title, "status": str(status), "version": version}
            for i, title, status, version in session.execute(
                select(
                    ProcessInstance.id,
                    ProcessInstance.title,
                    ProcessInstance.status,
                    ProcessDefinition.version,
                )
                .join(ProcessDefinition)
                .where(ProcessInstance.process_key == key, ProcessInstance.status.in_(MIGRATABLE))
                .order_by(ProcessInstance.id)
                .limit(MAX_INSTANCES)
            )
        ]
        return VersionsPage(key, history, running)


@dataclass
class VersionDiff:
    """One version against the one before it: the version, its main file, and what changed."""

    key: str
    version: dict
    previous: int | None
    main: str | None
    files: dict[str, list[str]]


def version_diff(ctx: Context, key: str, version: int) -> VersionDiff:
    with ctx.db.read() as session:
        history = {v["version"]: v for v in _history(session, key)}
        if version not in history:
            raise NotFound(N_("Version {version} of '{key}' does not exist."), key=key, version=version)
        current = _files(session, key, version)
        previous = max((v for v in history if v < version), default=None)
        before = _files(session, key, previous) if previous else {}
    files = {
        "added": sorted(set(current) - set(before)),
        "removed": sorted(set(before) - set(current)),
        "changed": sorted(n for n in set(current) & set(before) if current[n] != before[n]),
    }
    return VersionDiff(key, history[version], previous, read_model(current).process_file(key), files)


def migration_selection(
    ctx: Context, key: str, target: int, instance_ids: list[int], from_versions: list[int]
) -> list[int]:
    """The instances a migration of ``key`` to the definition ``target`` takes: those chosen, and every
    running one of the versions chosen (at most 500)."""
    with ctx.db.read() as session:
        definition = session.get(ProcessDefinition, target)
        if definition is None or definition.key != key:
            raise NotFound(N_("Process definition {id} does not exist."), id=target)
        ids = list(instance_ids)
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
    return sorted(set(ids))[:MAX_INSTANCES]
