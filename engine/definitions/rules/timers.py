"""Timers (BPMN 2.0.2 §10.5.5 TimerEventDefinition): one time per timer, and every time read at deploy.

A timer's value is ISO 8601 — written bare (``PT1S``, as BPMN tools write it) or as a Python string
(``"PT1S"``) — or a Python expression evaluated when the timer starts (``working_days_later(3)``).
ISO values are parsed now, with SpiffWorkflow's own parsers, as the timer will be: a ``timeDate`` as a
date and time, a ``timeDuration`` as a duration, a ``timeCycle`` as a repeating interval. Expressions
are compiled in the sandbox; a working-day count written as a number is checked to be one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.definitions.expressions import TIMER_KINDS, latin_digits
from engine.definitions.model import XSI_TYPE, children, local
from engine.definitions.rules.base import Checking, rule
from engine.definitions.rules.names import defined_names
from engine.errors import N_, Problem
from engine.sandbox.scripting import check_source

_BARE_ISO = re.compile(r"^[0-9PTRYMWDHSZ:.,+\-/]+$", re.IGNORECASE)
_NOT_ISO = {
    "timeDate": N_(
        "The timer's timeDate '{value}' is not an ISO 8601 date and time (e.g. 2026-12-01T08:00:00+03:30)."
    ),
    "timeDuration": N_("The timer's timeDuration '{value}' is not an ISO 8601 duration (e.g. P3D or PT4H)."),
    "timeCycle": N_("The timer's timeCycle '{value}' is not an ISO 8601 repeating interval (e.g. R4/P1D)."),
}
WORKING_DAY_HELPERS = ("working_days_later", "add_working_days")
MAX_WORKING_DAYS = 3650


def parse_iso(kind: str, value: str) -> None:
    """Parse an ISO 8601 timer value of the kind; raise ValueError if it is not one."""
    try:
        if kind == "timeDate":
            TimerEventDefinition.get_datetime(value)
        elif kind == "timeDuration":
            if not value.upper().startswith("P"):
                raise ValueError(value)
            TimerEventDefinition.parse_iso_duration(value)
        else:
            if not value.upper().startswith("R"):
                raise ValueError(value)
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception as exc:  # SpiffWorkflow's parsers raise bare Exceptions, and AttributeErrors
        raise ValueError(value) from exc


def zero_interval(value: str) -> bool:
    """Whether a (parsed) ISO 8601 repeating interval repeats with an interval of zero, e.g. R100000/PT0S."""
    cycles, _start, interval = TimerEventDefinition.parse_iso_recurring_interval(value)
    return cycles != 0 and interval.total_seconds() <= 0


def bare_iso(kind: str, source: str | None) -> bool:
    """Whether a timer's text is a bare ISO 8601 value of its kind (not a Python expression)."""
    text = latin_digits((source or "").strip())
    if not text or text.isdigit() or not _BARE_ISO.match(text) or literal_value(text)[0]:
        return False
    try:
        parse_iso(kind, text)
    except ValueError:
        return False
    return True


def _formal(element) -> bool:
    """Whether an expression is marked formal (xsi:type tFormalExpression), as BPMN tools write ISO values."""
    return (element.get(XSI_TYPE) or "").rsplit(":", 1)[-1] == "tFormalExpression"


def literal_value(source: str) -> tuple[bool, object]:
    """(True, value) when ``source`` is a Python literal, else (False, None)."""
    try:
        return True, ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


@rule("timer-definition", "§10.5.5 TimerEventDefinition")
def timer_definition(c: Checking) -> Iterator[Problem]:
    """A timer has exactly one time: a timeDate, a timeCycle or a timeDuration."""
    for definition in c.model.bpmn("timerEventDefinition"):
        times = children(definition, *TIMER_KINDS)
        if not times:
            yield c.problem(
                definition, N_("A timer needs its time: a timeDate, a timeCycle or a timeDuration.")
            )
        elif len(times) > 1:
            yield c.problem(
                definition,
                N_("A timer has one time only (timeDate, timeCycle or timeDuration); this one has {count}."),
                count=len(times),
            )


@rule("timer-values", "§10.5.5 TimerEventDefinition (ISO 8601 values); Ravand working-day calendar")
def timer_values(c: Checking) -> Iterator[Problem]:
    """Every timer value is read now: ISO 8601 values parse as their kind, expressions compile, and
    working-day counts are numbers of days."""
    names = None
    for definition in c.model.bpmn("timerEventDefinition"):
        for time in children(definition, *TIMER_KINDS):
            kind = local(time)
            source = latin_digits((time.text or "").strip())
            if not source:
                yield c.problem(time, N_("The timer's {kind} is empty."), kind=kind)
                continue
            is_literal, value = literal_value(source)
            if not is_literal and _BARE_ISO.match(source) and not source.isdigit():
                if not _formal(time):
                    yield c.problem(
                        time,
                        N_(
                            "The timer's {kind} '{value}' is neither a Python string nor marked as a formal "
                            'expression: write "{value}" with the quotes, or set xsi:type tFormalExpression.'
                        ),
                        kind=kind,
                        value=source,
                    )
                    continue
                is_literal, value = True, source
            if is_literal:
                if not isinstance(value, str):
                    yield c.problem(
                        time,
                        N_("The timer's {kind} must be a text (ISO 8601), not {value}."),
                        kind=kind,
                        value=source,
                    )
                    continue
                try:
                    parse_iso(kind, value.strip())
                except ValueError:
                    yield c.problem(time, _NOT_ISO[kind], value=value)
                    continue
                if kind == "timeCycle" and zero_interval(value.strip()):
                    yield c.problem(
                        time,
                        N_(
                            "The timer's timeCycle '{value}' repeats with a zero interval; "
                            "give an interval of at least one second."
                        ),
                        value=value,
                    )
                continue
            found = check_source(source, "eval")
            for problem in found:
                yield c.problem(
                    time,
                    N_("The timer expression does not run in the sandbox: {detail}"),
                    detail=problem.message,
                )
            if found:
                continue
            tree = ast.parse(source, mode="eval")
            if isinstance(tree.body, ast.Name):
                names = defined_names(c) if names is None else names
                if tree.body.id not in names:
                    yield c.problem(
                        time,
                        N_(
                            "The timer's {kind} is the name '{name}', which no form, script, decision or "
                            "message of the process sets; write an ISO 8601 value or an expression."
                        ),
                        kind=kind,
                        name=tree.body.id,
                    )
            yield from working_day_counts(c, time, tree)


def working_day_counts(c: Checking, element, tree: ast.AST) -> Iterator[Problem]:
    """A working-day helper given a literal count gets a whole number of days from 0 to 3650."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in WORKING_DAY_HELPERS:
            continue
        position = 0 if node.func.id == "working_days_later" else 1
        if len(node.args) <= position:
            continue
        try:
            count = ast.literal_eval(node.args[position])
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue  # not a literal: an expression on the task data
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_WORKING_DAYS:
            yield c.problem(
                element,
                N_("{helper} needs a whole number of working days from 0 to 3650, not {count}."),
                helper=node.func.id,
                count=repr(count),
            )
