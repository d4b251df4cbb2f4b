"""Safe XML parsing and SpiffWorkflow spec building for a bundle.

Every file is first read by defusedxml, which refuses DTDs and entity declarations (XXE, "billion
laughs"), then by lxml with entity resolution and network access off, so nothing is ever expanded.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass
from functools import cached_property

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.definitions.bundle import Bundle
from engine.errors import Problem

_LXML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


class UnsafeXML(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def parse_xml(content: bytes) -> etree._Element:
    """Parse untrusted XML: refuse DTDs and entities, never resolve anything external."""
    try:
        DefusedET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        at = content.find(b"<!DOCTYPE")
        line = content[:at].count(b"\n") + 1 if at >= 0 else None
        raise UnsafeXML(f"refused: {type(exc).__name__} (DTDs and entities are not allowed)", line) from exc
    except DefusedET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise UnsafeXML(f"not well-formed XML: {xml.parsers.expat.ErrorString(exc.code)}", line) from exc
    try:
        return etree.fromstring(content, _LXML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXML(f"not well-formed XML: {exc.msg}", exc.lineno) from exc


@dataclass
class ParsedBundle:
    """The specs of a bundle's main process and of every process it calls."""

    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    trees: dict[str, etree._Element]

    @cached_property
    def event_kinds(self) -> frozenset[type]:
        """The event definition classes used anywhere in the bundle (to skip work a process never needs)."""
        from engine.definitions.specs import event_parts

        return frozenset(
            type(part)
            for spec in self.all_specs()
            for ts in spec.task_specs.values()
            for part in event_parts(getattr(ts, "event_definition", None))
        )

    def uses(self, definition_class: type) -> bool:
        return any(issubclass(kind, definition_class) for kind in self.event_kinds)

    def all_specs(self) -> list[BpmnProcessSpec]:
        return [self.spec, *(s for s in self.subprocess_specs.values() if s is not None)]

    def element_line(self, element_id: str, child: str | None = None) -> tuple[str | None, int | None]:
        """The file and source line of a BPMN/DMN element (or of its first ``child`` element), for errors."""
        for name, tree in self.trees.items():
            found = tree.xpath("//*[@id=$id]", id=element_id)
            if found:
                inner = found[0].xpath(".//*[local-name()=$child]", child=child) if child else []
                return name, (inner or found)[0].sourceline
        return None, None

    def flow_condition_line(self, source: str, target: str) -> tuple[str | None, int | None]:
        """The file and line of the condition on the sequence flow from ``source`` to ``target``."""
        for name, tree in self.trees.items():
            found = tree.xpath(
                "//*[local-name()='sequenceFlow'][@sourceRef=$s][@targetRef=$t]/*[local-name()='conditionExpression']",
                s=source,
                t=target,
            )
            if found:
                return name, found[0].sourceline
        return None, None


def build_parser(bundle: Bundle, validate: bool = True) -> tuple[SpiffBpmnParser, dict[str, etree._Element]]:
    """Feed every BPMN and DMN file of the bundle to a SpiffWorkflow parser (XSD-validated)."""
    parser = SpiffBpmnParser(validator=VALIDATOR if validate else None)
    trees = {}
    for name in bundle.names("bpmn"):
        trees[name] = parse_xml(bundle.files[name])
        parser.add_bpmn_xml(trees[name], filename=name)
    for name in bundle.names("dmn"):
        trees[name] = parse_xml(bundle.files[name])
        parser.add_dmn_xml(trees[name], filename=name)
    return parser, trees


def parse_bundle(bundle: Bundle, validate: bool = True) -> ParsedBundle:
    parser, trees = build_parser(bundle, validate)
    spec = parser.get_spec(bundle.key)
    subprocess_specs = parser.get_subprocess_specs(bundle.key)
    return ParsedBundle(spec, subprocess_specs, trees)


def problem_from_validation(exc: ValidationException, default_file: str) -> Problem:
    element = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", None) or None
    message = str(exc.args[0]) if exc.args else str(exc)
    return Problem(
        file=getattr(exc, "file_name", None) or default_file, message=message, line=line, element=element
    )
