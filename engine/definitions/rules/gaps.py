"""What Ravand cannot run (``engine.definitions.support``), refused at its element with its reason."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import is_bpmn, local
from engine.definitions.rules.base import Checking, rule
from engine.definitions.support import UNSUPPORTED
from engine.errors import Problem


def _matches(element, gap: str) -> bool:
    name, _, attribute = gap.partition("@")
    parent, _, child = name.rpartition("/")
    if local(element) != child:
        return False
    if parent and not is_bpmn(element.getparent(), parent):
        return False
    return not attribute or element.get(attribute) is not None


@rule("not-supported", "Ravand: what it cannot run yet (engine/definitions/support.py)")
def not_supported(c: Checking) -> Iterator[Problem]:
    """Elements Ravand cannot run are refused, each with the reason."""
    wanted = {gap.element.partition("@")[0].rpartition("/")[2] for gap in UNSUPPORTED}
    for element in c.model.bpmn(*wanted):
        for gap in UNSUPPORTED:
            if _matches(element, gap.element):
                yield c.problem(element, gap.reason)
                break
