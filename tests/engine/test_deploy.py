"""Deploying bundles: versions, idempotence, and every kind of bad bundle refused with file and line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy, latest
from engine.errors import BundleInvalid
from engine.models import DefinitionFile, ProcessDefinition
from tests.conftest import bundle_of


def _count(ctx, model) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def _variant(bundle: Bundle, old: bytes, new: bytes, name: str = "approval.bpmn") -> Bundle:
    files = dict(bundle.files)
    assert old in files[name], old
    files[name] = files[name].replace(old, new)
    return Bundle(bundle.key, files)


def test_same_content_is_the_same_version(ctx):
    first = deploy(ctx, bundle_of("approval"), user="designer")
    again = deploy(ctx, bundle_of("approval"))
    assert (first.version, first.created) == (1, True)
    assert (again.version, again.created, again.definition_id) == (1, False, first.definition_id)
    assert _count(ctx, ProcessDefinition) == 1


def test_new_content_is_the_next_version_and_forms_are_snapshotted(ctx):
    deploy(ctx, bundle_of("approval"))
    changed = _variant(
        bundle_of("approval"), b'name="\xd9\xbe\xd8\xa7\xdb\x8c\xd8\xa7\xd9\x86"', b'name="end"'
    )
    second = deploy(ctx, changed, comment="renamed the end event")
    assert (second.version, second.created) == (2, True)
    with ctx.db.transaction() as session:
        assert latest(session, "approval").version == 2
        names = session.scalars(
            select(DefinitionFile.name).where(DefinitionFile.definition_id == second.definition_id)
        )
        assert sorted(names) == ["approval.bpmn", "decision.json", "request.json"]


def _problems(ctx, bundle) -> list:
    with pytest.raises(BundleInvalid) as caught:
        deploy(ctx, bundle)
    assert _count(ctx, ProcessDefinition) == 0, "a refused bundle must save nothing"
    return caught.value.problems


def test_xxe_entity_is_refused_not_expanded(ctx):
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        b'<bpmn:process id="approval" isExecutable="true"><bpmn:documentation>&x;</bpmn:documentation>'
        b"</bpmn:process></bpmn:definitions>"
    )
    (problem,) = _problems(ctx, Bundle("approval", {"approval.bpmn": xxe}))
    assert problem.file == "approval.bpmn" and problem.line == 2
    assert "DTD" in problem.text
    assert "root:" not in problem.text


def test_billion_laughs_is_refused(ctx):
    lol = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        b"<lolz>&lol2;</lolz>"
    )
    (problem,) = _problems(ctx, Bundle("approval", {"approval.bpmn": lol}))
    assert problem.line == 2 and "DTD" in problem.text


def test_malformed_xml_names_the_line(ctx):
    broken = _variant(bundle_of("approval"), b"</bpmn:scriptTask>", b"</bpmn:scriptTsk>")
    (problem,) = _problems(ctx, broken)
    assert problem.file == "approval.bpmn"
    assert problem.line == 40
    assert "well-formed" in problem.text


def test_broken_sequence_flow_is_refused_with_file_and_line(ctx):
    broken = _variant(bundle_of("approval"), b'targetRef="compute"', b'targetRef="nowhere"')
    problems = _problems(ctx, broken)
    (problem,) = [p for p in problems if p.rule == "sequence-flow-ends"]
    assert (problem.file, problem.line, problem.params["ref"]) == ("approval.bpmn", 60, "nowhere")
    assert "nowhere" in problem.text
    # and what follows from it, at the element it leaves without a way in
    assert {p.element for p in problems if p.rule == "connected-nodes"} == {"compute"}


def test_missing_form_is_refused_with_element_and_line(ctx):
    bundle = bundle_of("approval")
    del bundle.files["decision.json"]
    (problem,) = _problems(ctx, bundle)
    assert (problem.file, problem.element, problem.line) == ("approval.bpmn", "approve", 46)
    assert problem.message == "The form '{form}' is not in the bundle."
    assert problem.params == {"form": "decision.json"}


def test_unknown_lane_role_is_refused(ctx):
    (problem,) = _problems(ctx, _variant(bundle_of("approval"), b'name="head"', b'name="janitor"'))
    assert problem.element == "approve" and problem.params == {"lane": "janitor"}


def test_lane_may_name_the_role_in_persian(ctx):
    bundle = _variant(bundle_of("approval"), b'name="head"', 'name="رئیس"'.encode())
    assert deploy(ctx, bundle).created


def test_bad_form_json_is_refused(ctx):
    bundle = bundle_of("approval")
    bundle.files["request.json"] = b'{"components": [ {"type": "number"} ]}'
    (problem,) = _problems(ctx, bundle)
    assert problem.file == "request.json" and "no key" in problem.text


def test_script_that_does_not_compile_in_the_sandbox_is_refused(ctx):
    bundle = _variant(bundle_of("approval"), b"total = amount * 2", b"import os\ntotal = amount * 2")
    (problem,) = _problems(ctx, bundle)
    assert problem.element == "compute" and problem.file == "approval.bpmn"
    assert problem.line == 38


def test_condition_with_dunder_access_is_refused(ctx):
    bundle = _variant(bundle_of("approval"), b"total &gt; 100", b"total.__class__ is int")
    (problem,) = _problems(ctx, bundle)
    assert problem.element == "flow_big" and problem.text.startswith("The condition does not run")
    assert problem.line == 63


@pytest.mark.parametrize(
    ("cell", "ok"),
    [
        ("? in ('traffic', 'parks')", True),
        ('"traffic"', True),
        ("> 5", True),
        ("in ('traffic',)", False),
        ("?.__class__", False),
    ],
)
def test_dmn_cells_are_checked_as_the_dmn_engine_reads_them(cell, ok):
    from engine.definitions.rules.ravand import compile_problems

    assert (not compile_problems(cell, "dmn-input")) == ok


def test_a_bare_iso_timer_marked_formal_runs_as_the_check_read_it(ctx):
    """``PT1H`` as BPMN tools write it (a formal expression): accepted at deploy; the timer waits an hour."""
    from datetime import timedelta

    from engine.models import Job, utcnow
    from engine.runtime import starting
    from tests.engine.rule_corpus import timer

    deploy(ctx, Bundle("p", {"p.bpmn": timer("timeDuration", "PT1H", formal=True).encode()}))
    before = utcnow()
    instance = starting.start(ctx, "p", {}, user="alice", unit="region-01")
    with ctx.db.read() as session:
        (job,) = session.scalars(select(Job).where(Job.instance_id == instance.id)).all()
    assert before + timedelta(minutes=59) < job.due_at < utcnow() + timedelta(minutes=61)


def test_the_diagrams_of_a_version_are_read_from_its_model(ctx):
    """Which file of a version draws a process or an element (for the task page and the monitor)."""
    from pathlib import Path

    from engine.definitions.bundle import collect_bundles
    from engine.definitions.diagrams import diagrams, drawing_of
    from engine.demo.seed import ROLES
    from engine.models import Role

    root = Path(__file__).resolve().parents[2]
    (bundle,) = [
        b for b in collect_bundles([root / "processes"], root / "forms") if b.key == "citizen_meeting"
    ]
    with ctx.db.transaction() as session:  # the lanes of the catalog name the demo roles
        known = set(session.scalars(select(Role.code)))
        session.add_all(
            Role(code=c, name_fa=fa, name_en=en, per_unit=p) for c, fa, en, p in ROLES if c not in known
        )
    result = deploy(ctx, bundle)
    found = diagrams(ctx, result.definition_id)
    assert set(found) == {"citizen_meeting", "citizen_meeting_commitment"}
    assert found["citizen_meeting_commitment"].file == "citizen_meeting_commitment.bpmn"
    called = drawing_of(ctx, result.definition_id, "commitment_progress")
    assert (called.process, called.file) == ("citizen_meeting_commitment", "citizen_meeting_commitment.bpmn")
    assert "commitment_progress" in called.content
    assert drawing_of(ctx, result.definition_id, "no_such_element") is None


def test_a_timer_start_whose_time_cannot_be_computed_is_a_located_problem(ctx):
    """A timer start event is scheduled at deploy, before any data exists: a time that cannot be computed
    then (a cycle that evaluates to a date) is refused at the event, never a traceback."""
    from engine.definitions.deployment import check
    from tests.engine.rule_corpus import chain, model

    timer = (
        "<bpmn:timerEventDefinition><bpmn:timeCycle>working_days_later(3)</bpmn:timeCycle>"
        "</bpmn:timerEventDefinition>"
    )
    bundle = Bundle("p", {"p.bpmn": model(chain(start_inner=timer)).encode()})
    (problem,) = check(ctx, bundle)
    assert (problem.rule, problem.element, problem.file) == ("timer-start", "s", "p.bpmn") and problem.line
    assert _problems(ctx, bundle)[0].rule == "timer-start"
