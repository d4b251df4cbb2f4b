"""The processes and versions within a supervisor's scope."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.models import (
    ProcessDefinition,
    ProcessInstance,
)
from engine.org.scopes import Scope
from engine.reporting.common import process_names, reading


def visible_processes(ctx: Context, scope: Scope, session: Session | None = None) -> dict[str, str]:
    """Process key → name (latest version) of the processes in the scope, by name."""
    with reading(ctx, session) as session:
        names = process_names(session)
        if not scope.everything:
            keys = set(scope.process_keys) | set(
                session.scalars(select(ProcessInstance.process_key).where(scope.instances()).distinct())
            )
            names = {k: v for k, v in names.items() if k in keys}
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


def definitions_in_scope(ctx: Context, scope: Scope, session: Session | None = None) -> list[dict]:
    """Every deployed version of the processes in the scope, with its instances by status."""
    keys = visible_processes(ctx, scope)
    with reading(ctx, session) as session:
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for definition_id, status, count in session.execute(
            select(ProcessInstance.definition_id, ProcessInstance.status, func.count())
            .where(scope.instances())
            .group_by(ProcessInstance.definition_id, ProcessInstance.status)
        ):
            counts[definition_id][status] = count
        rows = session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.key.in_(list(keys)))
            .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
        ).all()
        return [
            {
                "id": d.id,
                "key": d.key,
                "name": keys[d.key],
                "version": d.version,
                "deployed_at": d.deployed_at,
                "instances": counts[d.id],
                "total": sum(counts[d.id].values()),
            }
            for d in rows
        ]
