"""Names the script sandbox keeps for itself (``_getattr_``, ``_write_``, the clock ...) cannot be data.

The sandbox strips task-data keys beginning with ``_`` before every evaluation; a bundle that would
write such a key (a decision's output column, a data input or output, a multi-instance item, a message
or result variable) is refused at deploy instead of losing the value silently later.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import SPIFF, local
from engine.definitions.rules.base import Checking, rule
from engine.errors import N_, Problem

_MESSAGE = N_("The data name '{name}' begins with '_': such names belong to the script sandbox; rename it.")


def _reserved(name: str | None) -> bool:
    return bool(name) and name.strip().startswith("_")


@rule("sandbox-reserved-names", "Ravand: the script sandbox's own names")
def sandbox_reserved_names(c: Checking) -> Iterator[Problem]:
    """No decision output, data input/output/object, property or multi-instance item is named ``_...``."""
    for file in c.model.dmn_files.values():
        for element in file.root.iter():
            if local(element) == "output" and _reserved(element.get("name")):
                yield c.problem(element, _MESSAGE, name=element.get("name"))
    for element in c.model.bpmn(
        "dataObject", "dataInput", "dataOutput", "property", "inputDataItem", "outputDataItem"
    ):
        name = element.get("name") or element.get("id")
        if _reserved(name):
            yield c.problem(element, _MESSAGE, name=name)
    for element in c.model.bpmn("loopDataInputRef", "loopDataOutputRef"):
        if _reserved(element.text):
            yield c.problem(element, _MESSAGE, name=element.text.strip())
    for file in c.model.bpmn_files.values():
        for tag in ("messageVariable", "variableName", "resultVariable"):
            for element in file.root.iter(f"{{{SPIFF}}}{tag}"):
                if _reserved(element.text):
                    yield c.problem(element, _MESSAGE, name=element.text.strip())
