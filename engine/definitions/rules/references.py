"""References (BPMN 2.0.2 §8 Core Structure, Table 8.x "…Ref" attributes; §12 BPMN DI): every reference
names an element of the file, of a kind it may name."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import (
    ACTIVITIES,
    BPMN,
    BPMNDI,
    EVENT_DEFINITIONS,
    FLOW_NODES,
    is_bpmn,
    local,
)
from engine.definitions.rules.base import Checking, rule
from engine.errors import N_, Problem

ITEM_AWARE = frozenset(
    {"dataObject", "dataObjectReference", "dataStoreReference", "dataInput", "dataOutput", "property"}
)
INTERACTION = FLOW_NODES | {"participant"}

# (owner elements, attribute — or "<child>" for a child element's text —, the kinds it may name)
REFERENCES: tuple[tuple[frozenset[str], str, frozenset[str]], ...] = (
    (frozenset({"boundaryEvent"}), "attachedToRef", ACTIVITIES),
    (
        ACTIVITIES | {"exclusiveGateway", "inclusiveGateway", "complexGateway"},
        "default",
        frozenset({"sequenceFlow"}),
    ),
    (
        frozenset({"messageEventDefinition", "sendTask", "receiveTask", "messageFlow"}),
        "messageRef",
        frozenset({"message"}),
    ),
    (frozenset({"messageEventDefinition"}), "<operationRef>", frozenset({"operation"})),
    (frozenset({"sendTask", "receiveTask", "serviceTask"}), "operationRef", frozenset({"operation"})),
    (frozenset({"signalEventDefinition"}), "signalRef", frozenset({"signal"})),
    (frozenset({"errorEventDefinition"}), "errorRef", frozenset({"error"})),
    (frozenset({"escalationEventDefinition"}), "escalationRef", frozenset({"escalation"})),
    (frozenset({"compensateEventDefinition"}), "activityRef", ACTIVITIES),
    (frozenset({"linkEventDefinition"}), "<source>", frozenset({"linkEventDefinition"})),
    (frozenset({"linkEventDefinition"}), "<target>", frozenset({"linkEventDefinition"})),
    (frozenset(FLOW_NODES), "<eventDefinitionRef>", EVENT_DEFINITIONS),
    (frozenset({"participant"}), "processRef", frozenset({"process"})),
    (frozenset({"participant"}), "<interfaceRef>", frozenset({"interface"})),
    (frozenset({"process"}), "<supports>", frozenset({"process"})),
    (frozenset({"messageFlow"}), "sourceRef", INTERACTION),
    (frozenset({"messageFlow"}), "targetRef", INTERACTION),
    (
        frozenset({"message", "dataObject", "dataInput", "dataOutput", "property", "dataStore"}),
        "itemRef",
        frozenset({"itemDefinition"}),
    ),
    (
        frozenset(
            {
                "dataObject",
                "dataInput",
                "dataOutput",
                "property",
                "dataStore",
                "dataObjectReference",
                "dataStoreReference",
            }
        ),
        "itemSubjectRef",
        frozenset({"itemDefinition"}),
    ),
    (frozenset({"dataObjectReference"}), "dataObjectRef", frozenset({"dataObject"})),
    (frozenset({"dataStoreReference"}), "dataStoreRef", frozenset({"dataStore"})),
    (frozenset({"dataInputAssociation"}), "<sourceRef>", ITEM_AWARE),
    (frozenset({"dataInputAssociation"}), "<targetRef>", frozenset({"dataInput", "property"})),
    (frozenset({"dataOutputAssociation"}), "<sourceRef>", frozenset({"dataOutput", "property"})),
    (frozenset({"dataOutputAssociation"}), "<targetRef>", ITEM_AWARE),
    (frozenset({"inputSet"}), "<dataInputRefs>", frozenset({"dataInput"})),
    (frozenset({"inputSet"}), "<optionalInputRefs>", frozenset({"dataInput"})),
    (frozenset({"inputSet"}), "<whileExecutingInputRefs>", frozenset({"dataInput"})),
    (frozenset({"inputSet"}), "<outputSetRefs>", frozenset({"outputSet"})),
    (frozenset({"outputSet"}), "<dataOutputRefs>", frozenset({"dataOutput"})),
    (frozenset({"outputSet"}), "<optionalOutputRefs>", frozenset({"dataOutput"})),
    (frozenset({"outputSet"}), "<whileExecutingOutputRefs>", frozenset({"dataOutput"})),
    (frozenset({"outputSet"}), "<inputSetRefs>", frozenset({"inputSet"})),
    (frozenset({"operation"}), "<inMessageRef>", frozenset({"message"})),
    (frozenset({"operation"}), "<outMessageRef>", frozenset({"message"})),
    (frozenset({"operation"}), "<errorRef>", frozenset({"error"})),
    (frozenset({"lane"}), "<flowNodeRef>", FLOW_NODES),
    (frozenset({"partnerEntity", "partnerRole"}), "<participantRef>", frozenset({"participant"})),
    (frozenset({"ioBinding"}), "operationRef", frozenset({"operation"})),
    (frozenset({"ioBinding"}), "inputDataRef", frozenset({"dataInput"})),
    (frozenset({"ioBinding"}), "outputDataRef", frozenset({"dataOutput"})),
    (frozenset({"process"}), "<supportedInterfaceRef>", frozenset({"interface"})),
    (frozenset({"correlationPropertyRetrievalExpression"}), "messageRef", frozenset({"message"})),
    (frozenset({"correlationKey"}), "<correlationPropertyRef>", frozenset({"correlationProperty"})),
    (frozenset({"correlationProperty"}), "type", frozenset({"itemDefinition"})),
    (frozenset({"association"}), "sourceRef", frozenset()),
    (frozenset({"association"}), "targetRef", frozenset()),
    (frozenset({"collaboration"}), "<choreographyRef>", frozenset({"choreography"})),
)
_BY_OWNER: dict[str, list[tuple[str, frozenset[str]]]] = {}
for _owners, _where, _kinds in REFERENCES:
    for _owner in _owners:
        _BY_OWNER.setdefault(_owner, []).append((_where, _kinds))


def _values(element, where: str) -> list[tuple[object, str]]:
    """(the element that holds it, the reference) for an attribute, or for each child's text."""
    if where.startswith("<"):
        name = where[1:-1]
        return [(child, (child.text or "").strip()) for child in element if is_bpmn(child, name)]
    value = element.get(where)
    return [(element, value.strip())] if value is not None else []


def _external(element, reference: str) -> bool:
    """A QName reference whose prefix names another namespace than the file's: an import we cannot read."""
    if ":" not in reference:
        return False
    prefix = reference.split(":", 1)[0]
    namespace = element.nsmap.get(prefix)
    root = element.getroottree().getroot()
    return namespace is not None and namespace not in (root.get("targetNamespace"), BPMN)


@rule("references", "§8 Core Structure (references by id); §10.4 Items and Data")
def references(c: Checking) -> Iterator[Problem]:
    """Every reference names an element of its file, of a kind it may name."""
    for file in c.model.bpmn_files.values():
        for element in file.bpmn(*_BY_OWNER):
            for where, kinds in _BY_OWNER[local(element)]:
                for holder, reference in _values(element, where):
                    if not reference or _external(element, reference):
                        continue
                    target = file.get(reference)
                    name = where.strip("<>")
                    if target is None:
                        yield c.problem(
                            holder,
                            N_("'{name}' names '{ref}', which is not in the file."),
                            name=name,
                            ref=reference,
                        )
                    elif kinds and local(target) not in kinds:
                        yield c.problem(
                            holder,
                            N_("'{name}' names '{ref}', a {kind}; it must name a {expected}."),
                            name=name,
                            ref=reference,
                            kind=local(target),
                            expected=" / ".join(sorted(kinds)),
                        )


@rule("diagram-references", "§12 BPMN Diagram Interchange (bpmnElement)", studio_only=True)
def diagram_references(c: Checking) -> Iterator[Problem]:
    """Every shape and edge of the diagram draws an element of the file."""
    for file in c.model.bpmn_files.values():
        for shape in file.root.iter(
            f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge", f"{{{BPMNDI}}}BPMNPlane"
        ):
            reference = shape.get("bpmnElement")
            if reference and file.get(reference) is None and not _external(shape, reference):
                yield c.problem(
                    shape,
                    N_("The diagram draws '{ref}', which is not in the file."),
                    ref=reference,
                )
