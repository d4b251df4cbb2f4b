"""The diagrams of a deployed version, for the pages that draw them: which BPMN file draws a process or
an element, read from the version's model (never by searching the XML text)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions.model import BPMN, BundleModel, is_bpmn, read_model
from engine.definitions.safe_xml import parse_xml
from engine.models import DefinitionFile, Role


@dataclass(frozen=True)
class Diagram:
    """A BPMN file of a version that draws a process: the process id and name, the file and its XML."""

    process: str
    name: str
    file: str
    content: str


def _model(session: Session, definition_id: int) -> tuple[BundleModel, dict[str, str]]:
    rows = session.scalars(
        select(DefinitionFile).where(
            DefinitionFile.definition_id == definition_id, DefinitionFile.kind == "bpmn"
        )
    ).all()
    contents = {f.name: f.content for f in rows}
    return read_model(contents), contents


def diagrams_in(session: Session, definition_id: int) -> dict[str, Diagram]:
    """Process id → its diagram, for every process of the bundle (the main one and those it calls)."""
    model, contents = _model(session, definition_id)
    found = {}
    for name, file in model.bpmn_files.items():
        for process in file.bpmn("process"):
            if process.get("id"):
                pid = process.get("id")
                found[pid] = Diagram(pid, process.get("name") or pid, name, contents[name])
    return found


def diagrams(ctx: Context, definition_id: int) -> dict[str, Diagram]:
    with ctx.db.read() as session:
        return diagrams_in(session, definition_id)


def drawing_of_in(session: Session, definition_id: int, element_id: str) -> Diagram | None:
    """The diagram of the version that draws the element ``element_id`` (None if no file draws it)."""
    model, contents = _model(session, definition_id)
    name = model.file_drawing(element_id)
    if name is None:
        return None
    file = model.bpmn_files[name]
    process = file.get(element_id)
    while process is not None and not is_bpmn(process, "process"):
        process = process.getparent()
    if process is None:  # the element is a participant or a collaboration's: take the file's first process
        process = next(iter(file.bpmn("process")), None)
    pid = process.get("id") if process is not None else ""
    return Diagram(pid, (process.get("name") if process is not None else None) or pid, name, contents[name])


def drawing_of(ctx: Context, definition_id: int, element_id: str) -> Diagram | None:
    with ctx.db.read() as session:
        return drawing_of_in(session, definition_id, element_id)


def with_role_names(session: Session, content: str, language: str = "fa") -> str:
    """The diagram as people read it: a lane named by a role's code (how the engine binds the lane's
    tasks to holders of the role) is drawn with the role's name in ``language``. The studio edits the
    file as deployed; only the pages that show a diagram call this."""
    root = parse_xml(content.encode("utf-8"))
    lanes = [lane for lane in root.iter(f"{{{BPMN}}}lane") if lane.get("name")]
    codes = {lane.get("name") for lane in lanes}
    if not codes:
        return content
    names = {
        code: (name_en if language == "en" else name_fa) or code
        for code, name_fa, name_en in session.execute(
            select(Role.code, Role.name_fa, Role.name_en).where(Role.code.in_(codes))
        )
    }
    if not names:
        return content
    for lane in lanes:
        lane.set("name", names.get(lane.get("name"), lane.get("name")))
    return etree.tostring(root, encoding="unicode")
