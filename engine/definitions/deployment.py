"""Deploying bundles as immutable, content-addressed versions of a process key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions import schedule
from engine.definitions.bundle import Bundle, file_kind
from engine.definitions.expressions import with_latin_digits
from engine.definitions.validation import check_bundle
from engine.errors import N_, BundleInvalid, NotFound, Problem
from engine.models import DefinitionFile, ProcessDefinition


@dataclass(frozen=True)
class DeployResult:
    key: str
    version: int
    definition_id: int
    created: bool

    def to_dict(self) -> dict:
        return {"key": self.key, "version": self.version, "id": self.definition_id, "created": self.created}


def check(ctx: Context, bundle: Bundle, studio: bool = False) -> list[Problem]:
    """Run every deploy-time check on a bundle without saving anything (``studio``: the lint's rules too)."""
    bundle = Bundle(bundle.key, with_latin_digits(bundle.files))
    with ctx.db.read() as session:
        parsed, problems = check_bundle(bundle, lambda lane: ctx.role_for_lane(session, lane), studio)
    if parsed is not None and not problems:
        problems = schedule.schedule_problems(ctx, parsed)
    return problems


def deploy(
    ctx: Context, bundle: Bundle, user: str | None = None, comment: str | None = None, studio: bool = False
) -> DeployResult:
    """Save a bundle as the next version of its key, unless the same content is already deployed.

    Nothing is saved if any check fails: ``BundleInvalid`` lists every problem with file and line.
    The Persian digits of expressions are saved as Latin digits, as the checks read them.
    """
    bundle = Bundle(bundle.key, with_latin_digits(bundle.files))
    with ctx.db.transaction() as session:
        existing = session.scalar(
            select(ProcessDefinition).where(
                ProcessDefinition.key == bundle.key, ProcessDefinition.content_hash == bundle.content_hash
            )
        )
        if existing is not None:
            return DeployResult(existing.key, existing.version, existing.id, created=False)
        ctx.forget_roles()
        parsed, problems = check_bundle(bundle, lambda lane: ctx.role_for_lane(session, lane), studio)
        if parsed is not None and not problems:
            problems = schedule.schedule_problems(ctx, parsed)
        if problems:
            raise BundleInvalid(problems)
        version = (
            session.scalar(
                select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == bundle.key)
            )
            or 0
        ) + 1
        definition = ProcessDefinition(
            key=bundle.key,
            version=version,
            content_hash=bundle.content_hash,
            name=parsed.spec.description or bundle.key,
            deployed_by=user,
            comment=comment,
            files=[
                DefinitionFile(name=name, kind=file_kind(name), content=content.decode("utf-8"))
                for name, content in sorted(bundle.files.items())
            ],
        )
        session.add(definition)
        session.flush()
        ctx._specs[definition.id] = parsed
        schedule.schedule(ctx, session, definition, parsed)
        return DeployResult(definition.key, definition.version, definition.id, created=True)


def latest(session: Session, key: str) -> ProcessDefinition:
    definition = session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
    )
    if definition is None:
        raise NotFound(N_("No process '{key}' is deployed."), key=key)
    return definition


def list_definitions(ctx: Context) -> list[dict]:
    with ctx.db.read() as session:
        rows = session.scalars(
            select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version)
        )
        return [
            {
                "id": d.id,
                "key": d.key,
                "version": d.version,
                "name": d.name,
                "hash": d.content_hash[:12],
                "deployed_at": d.deployed_at.isoformat(),
                "deployed_by": d.deployed_by,
            }
            for d in rows
        ]
