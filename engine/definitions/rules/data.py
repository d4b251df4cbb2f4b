"""Items and data (BPMN 2.0.2 §10.4): data objects and their references, data associations, and the
input/output specification of activities and events."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import child_texts, children, local, ref_id
from engine.definitions.rules.base import Checking, is_true, rule
from engine.definitions.rules.events import definitions
from engine.errors import N_, Problem


def _item(c: Checking, element):
    reference = element.get("itemSubjectRef")
    return c.model.resolve(element, reference) if reference else None


@rule("collections-match-items", "§10.4.1 Data Modeling (isCollection); §10.4.3 ItemDefinition")
def collections_match_items(c: Checking) -> Iterator[Problem]:
    """A data object, input or output is a collection exactly when its item definition is one."""
    for element in c.model.bpmn("dataObject", "dataInput", "dataOutput"):
        item = _item(c, element)
        if item is None or local(item) != "itemDefinition":
            continue
        own = is_true(element, "isCollection", False)
        defined = is_true(item, "isCollection", False)
        if own != defined:
            yield c.problem(
                element,
                N_("isCollection is {own} here but {defined} in its item definition '{item}'."),
                own=str(own).lower(),
                defined=str(defined).lower(),
                item=item.get("id"),
            )


@rule("data-association-sources", "§10.4.5 Data Associations")
def data_association_sources(c: Checking) -> Iterator[Problem]:
    """A data association without a transformation takes exactly one source; each names a target."""
    for association in c.model.bpmn("dataInputAssociation", "dataOutputAssociation"):
        sources = [s for s in child_texts(association, "sourceRef") if s]
        if len(sources) > 1 and not children(association, "transformation"):
            yield c.problem(
                association, N_("A data association without a transformation may have only one sourceRef.")
            )
        if not [t for t in child_texts(association, "targetRef") if t]:
            yield c.problem(association, N_("A data association needs a targetRef."))


@rule("data-association-items", "§10.4.5 Data Associations (ItemDefinition of source and target)")
def data_association_items(c: Checking) -> Iterator[Problem]:
    """Without a transformation, a data association's source and target hold the same kind of item."""
    for association in c.model.bpmn("dataInputAssociation", "dataOutputAssociation"):
        if children(association, "transformation"):
            continue
        ends = []
        for name in ("sourceRef", "targetRef"):
            texts = [t for t in child_texts(association, name) if t]
            ends.append(c.model.resolve(association, texts[0]) if texts else None)
        if any(e is None for e in ends):
            continue
        items = [_item(c, _data_object(c, e)) for e in ends]
        if all(i is not None for i in items) and _structure(items[0]) != _structure(items[1]):
            yield c.problem(
                association,
                N_(
                    "The data association joins items of different kinds "
                    "('{source}', '{target}') without a transformation."
                ),
                source=items[0].get("id"),
                target=items[1].get("id"),
            )


def _data_object(c: Checking, element):
    if local(element) == "dataObjectReference":
        target = c.model.resolve(element, element.get("dataObjectRef"))
        return target if target is not None else element
    return element


def _structure(item) -> tuple[str | None, bool]:
    return ref_id(item.get("structureRef")), is_true(item, "isCollection", False)


@rule("io-sets", "§10.4.2 Execution Semantics for Data (InputSet, OutputSet)")
def io_sets(c: Checking) -> Iterator[Problem]:
    """Each data input (output) belongs to an input (output) set; optional and while-executing references
    name members of their set; sets that name each other name each other back."""
    for spec in c.model.bpmn("ioSpecification"):
        for kind, set_name, refs in (
            ("dataInput", "inputSet", "dataInputRefs"),
            ("dataOutput", "outputSet", "dataOutputRefs"),
        ):
            sets = children(spec, set_name)
            members = {ref_id(t) for s in sets for t in child_texts(s, refs)}
            for data in children(spec, kind):
                if data.get("id") not in members:
                    yield c.problem(
                        data,
                        N_("The {kind} '{id}' belongs to no {set}."),
                        kind=kind,
                        id=data.get("id"),
                        set=set_name,
                    )
            for io_set in sets:
                own = {ref_id(t) for t in child_texts(io_set, refs)}
                prefix = "Input" if kind == "dataInput" else "Output"
                for extra in (f"optional{prefix}Refs", f"whileExecuting{prefix}Refs"):
                    for reference in child_texts(io_set, extra):
                        if ref_id(reference) not in own:
                            yield c.problem(
                                io_set,
                                N_("'{name}' names '{ref}', which is not among the set's {refs}."),
                                name=extra,
                                ref=reference,
                                refs=refs,
                            )
        for io_set in children(spec, "inputSet"):
            for reference in child_texts(io_set, "outputSetRefs"):
                other = c.model.resolve(io_set, reference)
                if other is not None and io_set.get("id") not in {
                    ref_id(t) for t in child_texts(other, "inputSetRefs")
                }:
                    yield c.problem(
                        io_set,
                        N_("The output set '{ref}' does not name this input set back (inputSetRefs)."),
                        ref=reference,
                    )


@rule("event-data", "§10.5.1 Events (dataInput, dataOutput per event definition)")
def event_data(c: Checking) -> Iterator[Problem]:
    """An event that passes data has one data input (throw) or output (catch) per event definition, of the
    item its definition carries."""
    for event in c.model.bpmn(
        "startEvent", "intermediateCatchEvent", "boundaryEvent", "endEvent", "intermediateThrowEvent"
    ):
        catching = local(event) in ("startEvent", "intermediateCatchEvent", "boundaryEvent")
        data = children(event, "dataOutput" if catching else "dataInput")
        if not data:
            continue
        found = definitions(c, event)
        if len(data) != len(found):
            yield c.problem(
                event,
                N_(
                    "The event has {data} data item(s) for {definitions} "
                    "event definition(s); it needs one for each."
                ),
                data=len(data),
                definitions=len(found),
            )
            continue
        for item_holder, definition in zip(data, found, strict=True):
            expected = _carried_item(c, definition)
            actual = _item(c, item_holder)
            if expected is not None and actual is not None and expected is not actual:
                yield c.problem(
                    item_holder,
                    N_("The data item is a '{actual}', but its event definition carries a '{expected}'."),
                    actual=actual.get("id"),
                    expected=expected.get("id"),
                )


def _carried_item(c: Checking, definition):
    """The item definition an event definition carries: its message's, signal's, error's or escalation's."""
    for attribute in ("messageRef", "signalRef", "errorRef", "escalationRef"):
        target = c.model.resolve(definition, definition.get(attribute)) if definition.get(attribute) else None
        if target is not None:
            reference = target.get("itemRef") or target.get("structureRef")
            item = c.model.resolve(target, reference) if reference else None
            return item if item is not None and local(item) == "itemDefinition" else None
    return None


@rule("data-references-placed", "§10.4.1 Data Objects (DataObjectReference)")
def data_references_placed(c: Checking) -> Iterator[Problem]:
    """A data object reference names a data object visible from where it stands (its level or above)."""
    for reference in c.model.bpmn("dataObjectReference"):
        target = c.model.resolve(reference, reference.get("dataObjectRef"))
        if target is None or local(target) != "dataObject":
            continue
        scope = target.getparent()
        parent = reference.getparent()
        while parent is not None and parent is not scope:
            parent = parent.getparent()
        if parent is None:
            yield c.problem(
                reference,
                N_(
                    "The data object '{ref}' is not visible here: it "
                    "belongs to another process or sub-process."
                ),
                ref=target.get("id"),
            )
