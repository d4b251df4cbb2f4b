"""Deploy-time checks: everything wrong with a bundle, found before anything is saved."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.definitions.bundle import Bundle, file_kind
from engine.definitions.forms import FormError, load_form
from engine.definitions.parsing import (
    ParsedBundle,
    UnsafeXML,
    build_parser,
    parse_xml,
    problem_from_validation,
)
from engine.definitions.specs import expressions, is_user_task, user_task_info
from engine.errors import Problem
from engine.sandbox.scripting import ScriptProblem, check_source

LaneResolver = Callable[[str], str | None]


def check_bundle(bundle: Bundle, resolve_lane: LaneResolver) -> tuple[ParsedBundle | None, list[Problem]]:
    """Parse and check a bundle: the parsed specs (None if they could not be built) and the problems."""
    problems = _check_files(bundle)
    if problems:
        return None, problems
    main_file = bundle.names("bpmn")[0]
    problems = _check_flows(bundle)
    if problems:
        return None, problems
    try:
        parser, trees = build_parser(bundle)
        if bundle.key not in parser.get_process_ids():
            return None, [Problem(main_file, f"no executable process with id '{bundle.key}'")]
        spec = parser.get_spec(bundle.key)
        subprocess_specs = parser.get_subprocess_specs(bundle.key)
    except ValidationException as exc:
        return None, [problem_from_validation(exc, main_file)]
    except SpiffWorkflowException as exc:
        return None, [Problem(main_file, str(exc))]
    parsed = ParsedBundle(spec, subprocess_specs, trees)
    problems += _check_user_tasks(bundle, parsed, resolve_lane)
    problems += _check_expressions(parsed)
    return parsed, problems


def _check_files(bundle: Bundle) -> list[Problem]:
    problems = []
    if not bundle.names("bpmn"):
        problems.append(Problem(bundle.key, "the bundle has no BPMN file"))
    for name, content in sorted(bundle.files.items()):
        kind = file_kind(name)
        if kind is None:
            problems.append(Problem(name, "unknown file type (expected .bpmn, .dmn or a .json form)"))
        elif kind == "form":
            try:
                load_form(json.loads(content.decode("utf-8")))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                problems.append(Problem(name, f"not valid JSON: {exc}", getattr(exc, "lineno", None)))
            except FormError as exc:
                problems.append(Problem(name, str(exc)))
        else:
            try:
                parse_xml(content)
            except UnsafeXML as exc:
                problems.append(Problem(name, str(exc), exc.line))
    return problems


def _check_flows(bundle: Bundle) -> list[Problem]:
    """Every sequence flow connects two elements of its own process (SpiffWorkflow's message is obscure)."""
    problems = []
    for name in bundle.names("bpmn"):
        tree = parse_xml(bundle.files[name])
        for process in tree.xpath("//*[local-name()='process' or local-name()='subProcess']"):
            ids = set(process.xpath("./*/@id"))
            for flow in process.xpath("./*[local-name()='sequenceFlow']"):
                for end in ("sourceRef", "targetRef"):
                    ref = flow.get(end)
                    if ref not in ids:
                        problems.append(
                            Problem(
                                name,
                                f"sequence flow {end} '{ref}' names no element of the process",
                                flow.sourceline,
                                flow.get("id"),
                            )
                        )
    return problems


def _check_user_tasks(bundle: Bundle, parsed: ParsedBundle, resolve_lane: LaneResolver) -> list[Problem]:
    problems = []
    forms = set(bundle.names("form"))
    for spec in parsed.all_specs():
        for task_spec in spec.task_specs.values():
            if not is_user_task(task_spec):
                continue
            info = user_task_info(task_spec)
            file, line = parsed.element_line(info.element_id)
            where = {"file": file or spec.file or "", "line": line, "element": info.element_id}
            if info.lane is None and not _called_with_lane(parsed, spec.name):
                problems.append(
                    Problem(message="the user task is in no lane, so nobody would get it", **where)
                )
            elif info.lane is not None and resolve_lane(info.lane) is None:
                problems.append(Problem(message=f"the lane '{info.lane}' names no known role", **where))
            if not info.form_key:
                problems.append(Problem(message="the user task names no form (property formKey)", **where))
            elif info.form_key not in forms:
                problems.append(Problem(message=f"the form '{info.form_key}' is not in the bundle", **where))
    return problems


def _called_with_lane(parsed: ParsedBundle, process_id: str) -> bool:
    """Tasks of a called process take the lane of the call activity that runs them."""
    return any(
        getattr(ts, "spec", None) == process_id and ts.lane is not None
        for spec in parsed.all_specs()
        for ts in spec.task_specs.values()
    )


def _check_expressions(parsed: ParsedBundle) -> list[Problem]:
    problems = []
    for spec in parsed.all_specs():
        for expr in expressions(spec):
            found = _compile_problems(expr.source, expr.mode)
            if not found:
                continue
            file, line = _locate(parsed, expr)
            for problem in found:
                element_line = line + problem.line - 1 if line and problem.line else line
                problems.append(
                    Problem(
                        file or spec.file or "",
                        f"{expr.what}: {problem.message}",
                        element_line,
                        expr.element_id,
                    )
                )
    return problems


_SCRIPT_CHILDREN = {"script": "script", "prescript": "preScript", "postscript": "postScript"}


def _locate(parsed: ParsedBundle, expr) -> tuple[str | None, int | None]:
    if expr.what == "condition" and expr.target:
        file, line = parsed.flow_condition_line(expr.element_id, expr.target)
        if line:
            return file, line
    return parsed.element_line(expr.element_id, _SCRIPT_CHILDREN.get(expr.what))


# SpiffWorkflow's DMN engine replaces a "?" outside quotes with the input value.
_DMN_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def _compile_problems(source: str, mode: str):
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
