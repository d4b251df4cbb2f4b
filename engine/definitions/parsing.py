"""SpiffWorkflow spec building for a bundle (its files read safely by ``engine.definitions.safe_xml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.definitions.bundle import Bundle
from engine.definitions.compensation import rewrite_compensation
from engine.definitions.definition_refs import inline_event_definition_refs
from engine.definitions.parser_classes import RavandBpmnParser
from engine.definitions.safe_xml import parse_xml
from engine.definitions.specs import event_parts, quote_bare_iso_timers
from engine.errors import N_, Problem


@dataclass
class ParsedBundle:
    """The specs of a bundle's main process and of every process it calls."""

    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    trees: dict[str, etree._Element]

    @cached_property
    def event_kinds(self) -> frozenset[type]:
        """The event definition classes used anywhere in the bundle (to skip work a process never needs)."""
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
                ""
                "//*[local-name()='sequenceFlow'][@sourceRef=$s][@targetRef=$t]/*[local-name()='conditionExpression']",
                s=source,
                t=target,
            )
            if found:
                return name, found[0].sourceline
        return None, None


def build_parser(
    bundle: Bundle, validate: bool = True, trees: dict[str, etree._Element] | None = None
) -> tuple[RavandBpmnParser, dict[str, etree._Element]]:
    """Feed every BPMN and DMN file of the bundle to a SpiffWorkflow parser (XSD-validated unless
    ``validate`` is false); ``trees`` are the files already parsed, if the caller has them."""
    parser = RavandBpmnParser(validator=VALIDATOR if validate else None)
    trees = dict(trees) if trees is not None else {}
    for name in bundle.names("bpmn") + bundle.names("dmn"):
        if name not in trees:
            trees[name] = parse_xml(bundle.files[name])
    for name in bundle.names("bpmn"):
        runnable = rewrite_compensation(inline_event_definition_refs(trees[name]))
        parser.add_bpmn_xml(runnable, filename=name)
    for name in bundle.names("dmn"):
        parser.add_dmn_xml(trees[name], filename=name)
    return parser, trees


def parse_bundle(bundle: Bundle, validate: bool = True) -> ParsedBundle:
    parser, trees = build_parser(bundle, validate)
    spec = parser.get_spec(bundle.key)
    subprocess_specs = parser.get_subprocess_specs(bundle.key)
    for each in (spec, *subprocess_specs.values()):
        if each is not None:
            quote_bare_iso_timers(each)
    return ParsedBundle(spec, subprocess_specs, trees)


def problem_from_validation(exc: Exception, default_file: str) -> Problem:
    """A problem SpiffWorkflow's parser raised, located where it says; its English text is the detail."""
    element = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", None) or None
    detail = str(exc.args[0]) if getattr(exc, "args", None) else str(exc)
    return Problem(
        file=getattr(exc, "file_name", None) or default_file,
        message=N_("SpiffWorkflow cannot build the process: {detail}"),
        line=line,
        element=element,
        params={"detail": detail or type(exc).__name__},
        rule="spiffworkflow",
    )
