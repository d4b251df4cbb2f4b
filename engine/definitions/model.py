"""A bundle's BPMN and DMN read once with lxml: processes, elements by id, references, diagrams.

Deploy, drafts, the studio and the pages ask this model instead of scanning the XML text: which
processes a file holds, which processes it calls and which decisions it names, which element an id
names (ids are resolved within their own file, as XML IDREFs are), which lane holds a flow node, and
which file draws an element. A file that is not well-formed XML is kept in ``unreadable`` with its
error, so the checker can report it at its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from engine.definitions.safe_xml import UnsafeXML, parse_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

TASKS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
    }
)
SUB_PROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
ACTIVITIES = TASKS | SUB_PROCESSES | {"callActivity"}
EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAYS = frozenset(
    {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway", "eventBasedGateway"}
)
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
ARTIFACTS = frozenset({"association", "textAnnotation", "group"})
EVENT_DEFINITIONS = frozenset(
    {
        "messageEventDefinition",
        "timerEventDefinition",
        "escalationEventDefinition",
        "conditionalEventDefinition",
        "linkEventDefinition",
        "errorEventDefinition",
        "cancelEventDefinition",
        "compensateEventDefinition",
        "signalEventDefinition",
        "terminateEventDefinition",
    }
)
# The containers of flow elements: each is one "process level" for sequence flows and links.
LEVELS = frozenset({"process"}) | SUB_PROCESSES


_BPMN_PREFIX = f"{{{BPMN}}}"


def local(element) -> str:
    """The local name of an element ('' for comments and processing instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def is_bpmn(element, *names: str) -> bool:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(_BPMN_PREFIX):
        return False
    return not names or tag[len(_BPMN_PREFIX) :] in names


def ref_id(value: str | None) -> str | None:
    """The id a reference names: ``tns:Message_1`` names ``Message_1`` (a QName's local part)."""
    if value is None:
        return None
    value = value.strip()
    return value.rsplit(":", 1)[-1] if value else None


def children(element, *names: str) -> list:
    """The BPMN child elements of ``element``, of the given local names (any if none is given)."""
    return [c for c in element if is_bpmn(c, *names)]


def child_texts(element, name: str) -> list[str]:
    return [(c.text or "").strip() for c in children(element, name)]


def event_definitions(event) -> list:
    return children(event, *EVENT_DEFINITIONS)


@dataclass
class BpmnFile:
    """One BPMN (or DMN) file of a bundle, parsed."""

    name: str
    root: etree._Element
    ids: dict[str, etree._Element] = field(default_factory=dict)
    duplicate_ids: list[etree._Element] = field(default_factory=list)

    by_name: dict[str, list] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._order: dict[int, int] = {}
        for index, element in enumerate(self.root.iter()):
            if not isinstance(element.tag, str):
                continue
            if element.tag.startswith(_BPMN_PREFIX):
                self.by_name.setdefault(element.tag[len(_BPMN_PREFIX) :], []).append(element)
                self._order[id(element)] = index
            element_id = element.get("id")
            if element_id is None:
                continue
            if element_id in self.ids:
                self.duplicate_ids.append(element)
            else:
                self.ids[element_id] = element

    def get(self, reference: str | None):
        """The element a reference names in this file, or None."""
        found = ref_id(reference)
        return self.ids.get(found) if found else None

    def bpmn(self, *names: str) -> Iterator[etree._Element]:
        """Every BPMN element of the file with one of the local names (all BPMN elements if none), in
        document order."""
        lists = [self.by_name.get(n, ()) for n in names] if names else list(self.by_name.values())
        found = [e for found in lists for e in found]
        if len(lists) > 1:
            found.sort(key=lambda e: self._order[id(e)])
        yield from found

    @cached_property
    def lanes(self) -> dict[str, str | None]:
        """Flow node id → the name of the lane holding it (the innermost one, as SpiffWorkflow reads it)."""
        found: dict[str, str | None] = {}
        for ref in self.bpmn("flowNodeRef"):
            if ref.text and ref.text.strip():
                found[ref.text.strip()] = ref.getparent().get("name")
        return found

    @cached_property
    def drawn(self) -> frozenset[str]:
        """The ids of the elements this file's diagram (BPMNDI) draws."""
        return frozenset(
            e.get("bpmnElement")
            for e in self.root.iter(
                f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge", f"{{{BPMNDI}}}BPMNPlane"
            )
            if e.get("bpmnElement")
        )


@dataclass
class BundleModel:
    """The BPMN and DMN files of a bundle, each parsed once."""

    bpmn_files: dict[str, BpmnFile] = field(default_factory=dict)
    dmn_files: dict[str, BpmnFile] = field(default_factory=dict)
    unreadable: dict[str, UnsafeXML] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._file_of = {id(f.root): f for f in (*self.bpmn_files.values(), *self.dmn_files.values())}

    def file_of(self, element) -> BpmnFile:
        return self._file_of[id(element.getroottree().getroot())]

    def resolve(self, element, reference: str | None):
        """The element ``reference`` names, looked up in the file of ``element``."""
        return self.file_of(element).get(reference)

    def bpmn(self, *names: str) -> Iterator[etree._Element]:
        for file in self.bpmn_files.values():
            yield from file.bpmn(*names)

    # --- processes, calls, decisions ----------------------------------------------------------------------

    def processes(self) -> list[etree._Element]:
        return list(self.bpmn("process"))

    def process_ids(self, file: str | None = None) -> list[str]:
        files = [self.bpmn_files[file]] if file else self.bpmn_files.values()
        return [p.get("id") for f in files for p in f.bpmn("process") if p.get("id")]

    def process(self, process_id: str):
        return next((p for p in self.bpmn("process") if p.get("id") == process_id), None)

    def process_file(self, process_id: str) -> str | None:
        """The name of the file that holds the process ``process_id``."""
        return next((n for n, f in self.bpmn_files.items() if process_id in self.process_ids(n)), None)

    def process_name(self, process_id: str) -> str | None:
        process = self.process(process_id)
        return process.get("name") if process is not None else None

    def called_elements(self, file: str | None = None) -> list[str]:
        files = [self.bpmn_files[file]] if file else self.bpmn_files.values()
        return [
            c.get("calledElement") for f in files for c in f.bpmn("callActivity") if c.get("calledElement")
        ]

    def decision_refs(self, file: str | None = None) -> list[str]:
        """The decisions named by business rule tasks (``spiffworkflow:calledDecisionId``)."""
        files = [self.bpmn_files[file]] if file else self.bpmn_files.values()
        return [
            (e.text or "").strip()
            for f in files
            for e in f.root.iter(f"{{{SPIFF}}}calledDecisionId")
            if (e.text or "").strip()
        ]

    def decision_ids(self, file: str | None = None) -> list[str]:
        files = [self.dmn_files[file]] if file else self.dmn_files.values()
        return [e.get("id") for f in files for e in f.root.iter() if local(e) == "decision" and e.get("id")]

    # --- where elements are drawn -------------------------------------------------------------------------

    def file_drawing(self, element_id: str) -> str | None:
        """The BPMN file whose diagram draws the element ``element_id`` (None if none does)."""
        return next((n for n, f in self.bpmn_files.items() if element_id in f.drawn), None)

    def lane_of(self, element) -> str | None:
        """The lane of a flow node; inside a sub-process, the lane of the outermost sub-process."""
        placed = element
        while placed.getparent() is not None and local(placed.getparent()) in SUB_PROCESSES:
            placed = placed.getparent()
        return self.file_of(element).lanes.get(placed.get("id"))


def read_model(files: Mapping[str, bytes | str]) -> BundleModel:
    """Parse every ``.bpmn`` and ``.dmn`` file of a bundle (safely: no DTD, no entities, no network)."""
    bpmn, dmn, unreadable = {}, {}, {}
    for name in sorted(files):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        content = files[name]
        try:
            root = parse_xml(content.encode("utf-8") if isinstance(content, str) else content)
        except UnsafeXML as exc:
            unreadable[name] = exc
            continue
        (bpmn if name.endswith(".bpmn") else dmn)[name] = BpmnFile(name, root)
    return BundleModel(bpmn, dmn, unreadable)
