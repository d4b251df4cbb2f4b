"""The catalog covers every duty of the PR Deputy, and every entry is a process that deploys."""

from __future__ import annotations

from engine.definitions.bundle import collect_bundles
from engine.definitions.catalog import DEPARTMENTS, DUTIES, PUBLIC, load_catalog, uncovered_duties
from engine.demo.seed import ROLES
from tests.processes.conftest import ROOT


def test_every_duty_is_served_by_a_process():
    catalog = load_catalog()
    assert uncovered_duties(catalog) == []
    assert len([e for e in catalog.values() if e.starters]) >= 14
    assert {d for e in catalog.values() for d in e.duties} <= set(DUTIES)


def test_entries_match_the_bpmn_files_and_forms():
    catalog = load_catalog()
    bundles = {b.key: b for b in collect_bundles([ROOT / "processes"], ROOT / "forms")}
    roles = {code for code, *_ in ROLES} | {PUBLIC}
    assert set(catalog) == set(bundles)
    for key, entry in catalog.items():
        assert entry.department in DEPARTMENTS
        assert set(entry.starters) <= roles, key
        forms = set(bundles[key].names("form"))
        assert set(entry.forms) <= forms, (key, set(entry.forms) - forms)
        assert entry.start_form is None or entry.start_form in forms
        assert set(entry.calls) <= set(catalog)


def test_the_public_can_start_the_outside_worlds_processes():
    public = {key for key, entry in load_catalog().items() if entry.is_public}
    assert {"citizen_meeting", "ngo_partnership", "mayor_calendar"} <= public


def test_the_whole_catalog_deploys(catalog):
    for key in load_catalog():
        assert catalog.deploy(key).created
