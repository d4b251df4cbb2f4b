"""Ravand's own rules: people get user tasks through lanes and forms, every piece of Python compiles in
the sandbox, business rule tasks name a decision of the bundle, and the studio's diagram is complete."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from engine.definitions.expressions import latin_digits, sites
from engine.definitions.model import ARTIFACTS, FLOW_NODES, SPIFF, children
from engine.definitions.rules.base import Checking, process_of, rule
from engine.definitions.rules.timers import literal_value, working_day_counts
from engine.errors import N_, Problem
from engine.sandbox.scripting import ScriptProblem, check_source

COMPILE_TEMPLATES = {
    "script": N_("The script does not run in the sandbox: {detail}"),
    "preScript": N_("The script before the task does not run in the sandbox: {detail}"),
    "postScript": N_("The script after the task does not run in the sandbox: {detail}"),
    "condition": N_("The condition does not run in the sandbox: {detail}"),
    "correlation": N_("The correlation expression does not run in the sandbox: {detail}"),
    "message payload": N_("The message payload does not run in the sandbox: {detail}"),
    "signal payload": N_("The signal payload does not run in the sandbox: {detail}"),
    "dueInWorkingDays": N_("The due time (dueInWorkingDays) does not run in the sandbox: {detail}"),
    "unit": N_("The unit expression does not run in the sandbox: {detail}"),
    "loopCardinality": N_("The number of instances (loopCardinality) does not run in the sandbox: {detail}"),
    "completionCondition": N_("The completion condition does not run in the sandbox: {detail}"),
    "loopCondition": N_("The loop condition does not run in the sandbox: {detail}"),
    "activationCondition": N_("The gateway's activation condition does not run in the sandbox: {detail}"),
    "DMN input": N_("The decision table's input expression does not run in the sandbox: {detail}"),
    "DMN input cell": N_("The decision table's input cell does not run in the sandbox: {detail}"),
    "DMN output cell": N_("The decision table's output cell does not run in the sandbox: {detail}"),
}
EMPTY_TEMPLATES = {
    "condition": N_("The condition is empty."),
    "loopCardinality": N_("The number of instances (loopCardinality) is empty."),
    "dueInWorkingDays": N_("The due time (dueInWorkingDays) is empty."),
    "unit": N_("The unit expression is empty."),
}
CONDITIONS = ("condition", "completionCondition", "loopCondition", "activationCondition")


def property_value(element, name: str) -> str | None:
    for prop in element.iter(f"{{{SPIFF}}}property"):
        if prop.get("name") == name:
            return prop.get("value")
    return None


@rule("user-task-lane-and-form", "Ravand: lanes name roles, user tasks have forms")
def user_task_lane_and_form(c: Checking) -> Iterator[Problem]:
    """A user task lies in a lane naming a known role (or in a process a call activity in a lane calls),
    and names a form of the bundle (property formKey)."""
    called_in_lane = {
        call.get("calledElement")
        for call in c.model.bpmn("callActivity")
        if c.model.lane_of(call) is not None
    }
    for task in c.model.bpmn("userTask"):
        lane = c.model.lane_of(task)
        process = process_of(task)
        if lane is None and (process is None or process.get("id") not in called_in_lane):
            yield c.problem(task, N_("The user task is in no lane, so nobody would get it."))
        elif lane is not None and c.resolve_lane(lane) is None:
            yield c.problem(task, N_("The lane '{lane}' names no known role."), lane=lane)
        form = property_value(task, "formKey")
        if not form:
            yield c.problem(task, N_("The user task names no form (property formKey)."))
        elif form not in c.forms:
            yield c.problem(task, N_("The form '{form}' is not in the bundle."), form=form)


@rule("case-fields", "Ravand: what of the case a task's page shows")
def case_fields(c: Checking) -> Iterator[Problem]:
    """The keys a user task's caseFields lists are fields of the bundle's forms (``*``: the rest)."""
    known = {key for form in c.forms.values() if isinstance(form, dict) for key in _form_keys(form)}
    for task in c.model.bpmn("userTask"):
        listed = property_value(task, "caseFields") or ""
        for key in (k.strip() for k in listed.split(",")):
            if key and key != "*" and key not in known:
                yield c.problem(
                    task, N_("The case field '{key}' (caseFields) is in no form of the bundle."), key=key
                )


def _form_keys(form: dict) -> Iterator[str]:
    for component in form.get("components") or []:
        if isinstance(component, dict):
            if isinstance(component.get("key"), str):
                yield component["key"]
            yield from _form_keys(component)


@rule("script-tasks", "§10.3.3 Script Task; Ravand runs Python")
def script_tasks(c: Checking) -> Iterator[Problem]:
    """A script task has a script, in Python (the only language Ravand's sandbox runs)."""
    for task in c.model.bpmn("scriptTask"):
        scripts = children(task, "script")
        if not scripts or not (scripts[0].text or "").strip():
            yield c.problem(task, N_("The script task has no script."))
        script_format = (task.get("scriptFormat") or "").strip()
        if script_format and "python" not in script_format.lower():
            yield c.problem(
                task,
                N_("Ravand runs Python scripts only, not scripts in '{format}'."),
                format=script_format,
            )


@rule("expressions-compile", "Ravand: the script sandbox")
def expressions_compile(c: Checking) -> Iterator[Problem]:
    """Every script, condition, correlation, payload, property expression, loop expression and decision
    cell compiles in the sandbox — reachable or not; a condition is not a constant other than True/False."""
    for site in sites(c.model):
        if site.mode == "timer":
            continue  # the timer rules read timers
        source = latin_digits(site.source)
        if not source.strip():
            if site.what in EMPTY_TEMPLATES:
                yield c.problem(site.node, EMPTY_TEMPLATES[site.what])
            continue
        for problem in compile_problems(source, site.mode):
            yield _located(c, site, problem)
        if site.what in CONDITIONS:
            is_literal, value = literal_value(source)
            if is_literal and not isinstance(value, bool):
                yield c.problem(
                    site.node,
                    N_("A condition must be true or false, not the constant {value}."),
                    value=source.strip(),
                )
        if site.what == "dueInWorkingDays":
            is_literal, value = literal_value(source)
            if is_literal and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650
            ):
                yield c.problem(
                    site.node,
                    N_(
                        "The due time (dueInWorkingDays) must be a whole number of working days, not {value}."
                    ),
                    value=source.strip(),
                )
        if site.mode == "eval":
            try:
                tree = ast.parse(source.strip(), mode="eval")
            except (SyntaxError, ValueError, MemoryError, RecursionError):
                continue
            yield from working_day_counts(c, site.node, tree)


def _located(c: Checking, site, problem: ScriptProblem) -> Problem:
    found = c.problem(site.owner, COMPILE_TEMPLATES[site.what], detail=problem.message)
    line = site.node.sourceline
    if line and problem.line and site.mode == "exec":
        line += problem.line - 1
    return Problem(found.file, found.message, line or found.line, found.element, found.params)


# SpiffWorkflow's DMN engine replaces a "?" outside quotes with the input value.
_DMN_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def compile_problems(source: str, mode: str) -> list[ScriptProblem]:
    """Problems compiling a piece of Python; DMN input cells are read as SpiffWorkflow's DMN engine does."""
    if mode != "dmn-input":
        return check_source(source, mode)
    with_input = _DMN_QUESTION.sub("dmninputexpr", source)
    if with_input != source:
        return check_source(with_input, "eval")
    plain = check_source(source, "eval")
    if not plain:
        return []
    if not check_source(f"v {source}", "eval"):
        # SpiffWorkflow glues such a cell to the input expression without a space ("topicin (...)").
        if source.lstrip()[:1].isalpha():
            return [ScriptProblem(None, f"write the cell '{source}' with a ?, e.g. '? {source.strip()}'")]
        return []
    return plain


@rule("decisions-in-bundle", "Ravand: business rule tasks call a decision of the bundle")
def decisions_in_bundle(c: Checking) -> Iterator[Problem]:
    """A business rule task names a decision (spiffworkflow:calledDecisionId) that a DMN file holds."""
    decisions = set(c.model.decision_ids())
    for task in c.model.bpmn("businessRuleTask"):
        called = [(e.text or "").strip() for e in task.iter(f"{{{SPIFF}}}calledDecisionId")]
        if not called or not called[0]:
            yield c.problem(task, N_("The business rule task names no decision (calledDecisionId)."))
        elif called[0] not in decisions:
            yield c.problem(
                task, N_("The decision '{decision}' is in no DMN file of the bundle."), decision=called[0]
            )


_MIME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$")


@rule("mime-types", "§8.3.4 Documentation (textFormat); §7.2.2 Artifacts")
def mime_types(c: Checking) -> Iterator[Problem]:
    """A textFormat is a MIME type such as text/plain."""
    for file in c.model.bpmn_files.values():
        for element in file.root.iter():
            value = element.get("textFormat") if isinstance(element.tag, str) else None
            if value is not None and not _MIME.match(value.strip()):
                yield c.problem(
                    element, N_("The textFormat '{value}' is not a MIME type (e.g. text/plain)."), value=value
                )


@rule("diagram-complete", "§12 BPMN Diagram Interchange; the studio's lint (no-bpmndi)", studio_only=True)
def diagram_complete(c: Checking) -> Iterator[Problem]:
    """Every flow node, flow and artifact of the studio's model is drawn in its diagram."""
    for file in c.model.bpmn_files.values():
        for element in file.bpmn(
            *FLOW_NODES, *ARTIFACTS, "sequenceFlow", "messageFlow", "participant", "lane"
        ):
            if element.get("id") and element.get("id") not in file.drawn:
                yield c.problem(element, N_("The element is not drawn in the diagram."))
