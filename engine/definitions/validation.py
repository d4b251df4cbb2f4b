"""Deploy-time checks: every problem of a bundle, found at once, before anything is saved.

The check reads each file once (``engine.definitions.model``), validates the BPMN files against the
BPMN 2.0 schema (every schema error, not only the first), runs Ravand's rule table on the XML
(``engine.definitions.rules``), and only then lets SpiffWorkflow build the specs. Whatever goes wrong
is a located ``Problem`` — never an exception: SpiffWorkflow's own refusal is reported too, unless a
rule already explained the element it names.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.definitions.bundle import Bundle, file_kind
from engine.definitions.forms import FormError, load_form
from engine.definitions.model import BundleModel, read_model
from engine.definitions.parsing import ParsedBundle, build_parser, problem_from_validation
from engine.definitions.rules import Checking, run_rules
from engine.definitions.specs import quote_bare_iso_timers
from engine.errors import N_, Problem

LaneResolver = Callable[[str], str | None]
MAX_SCHEMA_ERRORS = 25


def check_bundle(
    bundle: Bundle, resolve_lane: LaneResolver, studio: bool = False
) -> tuple[ParsedBundle | None, list[Problem]]:
    """Parse and check a bundle: the parsed specs (None if they could not be built) and the problems.

    ``studio`` adds the rules of the studio's live lint, so that the studio never deploys what its
    lint marks as an error.
    """
    problems, forms = _check_files(bundle)
    model = read_model(bundle.files)
    for name, error in model.unreadable.items():
        problems.append(Problem(name, error.template, error.line, params=error.params, rule="well-formed"))
    if not model.bpmn_files:
        return None, problems
    problems += _schema_problems(model)
    problems += run_rules(Checking(model, forms, resolve_lane, studio))
    main = model.process(bundle.key)
    if main is None or (main.get("isExecutable") or "").strip() != "true":
        template = (
            N_("There is no executable process with the id '{key}'.")
            if main is None
            else N_("The process '{key}' is not marked executable (isExecutable).")
        )
        file = model.process_file(bundle.key) or bundle.names("bpmn")[0]
        line = main.sourceline if main is not None else None
        problems.append(
            Problem(
                file,
                template,
                line,
                bundle.key if main is not None else None,
                {"key": bundle.key},
                "main-process",
            )
        )
        return None, _unique(problems)
    parsed, refusal = _spiff_parse(bundle, model)
    if refusal is not None and not _explained(refusal, problems):
        problems.append(refusal)
    return parsed, _unique(problems)


def _check_files(bundle: Bundle) -> tuple[list[Problem], dict[str, object]]:
    """Problems with the bundle's file list and its forms; every form's schema by file name (None for a
    form that does not load: it is reported here, not again where a task names it)."""
    problems, forms = [], {}
    if not bundle.names("bpmn"):
        problems.append(Problem(bundle.key, N_("The bundle has no BPMN file."), rule="files"))
    for name, content in sorted(bundle.files.items()):
        kind = file_kind(name)
        if kind is None:
            problems.append(
                Problem(name, N_("Unknown file type (expected .bpmn, .dmn or a .json form)."), rule="files")
            )
        elif kind == "form":
            try:
                schema = json.loads(content.decode("utf-8"))
                load_form(schema)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                problems.append(
                    Problem(
                        name,
                        N_("The form is not valid JSON: {detail}"),
                        getattr(exc, "lineno", None),
                        params={"detail": str(exc)},
                        rule="forms",
                    )
                )
            except FormError as exc:
                problems.append(
                    Problem(
                        name, N_("The form is not valid: {detail}"), params={"detail": str(exc)}, rule="forms"
                    )
                )
            else:
                forms[name] = schema
            forms.setdefault(name, None)
    return problems, forms


def _schema_problems(model: BundleModel) -> list[Problem]:
    """Every error of every BPMN file against the BPMN 2.0 schema (with SpiffWorkflow's extensions)."""
    problems = []
    schema = VALIDATOR.validator
    for name, file in model.bpmn_files.items():
        copy = etree.fromstring(etree.tostring(file.root))
        VALIDATOR.preprocess(copy)
        if schema.validate(copy):
            continue
        for entry in list(schema.error_log)[:MAX_SCHEMA_ERRORS]:
            problems.append(
                Problem(
                    name,
                    N_("The file does not follow the BPMN 2.0 schema: {detail}"),
                    entry.line or None,
                    _element_at(copy, entry),
                    params={"detail": entry.message},
                    rule="schema",
                )
            )
    return problems


def _element_at(root, entry) -> str | None:
    path = getattr(entry, "path", None)
    try:
        found = root.getroottree().xpath(path) if path else []
    except etree.XPathError:
        found = []
    element = found[0] if found and isinstance(found[0], etree._Element) else None
    while element is not None and element.get("id") is None:
        element = element.getparent()
    return element.get("id") if element is not None else None


def _spiff_parse(bundle: Bundle, model: BundleModel) -> tuple[ParsedBundle | None, Problem | None]:
    """The specs SpiffWorkflow builds, or the problem it raised (any exception: never a traceback)."""
    main_file = model.process_file(bundle.key) or bundle.names("bpmn")[0]
    try:
        trees = {name: f.root for name, f in (*model.bpmn_files.items(), *model.dmn_files.items())}
        parser, trees = build_parser(bundle, validate=False, trees=trees)
        spec = parser.get_spec(bundle.key)
        subprocess_specs = parser.get_subprocess_specs(bundle.key)
    except Exception as exc:  # SpiffWorkflow raises many kinds, not all of them its own
        return None, problem_from_validation(exc, main_file)
    for each in (spec, *subprocess_specs.values()):
        if each is not None:
            quote_bare_iso_timers(each)
    return ParsedBundle(spec, subprocess_specs, trees), None


def _explained(refusal: Problem, problems: list[Problem]) -> bool:
    """Whether the rules already reported what SpiffWorkflow refused (the same element, or anything at
    all when SpiffWorkflow names no element)."""
    if refusal.element is None:
        return bool(problems)
    return any(p.element == refusal.element for p in problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, found = set(), []
    for problem in problems:
        key = (
            problem.file,
            problem.line,
            problem.element,
            problem.message,
            tuple(sorted(problem.params.items())),
        )
        if key not in seen:
            seen.add(key)
            found.append(problem)
    return found
