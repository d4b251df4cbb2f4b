"""Every piece of Python in a bundle, found on its XML (reachable or not): scripts, conditions, timers,
correlations, payloads, Ravand's property expressions, loop expressions and DMN cells.

The deploy rules compile each one in the sandbox; the drafts write Persian digits in them as Latin
digits, so that a due time typed «۳» or a decision cell «> ۸۵» is read as the number it shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from lxml import etree

from engine.calendar.jalali import to_latin_digits
from engine.definitions.model import SPIFF, BpmnFile, BundleModel, is_bpmn, local, read_model

T = TypeVar("T", str, bytes)
# Task properties that hold an expression (the last three are read by engine/duties/completion.py).
PROPERTY_EXPRESSIONS = ("dueInWorkingDays", "unit", "mayorCalendar", "publishPoll", "letterWhen")
TIMER_KINDS = ("timeDate", "timeCycle", "timeDuration")


@dataclass
class Site:
    """Where an expression lives: the element that owns it (for the problem's element id), the node that
    holds the text (or the attribute that does), what it is and how it compiles (``exec``, ``eval``,
    ``dmn-input`` for a DMN input cell, ``timer`` for a timer's ISO 8601 value or expression)."""

    owner: object
    node: object
    what: str
    mode: str
    attribute: str | None = None

    @property
    def source(self) -> str:
        return (self.node.get(self.attribute) if self.attribute else self.node.text) or ""

    @source.setter
    def source(self, value: str) -> None:
        if self.attribute:
            self.node.set(self.attribute, value)
        else:
            self.node.text = value


def _spiff(element, name: str) -> list:
    return [e for e in element.iter(f"{{{SPIFF}}}{name}")]


def sites_of(file: BpmnFile) -> Iterator[Site]:
    """The expressions of one BPMN or DMN file."""
    yield from (_dmn_sites if file.name.endswith(".dmn") else _bpmn_sites)(file)


def _bpmn_sites(file: BpmnFile) -> Iterator[Site]:
    for element in file.root.iter():
        if not is_bpmn(element):
            continue
        name = local(element)
        if name == "script" and is_bpmn(element.getparent(), "scriptTask"):
            yield Site(element.getparent(), element, "script", "exec")
        elif name == "conditionExpression":
            yield Site(element.getparent(), element, "condition", "eval")
        elif name == "condition" and is_bpmn(element.getparent(), "conditionalEventDefinition"):
            yield Site(element.getparent().getparent(), element, "condition", "eval")
        elif name in ("formalExpression", "messagePath") and is_bpmn(
            element.getparent(), "correlationPropertyRetrievalExpression"
        ):
            yield Site(element.getparent().getparent(), element, "correlation", "eval")
        elif name in ("loopCardinality", "completionCondition", "loopCondition"):
            yield Site(_activity_of(element), element, name, "eval")
        elif name == "activationCondition":  # a complex gateway's
            yield Site(element.getparent(), element, "activationCondition", "eval")
        elif name in TIMER_KINDS and is_bpmn(element.getparent(), "timerEventDefinition"):
            yield Site(element.getparent().getparent(), element, "timer", "timer")
        elif name == "extensionElements":
            yield from _extension_sites(element)


def _activity_of(element):
    """The activity a loop expression belongs to (an ad-hoc sub-process holds its completionCondition)."""
    parent = element.getparent()
    if local(parent) == "adHocSubProcess":
        return parent
    return parent.getparent() if parent is not None and parent.getparent() is not None else parent


def _extension_sites(extensions) -> Iterator[Site]:
    owner = extensions.getparent()
    for name, what, mode in (
        ("preScript", "preScript", "exec"),
        ("postScript", "postScript", "exec"),
        ("messagePayload", "message payload", "eval"),
        ("payloadExpression", "signal payload", "eval"),
    ):
        for node in _spiff(extensions, name):
            yield Site(owner, node, what, mode)
    for correlation in _spiff(extensions, "processVariableCorrelation"):
        for node in _spiff(correlation, "expression"):
            yield Site(owner, node, "correlation", "eval")
    for prop in _spiff(extensions, "property"):
        if prop.get("name") in PROPERTY_EXPRESSIONS:
            yield Site(owner, prop, prop.get("name"), "eval", attribute="value")


def _dmn_sites(file: BpmnFile) -> Iterator[Site]:
    """A decision table's input expressions, input cells and output cells."""
    for element in file.root.iter():
        name = local(element)
        if name == "inputExpression":
            for text in (e for e in element if local(e) == "text"):
                yield Site(element.getparent(), text, "DMN input", "eval")
        elif name in ("inputEntry", "outputEntry"):
            rule = element.getparent()
            for text in (e for e in element if local(e) == "text"):
                if (text.text or "").strip() in ("", "-"):
                    continue  # any value
                if name == "inputEntry":
                    yield Site(rule, text, "DMN input cell", "dmn-input")
                else:
                    yield Site(rule, text, "DMN output cell", "eval")


def sites(model: BundleModel) -> Iterator[Site]:
    """Every expression of the bundle's BPMN and DMN files."""
    for file in (*model.bpmn_files.values(), *model.dmn_files.values()):
        yield from sites_of(file)


# --- Persian digits --------------------------------------------------------------------------------------

_PERSIAN = re.compile("[۰-۹٠-٩]")
# A string literal (kept as it is) or a run of code outside strings.
_STRING = re.compile(r"""('''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")""")


def latin_digits(source: str) -> str:
    """``source`` with Persian and Arabic-Indic digits outside string literals written as Latin digits
    (and the Persian decimal separator between digits as a point)."""
    if not _PERSIAN.search(source):
        return source
    parts = _STRING.split(source)
    for index in range(0, len(parts), 2):  # even parts are code, odd parts string literals
        code = to_latin_digits(parts[index])
        parts[index] = re.sub(r"(?<=\d)٫(?=\d)", ".", code)
    return "".join(parts)


def has_persian_digits(source: str) -> bool:
    return bool(_PERSIAN.search(source))


def with_latin_digits(files: Mapping[str, T]) -> dict[str, T]:
    """The files with the Persian digits of every expression written as Latin digits; a file whose
    expressions have none is returned untouched (byte for byte)."""
    fixed = dict(files)
    model = read_model({n: c for n, c in files.items() if n.endswith((".bpmn", ".dmn"))})
    for file in (*model.bpmn_files.values(), *model.dmn_files.values()):
        changed = False
        for site in sites_of(file):
            if has_persian_digits(site.source):
                site.source = latin_digits(site.source)
                changed = True
        if changed:
            text = etree.tostring(file.root, xml_declaration=True, encoding="UTF-8")
            fixed[file.name] = text.decode("utf-8") if isinstance(files[file.name], str) else text
    return fixed
