"""The process data names a bundle can set: form fields, script assignments, decision outputs, message
and signal variables, multi-instance items and data elements."""

from __future__ import annotations

import ast

from engine.definitions.expressions import sites
from engine.definitions.model import SPIFF, local
from engine.definitions.rules.base import Checking


def _form_keys(component: object) -> set[str]:
    found = set()
    if isinstance(component, dict):
        if isinstance(component.get("key"), str):
            found.add(component["key"].split(".")[0])
        for value in component.values():
            found |= _form_keys(value)
    elif isinstance(component, list):
        for value in component:
            found |= _form_keys(value)
    return found


def _assigned(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def defined_names(c: Checking) -> set[str]:
    """Every name some part of the bundle writes into the process data."""
    names: set[str] = set()
    for schema in c.forms.values():
        names |= _form_keys(schema) if schema is not None else set()
    for site in sites(c.model):
        if site.mode == "exec":
            names |= _assigned(site.source)
    for file in c.model.dmn_files.values():
        names |= {e.get("name") for e in file.root.iter() if local(e) == "output" and e.get("name")}
    for file in c.model.bpmn_files.values():
        for tag in ("messageVariable", "variableName", "resultVariable"):
            names |= {(e.text or "").strip() for e in file.root.iter(f"{{{SPIFF}}}{tag}")}
        for element in file.bpmn(
            "dataObject", "dataInput", "dataOutput", "property", "inputDataItem", "outputDataItem"
        ):
            names |= {element.get("name"), element.get("id")}
        for element in file.bpmn("loopDataInputRef", "loopDataOutputRef"):
            names.add((element.text or "").strip())
    names.discard(None)
    names.discard("")
    return names
