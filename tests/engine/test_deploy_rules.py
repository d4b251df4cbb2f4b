"""The deploy rule table: each rule refuses its corpus of invalid models (several per rule), located at
file, line and element, in one check that reports every problem; valid models pass; nothing raises."""

# ruff: noqa: E501  (the corpus is BPMN: a model reads best on one line)

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.definitions.bundle import Bundle, collect_bundles
from engine.definitions.rules import RULES
from engine.definitions.validation import check_bundle
from tests.engine.rule_cases import STRUCTURE_CASES
from tests.engine.rule_cases_data import DATA_CASES
from tests.engine.rule_corpus import FORM, TIMER, boundary, chain, gateway, model, node, timer, user_task

ROOT = Path(__file__).resolve().parents[2]
ROLES = {"expert": "expert", "head": "head"}
FORM_JSON = json.dumps({"components": [{"type": "textfield", "key": "note", "label": "Note"}]}).encode()


def problems_of(xml: str, studio: bool = False, files: dict | None = None):
    bundle = Bundle("p", {"p.bpmn": xml.encode(), "form.json": FORM_JSON, **(files or {})})
    return check_bundle(bundle, ROLES.get, studio)[1]


CASES = STRUCTURE_CASES + DATA_CASES


@pytest.mark.parametrize(("rule", "xml"), CASES, ids=[f"{rule}-{i}" for i, (rule, _) in enumerate(CASES)])
def test_each_rule_refuses_its_corpus_at_a_located_element(rule, xml):
    problems = problems_of(xml)
    found = [p for p in problems if p.rule == rule]
    assert found, [(p.rule, p.text) for p in problems]
    for problem in found:
        assert problem.file == "p.bpmn" and problem.text
        if rule not in ("well-formed", "main-process", "schema"):
            assert problem.line and problem.element, problem


def test_the_corpus_covers_every_rule_with_several_models():
    counts = {code: sum(1 for rule, _ in CASES if rule == code) for code in RULES}
    covered_elsewhere = {"spiffworkflow", "diagram-complete", "diagram-references"}
    thin = {code: n for code, n in counts.items() if n < 2 and code not in covered_elsewhere}
    # These rules have one model here; more live in the studio and flow tests below.
    assert set(thin) <= {
        "immediate-flows",
        "instantiating-receive-task",
        "sub-process-data",
        "no-choreography-in-process",
        "compensation-activity",
        "compensation-throw",
        "called-process-start",
        "flow-node-ids",
        "message-task-data",
        "event-data",
        "data-references-placed",
        "public-process",
        "duplicate-flows",
        "participant-multiplicity",
        "throw-definitions-own",
        "mime-types",
        "io-bindings",
        "call-activity-data",
        "data-association-items",
    }, thin


def test_the_valid_models_the_corpus_is_built_from_pass():
    assert problems_of(model(chain())) == []
    assert problems_of(gateway("exclusiveGateway", 1, 2)) == []
    assert problems_of(gateway("parallelGateway", 2, 1, conditions=False)) == []
    assert problems_of(user_task(FORM + '<spiffworkflow:property name="dueInWorkingDays" value="3" />')) == []
    assert problems_of(timer("timeDuration", "PT1H", formal=True)) == []
    assert problems_of(timer("timeCycle", '"R3/PT1H"')) == []
    assert problems_of(timer("timeDate", "working_days_later(3)")) == []
    assert problems_of(boundary(TIMER)) == []


def test_every_problem_at_once_rules_first_then_spiffworkflow():
    """A model with a broken timer, a bad script that no flow reaches, an unknown lane and a bad
    gateway: every problem is reported by the one check, each at its element."""
    xml = user_task(FORM, lane="janitor").replace(
        "</bpmn:process>",
        node("scriptTask", "stray", inner="<bpmn:script>import os</bpmn:script>")
        + node(
            "intermediateCatchEvent",
            "wait",
            inner="<bpmn:timerEventDefinition><bpmn:timeDate /></bpmn:timerEventDefinition>",
        )
        + node("exclusiveGateway", "lonely_gateway")
        + "</bpmn:process>",
    )
    problems = problems_of(xml)
    by_element = {(p.element, p.rule) for p in problems}
    assert ("u", "user-task-lane-and-form") in by_element
    assert ("stray", "expressions-compile") in by_element
    assert ("wait", "timer-values") in by_element
    assert ("lonely_gateway", "gateway-flow-counts") in by_element
    assert len({p.element for p in problems}) >= 4


def test_the_studio_adds_the_lint_rules_a_complete_diagram():
    xml = model(
        chain(),
        after='<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="pl" bpmnElement="p"><bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="0" y="0" width="36" height="36" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="x_di" bpmnElement="gone"><dc:Bounds x="0" y="0" width="36" height="36" /></bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>',
    )
    assert problems_of(xml) == []
    studio = problems_of(xml, studio=True)
    assert {p.element for p in studio if p.rule == "diagram-complete"} == {"t", "e", "f1", "f2"}
    assert {p.params["ref"] for p in studio if p.rule == "diagram-references"} == {"gone"}


def test_persian_digits_in_expressions_are_read_as_numbers():
    xml = user_task(FORM + '<spiffworkflow:property name="dueInWorkingDays" value="۳" />')
    assert problems_of(xml) == []
    assert problems_of(gateway("exclusiveGateway", 1, 2).replace("x == 0", "x &gt; ۸۵")) == []


def test_every_rule_names_its_section_and_says_what_it_checks():
    for code, entry in RULES.items():
        assert entry.section and entry.summary, code


def test_every_message_of_the_rules_has_a_persian_translation():
    import ast

    persian = {}
    for part in (ROOT / "web" / "translations" / "parts").glob("*.json"):
        persian.update(json.loads(part.read_text(encoding="utf-8")))
    templates = set()
    for path in (ROOT / "engine" / "definitions").rglob("*.py"):
        for found in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(found, ast.Call) and getattr(found.func, "id", None) == "N_" and found.args:
                templates.add(found.args[0].value)
    assert sorted(t for t in templates if t not in persian) == []


def test_the_catalog_and_the_test_fixtures_pass_every_rule():
    for bundle in collect_bundles([ROOT / "processes"], ROOT / "forms"):
        _, problems = check_bundle(bundle, lambda lane: lane)
        assert [str(p) for p in problems] == [], bundle.key
    for bundle in collect_bundles([ROOT / "tests" / "fixtures"]):
        _, problems = check_bundle(bundle, lambda lane: lane)
        assert [str(p) for p in problems] == [], bundle.key
