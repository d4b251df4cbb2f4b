"""Migrating running instances to a new version: preview, one transaction per instance, audit, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import show
from engine.context import Context
from engine.definitions import drafts
from engine.definitions.bundle import Bundle, collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.models import AuditEvent, Job, OrgUnit, ProcessInstance
from engine.runtime import lifecycle, migration, starting
from engine.runtime.messages import send_message
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.processes.conftest import ROOT, task_named

LEGAL_REVIEW = """
    <bpmn:userTask id="legal_review" name="بازبینی حقوقی">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="decision.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_2</bpmn:incoming>
      <bpmn:outgoing>flow_legal</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_legal" sourceRef="legal_review" targetRef="compute" />
"""


def _deploy_files(ctx, key, files, comment="v2"):
    """A new version edited as text (its diagram is not redrawn, so it goes through the CLI's deploy)."""
    return deploy(ctx, Bundle(key, {n: t.encode("utf-8") for n, t in files.items()}), "designer", comment)


def _deploy_changed(ctx, change, comment="v2"):
    draft = drafts.get_draft(ctx, "approval")
    return _deploy_files(
        ctx, "approval", {**draft.files, "approval.bpmn": change(draft.files["approval.bpmn"])}, comment
    )


def _with_legal_review(xml: str) -> str:
    xml = xml.replace(
        "<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>\n<bpmn:flowNodeRef>legal_review</bpmn:flowNodeRef>",
    )
    xml = xml.replace(
        '<bpmn:sequenceFlow id="flow_2" sourceRef="submit" targetRef="compute" />',
        '<bpmn:sequenceFlow id="flow_2" sourceRef="submit" targetRef="legal_review" />' + LEGAL_REVIEW,
    )
    return xml.replace(
        "<bpmn:incoming>flow_2</bpmn:incoming>\n      <bpmn:outgoing>flow_3",
        "<bpmn:incoming>flow_legal</bpmn:incoming>\n      <bpmn:outgoing>flow_3",
    )


def _open(ctx, instance_id):
    return list_tasks(ctx, TaskQuery(instance_id=instance_id))


def test_preview_then_migrate_moves_an_instance_onto_the_new_step(ctx, approval):
    old = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    (submit,) = _open(ctx, old.id)
    v2 = _deploy_changed(ctx, _with_legal_review)
    assert v2.version == 2

    (plan,) = migration.preview(ctx, v2.definition_id, [old.id])
    assert plan.migratable and (plan.from_version, plan.to_version) == (1, 2)
    assert [(t["element"], t["to"]) for t in plan.kept] == [("submit", "submit")] and plan.restarted == []
    with ctx.db.transaction() as session:  # a preview saves nothing
        assert session.get(ProcessInstance, old.id).definition_id == approval.definition_id

    (result,) = migration.migrate(ctx, v2.definition_id, [old.id], "designer")
    assert result.migrated, result.error
    with ctx.db.transaction() as session:
        assert session.get(ProcessInstance, old.id).definition_id == v2.definition_id
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "migrated"))
        assert (event.instance_id, event.actor, event.data["to_version"]) == (old.id, "designer", 2)
    (still,) = _open(ctx, old.id)
    assert still["id"] == submit["id"]  # the open task keeps its identity (and its inbox row)
    tasks.complete(ctx, submit["id"], {"amount": 500, "description": "x"}, user="alice")
    (legal,) = _open(ctx, old.id)
    assert legal["element_id"] == "legal_review" and legal["role"] == "head"
    tasks.complete(ctx, legal["id"], {"approved": "yes"}, user="carol")
    (approve,) = _open(ctx, old.id)
    assert approve["element_id"] == "approve"
    tasks.complete(ctx, approve["id"], {"approved": "yes"}, user="carol")
    shown = show.show(ctx, old.id)
    assert shown["status"] == "completed" and shown["version"] == 2 and shown["data"]["total"] == 1000


def test_a_surviving_task_takes_the_new_versions_name_and_unit_and_keeps_its_deadline(ctx, approval):
    old = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    (before,) = _open(ctx, old.id)

    def moved_to_region_2(xml: str) -> str:
        xml = xml.replace('name="ثبت درخواست"', 'name="ثبت درخواست منطقه"')
        return xml.replace(
            '<spiffworkflow:property name="dueInWorkingDays" value="2" />',
            '<spiffworkflow:property name="dueInWorkingDays" value="5" />\n'
            '<spiffworkflow:property name="unit" value="\'region-02\'" />',
        )

    v2 = _deploy_changed(ctx, moved_to_region_2)
    (result,) = migration.migrate(ctx, v2.definition_id, [old.id], "designer")
    assert result.migrated, result.error
    (after,) = _open(ctx, old.id)
    assert (after["id"], after["name"], after["due_at"]) == (
        before["id"],
        "ثبت درخواست منطقه",
        before["due_at"],
    )
    with ctx.db.read() as session:
        region2 = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "region-02"))
    assert after["unit_id"] == region2
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="dave"))] == [after["id"]]


def _without_submit(xml: str) -> str:
    xml = xml.replace('<bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="submit" />', "")
    xml = xml.replace(
        '<bpmn:sequenceFlow id="flow_2" sourceRef="submit" targetRef="compute" />',
        '<bpmn:sequenceFlow id="flow_2" sourceRef="start" targetRef="compute" />',
    )
    xml = xml.replace("<bpmn:outgoing>flow_1</bpmn:outgoing>", "<bpmn:outgoing>flow_2</bpmn:outgoing>")
    xml = xml.replace("<bpmn:flowNodeRef>submit</bpmn:flowNodeRef>", "")
    start, end = xml.index('<bpmn:userTask id="submit"'), xml.index('<bpmn:scriptTask id="compute"')
    return (xml[:start] + xml[end:]).replace("total = amount * 2", "total = 0")


def test_a_renamed_step_is_aligned_by_its_place_in_the_flow(ctx, approval):
    old = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    v2 = _deploy_changed(
        ctx, lambda xml: xml.replace('"submit"', '"submit_v2"').replace(">submit<", ">submit_v2<")
    )
    (plan,) = migration.preview(ctx, v2.definition_id, [old.id])
    assert plan.migratable and [(t["element"], t["to"]) for t in plan.kept] == [("submit", "submit_v2")]
    assert migration.migrate(ctx, v2.definition_id, [old.id], "designer")[0].migrated
    assert _open(ctx, old.id)[0]["element_id"] == "submit_v2"


def test_an_instance_whose_current_step_was_removed_cannot_be_migrated_and_is_left_as_it_was(ctx, approval):
    old = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    v2 = _deploy_changed(ctx, _without_submit)
    with ctx.db.transaction() as session:
        before = session.get(ProcessInstance, old.id).state_version

    (plan,) = migration.preview(ctx, v2.definition_id, [old.id])
    assert not plan.migratable
    assert any("(submit)" in str(reason) and "it is at step" in str(reason) for reason in plan.reasons)

    (result,) = migration.migrate(ctx, v2.definition_id, [old.id], "designer")
    assert not result.migrated and "submit" in result.error
    with ctx.db.transaction() as session:
        instance = session.get(ProcessInstance, old.id)
        assert (instance.definition_id, instance.state_version) == (approval.definition_id, before)
        assert session.scalar(select(AuditEvent).where(AuditEvent.kind == "migrated")) is None
    (submit,) = _open(ctx, old.id)
    tasks.complete(ctx, submit["id"], {"amount": 1, "description": "x"}, user="alice")
    assert show.show(ctx, old.id)["status"] == "completed"


def test_each_instance_migrates_in_its_own_transaction(ctx, approval):
    first = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    second = starting.start(ctx, "approval", {}, user="alice", unit="region-01")
    lifecycle.terminate(ctx, second.id, "sara", "stop")
    v2 = _deploy_changed(ctx, _with_legal_review)
    results = migration.migrate(ctx, v2.definition_id, [second.id, first.id], "designer")
    assert [(r.instance_id, r.migrated) for r in results] == [(second.id, False), (first.id, True)]
    assert "terminated" in results[0].error
    (plan,) = migration.preview(ctx, v2.definition_id, [first.id])
    assert [str(reason) for reason in plan.reasons] == ["it already runs this version"]


SCREENING = """
    <bpmn:userTask id="screening" name="غربالگری حقوقی">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="ngo_followup.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>flow_vetting_to_head_decision</bpmn:incoming>
      <bpmn:outgoing>flow_screening_to_head_decision</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_screening_to_head_decision" sourceRef="screening" targetRef="head_decision" />
"""


def _with_screening(xml: str) -> str:
    """NGO partnership with a new step between vetting and the head's decision, in the expert's lane."""
    xml = xml.replace(
        'id="flow_vetting_to_head_decision" sourceRef="vetting" targetRef="head_decision"',
        'id="flow_vetting_to_head_decision" sourceRef="vetting" targetRef="screening"',
    )
    head_outgoing = "</bpmn:incoming>\n      <bpmn:outgoing>flow_head_decision"
    xml = xml.replace(
        "<bpmn:incoming>flow_vetting_to_head_decision" + head_outgoing,
        "<bpmn:incoming>flow_screening_to_head_decision" + head_outgoing,
    )
    xml = xml.replace(
        "<bpmn:flowNodeRef>vetting</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>vetting</bpmn:flowNodeRef><bpmn:flowNodeRef>screening</bpmn:flowNodeRef>",
    )
    return xml.replace(
        '    <bpmn:userTask id="head_decision"', SCREENING + '    <bpmn:userTask id="head_decision"', 1
    )


@pytest.fixture
def demo(database):
    """The demo organisation with the catalog's NGO partnership process deployed."""
    ctx = Context(database)
    seed_demo(ctx, password="x")
    (bundle,) = [
        b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "ngo_partnership"
    ]
    deploy(ctx, bundle)
    return ctx


def test_ngo_applications_waiting_on_timers_and_messages_migrate_and_continue(demo):
    ctx = demo
    application = {
        "ngo_name": "انجمن محله",
        "registration_number": "12345",
        "ngo_field": "urban",
        "contact_person": "لیلا توکلی",
        "contact_phone": "09121234567",
        "proposal_summary": "کارگاه‌های آموزشی تفکیک پسماند در سراهای محله با همکاری شهرداری منطقه",
        "submitted_documents": ["registration_certificate", "statute"],
    }
    at_check = starting.start(ctx, "ngo_partnership", dict(application), public=True)
    waiting = starting.start(ctx, "ngo_partnership", dict(application), public=True)
    incomplete = {"documents_complete": "no", "missing_documents": "اساسنامه"}
    tasks.complete(
        ctx, task_named(ctx, waiting.id, "check_documents")["id"], incomplete, user="social.expert"
    )
    draft = drafts.get_draft(ctx, "ngo_partnership")
    files = {**draft.files, "ngo_partnership.bpmn": _with_screening(draft.files["ngo_partnership.bpmn"])}
    v2 = _deploy_files(ctx, "ngo_partnership", files, "غربالگری حقوقی")

    plans = migration.preview(ctx, v2.definition_id, [at_check.id, waiting.id])
    assert all(plan.migratable for plan in plans), [plan.reasons for plan in plans]
    # the deadline (ten working days) comes out the same when its timer is set again: kept, as the job shows
    assert {t["element"] for t in plans[1].kept} >= {"wait_documents", "documents_deadline"}
    assert all(
        r.migrated for r in migration.migrate(ctx, v2.definition_id, [at_check.id, waiting.id], "designer")
    )
    with ctx.db.transaction() as session:  # the waiting one still has its deadline timer
        assert session.scalar(
            select(Job).where(Job.instance_id == waiting.id, Job.element_id == "documents_deadline")
        )

    complete = {"documents_complete": "yes"}
    tasks.complete(ctx, task_named(ctx, at_check.id, "check_documents")["id"], complete, user="social.expert")
    vetted = {
        "ngo_background": "clean",
        "ngo_capacity": "medium",
        "ngo_alignment": "high",
        "vetting_report": "سابقه سه سال فعالیت محلی.",
        "expert_recommendation": "accept",
    }
    tasks.complete(ctx, task_named(ctx, at_check.id, "vetting")["id"], vetted, user="social.expert")
    screening = task_named(ctx, at_check.id, "screening")
    assert screening["role"] == "social_expert"

    code = show.show(ctx, waiting.id)["tracking_code"]
    assert send_message(ctx, "ngo_documents_submitted", {"tracking_code": code})["instances"] == [waiting.id]
    assert task_named(ctx, waiting.id, "check_documents")["role"] == "social_expert"


def test_a_reset_timer_that_fails_under_the_new_version_makes_the_instance_not_migratable(demo):
    application = {
        "ngo_name": "انجمن",
        "registration_number": "1",
        "ngo_field": "urban",
        "contact_person": "لیلا",
        "contact_phone": "09121234567",
        "proposal_summary": "کارگاه‌های آموزشی تفکیک پسماند در سراهای محله",
        "submitted_documents": ["statute"],
    }
    instance = starting.start(demo, "ngo_partnership", application, public=True)
    incomplete = {"documents_complete": "no", "missing_documents": "اساسنامه"}
    tasks.complete(
        demo, task_named(demo, instance.id, "check_documents")["id"], incomplete, user="social.expert"
    )
    draft = drafts.get_draft(demo, "ngo_partnership")
    broken = draft.files["ngo_partnership.bpmn"].replace(
        "working_days_later(10)", "working_days_later(no_such_deadline)"
    )
    v2 = _deploy_files(demo, "ngo_partnership", {**draft.files, "ngo_partnership.bpmn": broken}, "مهلت تازه")
    (plan,) = migration.preview(demo, v2.definition_id, [instance.id])
    assert not plan.migratable and "no_such_deadline" in str(plan.reasons[0])
    (result,) = migration.migrate(demo, v2.definition_id, [instance.id], "designer")
    assert not result.migrated and show.show(demo, instance.id)["version"] == 1


def test_the_preview_says_which_tasks_keep_their_place_deadline_and_timers(ctx):
    """A review with a three-day reminder, migrated to a version that only renames the reminder: the
    review stays the same task with the same deadline; the reminder's timer starts again, and the
    preview says so before the migration does exactly that."""
    bundle = collect_bundles([ROOT / "tests" / "fixtures" / "reminder"])[0]
    deploy(ctx, bundle)
    instance = starting.start(ctx, "reminder", {}, user="alice", unit="region-01")
    (review,) = _open(ctx, instance.id)
    files = {n: c.decode("utf-8") for n, c in bundle.files.items()}
    renamed = files["reminder.bpmn"].replace('name="سه روز گذشت"', 'name="یادآوری"')
    v2 = _deploy_files(ctx, "reminder", {**files, "reminder.bpmn": renamed})

    (plan,) = migration.preview(ctx, v2.definition_id, [instance.id])
    assert [t["element"] for t in plan.kept] == ["review"]
    (timer,) = plan.restarted
    assert (timer["element"], timer["to_name"], timer["new_task"]) == ("overdue", "یادآوری", False)
    assert timer["due_after"] >= timer["due"]

    (result,) = migration.migrate(ctx, v2.definition_id, [instance.id], "designer")
    assert result.migrated and [t["element"] for t in result.plan.kept] == ["review"]
    (after,) = _open(ctx, instance.id)
    assert (after["id"], after["due_at"]) == (review["id"], review["due_at"])
    with ctx.db.read() as session:
        job = session.scalar(select(Job).where(Job.instance_id == instance.id, Job.element_id == "overdue"))
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "migrated"))
    assert job.due_at >= timer["due"]
    assert [t["element"] for t in event.data["restarted"]] == ["overdue"]


def test_every_task_spec_ravand_parses_to_can_be_compared_by_the_migration():
    """The migration's spec diff converts task specs: a class without a converter failed every preview."""
    from engine.definitions.event_sub_process import EventSubProcessStart, LevelEnd
    from engine.definitions.parser_classes import ImplicitSplit, RavandBpmnParser
    from engine.runtime.migration import _REGISTRY

    made = {spec for _, spec in RavandBpmnParser.OVERRIDE_PARSER_CLASSES.values()}
    made |= {EventSubProcessStart, LevelEnd, ImplicitSplit}
    assert {cls.__name__ for cls in made if cls not in _REGISTRY.typenames} == set()
