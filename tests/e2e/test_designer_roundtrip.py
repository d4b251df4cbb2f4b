"""Every catalog BPMN file loads into the designer's bpmn-js modeler (and every DMN file into dmn-js) and
saves back without losing anything Ravand runs on: the saved files deploy, every task spec is the same as
before (SpiffWorkflow's own spec diff finds nothing added, removed or changed, decision tables included),
and the extensions and the layout are kept."""

from __future__ import annotations

import re

import pytest
from SpiffWorkflow.bpmn.util.diff import SpecDiff

from engine.definitions.bundle import Bundle, collect_bundles
from engine.definitions.deployment import check
from engine.definitions.parsing import parse_bundle
from engine.runtime.migration import _REGISTRY
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.browser

CATALOG = collect_bundles([ROOT / "processes"], ROOT / "forms")
EXTENSION = re.compile(r"<spiffworkflow:(\w+)")
DI = re.compile(r"<bpmndi:(BPMNShape|BPMNEdge)\b")


@pytest.fixture
def live_bundles():
    return []


@pytest.fixture
def live_config():
    return {}


def _counts(pattern: re.Pattern, text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for match in pattern.findall(text):
        found[match] = found.get(match, 0) + 1
    return found


def _spec_changes(original: Bundle, saved: Bundle) -> list[str]:
    old, new = parse_bundle(original), parse_bundle(saved)
    problems = []
    pairs = [(old.spec, new.spec)] + [
        (spec, new.subprocess_specs.get(name)) for name, spec in old.subprocess_specs.items() if spec
    ]
    for before, after in pairs:
        diff = SpecDiff(_REGISTRY, before, after)
        problems += [f"{before.name}: {ts.name} {changes}" for ts, changes in diff.changed.items()]
        problems += [f"{before.name}: removed {ts.name}" for ts in diff.removed]
        problems += [f"{before.name}: added {ts.name}" for ts in diff.added]
    return problems


def test_every_catalog_file_round_trips_through_bpmn_js(live_server, page, login):
    login(page, "designer")
    page.goto(f"{live_server.url}/designer/citizen_meeting/")
    page.wait_for_selector("#designer-studio[data-ready='1']", timeout=30000)
    files = {name: content.decode("utf-8") for b in CATALOG for name, content in b.files.items()}
    saved = {}
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        result = page.evaluate(
            """async (xml) => {
                const { warnings } = await window.ravandImport(xml);
                const { xml: out } = await window.ravandModeler.saveXML({ format: true });
                return { out, warnings: warnings.map((w) => w.message) };
            }""",
            files[name],
        )
        saved[name] = result["out"]
        assert _counts(EXTENSION, saved[name]) == _counts(EXTENSION, files[name]), name
        assert _counts(DI, saved[name]) == _counts(DI, files[name]), name
    for name in sorted(n for n in files if n.endswith(".dmn")):
        saved[name] = page.evaluate(
            "async (xml) => { const d = await window.ravandDecisions(); await d.open(xml); return d.xml(); }",
            files[name],
        )

    for bundle in CATALOG:
        round_tripped = Bundle(
            bundle.key,
            {n: (saved[n].encode("utf-8") if n in saved else c) for n, c in bundle.files.items()},
        )
        assert check(live_server.ctx, round_tripped) == [], bundle.key
        assert _spec_changes(bundle, round_tripped) == [], bundle.key


def test_no_catalog_process_shows_a_lint_issue_in_the_studio(live_server, page, login):
    """Ravand's lint rules agree with the engine's checks on every process that deploys today."""
    login(page, "designer")
    for bundle in CATALOG:
        page.goto(f"{live_server.url}/designer/{bundle.key}/")
        page.wait_for_selector("#designer-studio[data-ready='1'][data-linted='1']", timeout=30000)
        assert page.locator("#lint-issues li").all_inner_texts() == [], bundle.key
