"""The diagrams a supervisor may open: every process of a definition's bundle, read with the BPMN model."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions.diagrams import with_role_names
from engine.definitions.model import BpmnFile
from engine.definitions.safe_xml import parse_xml
from engine.errors import N_, NotFound
from engine.models import DefinitionFile, ProcessDefinition
from engine.org.access import load_viewer
from engine.reporting.common import reading
from engine.reporting.processes import visible_processes


def diagram_files(session: Session, definition_id: int) -> dict[str, tuple[str, str]]:
    """Process id → (name, BPMN) of every process in the definition's bundle: the main one and those it
    calls. A called process's diagram shows its own elements, which the markers and the heat map name."""
    files = session.execute(
        select(DefinitionFile.name, DefinitionFile.content).where(
            DefinitionFile.definition_id == definition_id, DefinitionFile.kind == "bpmn"
        )
    ).all()
    found = {}
    for path, content in files:
        model = BpmnFile(path, parse_xml(content.encode()))
        for process in model.bpmn("process"):
            if process.get("id"):
                found[process.get("id")] = (process.get("name") or process.get("id"), content)
    return found


def diagram_choice(
    session: Session, definition_id: int, key: str, chosen: str | None
) -> tuple[str, dict[str, str]]:
    """The process whose diagram a page shows (``chosen`` when it is one, else the main one) and the
    choices."""
    choices = {pid: name for pid, (name, _content) in diagram_files(session, definition_id).items()}
    return (chosen if chosen in choices else key), choices


def diagram_bpmn(
    ctx: Context,
    username: str,
    definition_id: int,
    process: str | None,
    session: Session | None = None,
    language: str = "fa",
) -> str:
    """The BPMN of the definition's main process, or of ``process`` (one it calls), its lanes named by
    their roles in ``language``; not found outside the user's scope."""
    with reading(ctx, session) as session:
        scope = load_viewer(ctx, session, username, ctx.clock.now()).scope
        definition = session.get(ProcessDefinition, definition_id)
        if definition is None or definition.key not in visible_processes(ctx, scope, session=session):
            raise NotFound(N_("Process definition {id} does not exist."), id=definition_id)
        chosen = diagram_files(session, definition_id).get(process or definition.key)
        if chosen is None:
            raise NotFound(N_("Process definition {id} does not exist."), id=definition_id)
        return with_role_names(session, chosen[1], language)


def diagram_choices(ctx: Context, definition_id: int, chosen: str | None) -> tuple[str, dict[str, str]]:
    """``diagram_choice`` for a definition in a read of its own (the heat map page)."""
    with ctx.db.read() as session:
        definition = session.get(ProcessDefinition, definition_id)
        if definition is None:
            raise NotFound(N_("Process definition {id} does not exist."), id=definition_id)
        return diagram_choice(session, definition_id, definition.key, chosen)
