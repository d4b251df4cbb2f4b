"""Event definitions given by reference (``<eventDefinitionRef>``), written into the events that name them.

BPMN lets an event name a definition declared at the top of the file instead of holding one; SpiffWorkflow
reads only the definitions an event holds. Before the parser sees a file, each reference becomes a copy of
the definition it names (with an id of its own, since ids are unique in a file). An event whose
references do not all resolve is left as it is, for the reference rules to report.
"""

from __future__ import annotations

import copy

from lxml import etree

_REF = "eventDefinitionRef"


def inline_event_definition_refs(root: etree._Element) -> etree._Element:
    """``root`` itself when it names no definition by reference, else a copy with every reference inlined."""
    if not root.xpath("//*[local-name()=$ref]", ref=_REF):
        return root
    root = copy.deepcopy(root)
    declared = {
        element.get("id"): element
        for element in root
        if _is(element) and etree.QName(element).localname.endswith("EventDefinition") and element.get("id")
    }
    for event in {ref.getparent() for ref in root.xpath("//*[local-name()=$ref]", ref=_REF)}:
        refs = [
            child for child in event if isinstance(child.tag, str) and etree.QName(child).localname == _REF
        ]
        names = [(ref.text or "").strip().rsplit(":", 1)[-1] for ref in refs]
        if not all(name in declared for name in names):
            continue
        for ref, name in zip(refs, names, strict=True):
            definition = copy.deepcopy(declared[name])
            definition.set("id", f"{name}__{event.get('id')}")
            definition.tail = ref.tail
            event.replace(ref, definition)
    return root


def _is(element: etree._Element, name: str | None = None) -> bool:
    """An element (not a comment), with the local name ``name`` if given."""
    return isinstance(element.tag, str) and (name is None or etree.QName(element).localname == name)
