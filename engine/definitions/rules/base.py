"""The rule table's machinery: what a rule is, what it reads, and how it reports a located problem."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from engine.definitions.model import LEVELS, BundleModel, is_bpmn, local
from engine.errors import Problem

LaneResolver = Callable[[str], str | None]


@dataclass(frozen=True)
class Checking:
    """What the rules read: the bundle's model, its forms (file name → schema, None if it does not load)
    and the known roles.

    ``studio`` adds the rules the studio's live lint enforces (a complete diagram, say), so that a
    version deployed from the studio never goes out with a lint error.
    """

    model: BundleModel
    forms: Mapping[str, object]
    resolve_lane: LaneResolver
    studio: bool = False

    def problem(self, element, template: str, **params: object) -> Problem:
        """A problem at ``element``: its file, its line, and the id of it or of its nearest ancestor."""
        holder = element
        while holder is not None and holder.get("id") is None:
            holder = holder.getparent()
        return Problem(
            file=self.model.file_of(element).name,
            message=template,
            line=element.sourceline,
            element=holder.get("id") if holder is not None else None,
            params=params,
        )

    @cached_property
    def flows(self) -> Flows:
        return Flows(self.model)


class Flows:
    """The sequence flows of every file, by source and by target (as the flows say, not ``incoming``)."""

    def __init__(self, model: BundleModel) -> None:
        self.into: dict[int, list] = {}
        self.out_of: dict[int, list] = {}
        for flow in model.bpmn("sequenceFlow"):
            for end, index in (("sourceRef", self.out_of), ("targetRef", self.into)):
                node = model.resolve(flow, flow.get(end))
                if node is not None:
                    index.setdefault(id(node), []).append(flow)

    def incoming(self, node) -> list:
        return self.into.get(id(node), [])

    def outgoing(self, node) -> list:
        return self.out_of.get(id(node), [])


@dataclass(frozen=True)
class Rule:
    """One rule: a stable code, the section of BPMN 2.0.2 (formal/13-12-09) or Ravand's own, a check."""

    code: str
    section: str
    check: Callable[[Checking], Iterable[Problem]]
    studio_only: bool = False

    @property
    def summary(self) -> str:
        return (self.check.__doc__ or "").strip().splitlines()[0]


RULES: dict[str, Rule] = {}


def rule(code: str, section: str, studio_only: bool = False):
    """Register the decorated function as the rule ``code`` of the table."""

    def register(check: Callable[[Checking], Iterable[Problem]]):
        assert code not in RULES, f"two rules named {code}"
        RULES[code] = Rule(code, section, check, studio_only)
        return check

    return register


# --- what many rules ask of an element ----------------------------------------------------------------


def level_of(element):
    """The process or sub-process whose flow elements include ``element``."""
    parent = element.getparent()
    while parent is not None and local(parent) not in LEVELS:
        parent = parent.getparent()
    return parent


def process_of(element):
    """The top-level process that holds ``element`` (None outside any process)."""
    found = None
    parent = element.getparent()
    while parent is not None:
        if is_bpmn(parent, "process"):
            found = parent
        parent = parent.getparent()
    return found


def is_event_sub_process(element) -> bool:
    return (
        local(element) in ("subProcess", "transaction", "adHocSubProcess")
        and element.get("triggeredByEvent", "false").strip() == "true"
    )


def is_executable(process) -> bool:
    return process is not None and process.get("isExecutable", "").strip() == "true"


def is_true(element, attribute: str, default: bool) -> bool:
    value = element.get(attribute)
    return default if value is None else value.strip() == "true"
