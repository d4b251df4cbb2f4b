"""A supervisor's actions: bulk operations by filter, due dates, reassignment, data edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from engine.cases import show, supervision
from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.errors import Forbidden, InvalidData, NotFound
from engine.models import AuditEvent, HumanTask, Job, OrgUnit, ProcessInstance
from engine.org.scopes import EVERYTHING
from engine.reporting import tasks
from engine.reporting.instances import InstanceFilter
from engine.runtime import lifecycle
from engine.runtime.jobs import run_due_jobs
from engine.runtime.starting import start
from engine.work.inbox import TaskQuery, list_tasks
from engine.work.tasks import assign

FAILING = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="doubling" name="Doubling" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="double" name="Double">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>result = value * 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="double" />
    <bpmn:sequenceFlow id="f2" sourceRef="double" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def status(ctx, instance_id: int) -> str:
    with ctx.db.transaction() as session:
        return session.get(ProcessInstance, instance_id).status


def events(ctx, instance_id: int, kind: str) -> list[AuditEvent]:
    with ctx.db.transaction() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.kind == kind)
            )
        )


def unit_id(ctx, code: str) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


@pytest.fixture
def three(ctx, approval):
    return [
        start(ctx, "approval", user="alice", unit="region-01").id,
        start(ctx, "approval", user="alice", unit="region-01").id,
        start(ctx, "approval", user="dave", unit="region-02").id,
    ]


def test_bulk_suspend_previews_then_reports_each_instance(ctx, three):
    a, b, c = three
    lifecycle.suspend(ctx, b, "sara", "already stopped")
    filters = InstanceFilter(process_key="approval")
    assert supervision.preview(ctx, "sara", filters, "suspend") == {
        "action": "suspend",
        "selected": 3,
        "affected": 2,
        "outside_authority": 0,
        "ids": [a, c],
    }
    report = supervision.bulk(ctx, "sara", filters, "suspend", "audit of the office")
    assert report == [
        {"instance_id": a, "outcome": "done", "status": "suspended"},
        {"instance_id": b, "outcome": "skipped", "status": "suspended"},
        {"instance_id": c, "outcome": "done", "status": "suspended"},
    ]
    assert {status(ctx, i) for i in three} == {"suspended"}
    assert events(ctx, a, "suspended")[0].data == {"reason": "audit of the office"}
    resumed = supervision.bulk(ctx, "sara", filters, "resume", "back to work")
    assert [r["outcome"] for r in resumed] == ["done"] * 3
    assert {status(ctx, i) for i in three} == {"running"}


def test_bulk_stays_inside_the_scope(ctx, three):
    report = supervision.bulk(ctx, "rita", InstanceFilter(), "terminate", "cancelled event")
    assert report == [{"instance_id": three[2], "outcome": "done", "status": "terminated"}]
    assert [status(ctx, i) for i in three] == ["running", "running", "terminated"]
    with pytest.raises(NotFound):  # region 1's case is not rita's to see, let alone to stop
        lifecycle.suspend(ctx, three[0], "rita", "not mine")


def test_seeing_a_case_is_not_authority_over_it(ctx, approval):
    """Region 2's manager sees a central case that gave her region a task, but may not stop it."""
    central = start(ctx, "approval", user="alice", unit="center").id
    with ctx.db.transaction() as session:
        region2 = unit_id(ctx, "region-02")
        session.execute(update(HumanTask).where(HumanTask.instance_id == central).values(unit_id=region2))
    assert supervision.preview(ctx, "rita", InstanceFilter(), "suspend") == {
        "action": "suspend",
        "selected": 1,
        "affected": 0,
        "outside_authority": 1,
        "ids": [],
    }
    with pytest.raises(Forbidden):
        lifecycle.suspend(ctx, central, "rita", "not hers")
    report = supervision.bulk(ctx, "rita", InstanceFilter(), "suspend", "trying")
    assert report == [{"instance_id": central, "outcome": "skipped", "status": "outside_authority"}]
    assert status(ctx, central) == "running"


def test_every_action_wants_a_reason(ctx, three):
    with pytest.raises(InvalidData) as caught:
        supervision.bulk(ctx, "sara", InstanceFilter(), "suspend", "  ")
    assert caught.value.to_dict()["fields"] == {"reason": "Required."}
    with pytest.raises(InvalidData):
        supervision.preview(ctx, "sara", InstanceFilter(), "explode")
    task = list_tasks(ctx, TaskQuery(instance_id=three[0]))[0]
    with pytest.raises(InvalidData):
        assign(ctx, task["id"], "bob", "sara", None)
    assert [status(ctx, i) for i in three] == ["running"] * 3


def test_change_due_date_moves_the_task_out_of_the_overdue_list(ctx, three):
    task = list_tasks(ctx, TaskQuery(instance_id=three[0]))[0]
    past = datetime(2020, 1, 1, 12, 30, tzinfo=UTC)
    supervision.change_due_date(ctx, task["id"], past, "sara", "agreed with the region")
    assert [t["id"] for t in tasks.overdue_tasks(ctx, EVERYTHING)] == [task["id"]]
    later = datetime(2099, 1, 1, 12, 30, tzinfo=UTC)
    result = supervision.change_due_date(ctx, task["id"], later, "sara", "extended")
    assert (result["from"], result["to"]) == (past, later)
    assert tasks.overdue_tasks(ctx, EVERYTHING) == []
    (_first, second) = events(ctx, three[0], "task_due_changed")
    assert second.data == {"from": past.isoformat(), "to": later.isoformat(), "reason": "extended"}
    with pytest.raises(NotFound):
        supervision.change_due_date(ctx, task["id"], later, "rita", "not mine")


def test_a_due_date_change_moves_the_overdue_job_with_it(ctx, three):
    """The overdue job follows the task's due moment: it must not fire, flag and notify at the old one."""
    task = list_tasks(ctx, TaskQuery(instance_id=three[0]))[0]
    later = datetime(2099, 1, 1, 12, 30, tzinfo=UTC)
    supervision.change_due_date(ctx, task["id"], later, "sara", "extended")
    with ctx.db.read() as session:
        jobs = session.scalars(
            select(Job.due_at).where(Job.kind == "overdue", Job.task_id == task["id"])
        ).all()
    assert jobs == [later]
    run_due_jobs(ctx, now=datetime.fromisoformat(task["due_at"]) + timedelta(days=1))
    assert events(ctx, three[0], "task_overdue") == []
    run_due_jobs(ctx, now=later + timedelta(minutes=1))
    assert len(events(ctx, three[0], "task_overdue")) == 1


def test_reassign_gives_the_task_to_another_user_with_the_reason(ctx, three):
    task = list_tasks(ctx, TaskQuery(instance_id=three[0]))[0]
    assign(ctx, task["id"], "bob", "sara", "alice is on leave")
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="bob"))][:1] == [task["id"]]
    with ctx.db.transaction() as session:
        assert session.get(HumanTask, task["id"]).assignee == "bob"
    (event,) = events(ctx, three[0], "task_assigned")
    assert event.data == {"from": None, "to": "bob", "reason": "alice is on leave"}


def test_admin_fixes_the_data_then_retries_the_incident_in_bulk(ctx):
    deploy(ctx, Bundle("doubling", {"doubling.bpmn": FAILING}))
    broken = start(ctx, "doubling", {"value": None}, user="alice").id
    assert status(ctx, broken) == "incident"
    with pytest.raises(Forbidden):
        supervision.edit_data(ctx, broken, "value", 21, "sara", "typo")
    with pytest.raises(InvalidData):
        supervision.edit_data(ctx, broken, "_hidden", 21, "root", "typo")
    change = supervision.edit_data(ctx, broken, "value", 21, "root", "the requester sent 21")
    assert change == {"field": "value", "old": None, "new": 21}
    (edited,) = events(ctx, broken, "data_edited")
    assert edited.actor == "root"
    assert edited.data == {"field": "value", "old": None, "new": 21, "reason": "the requester sent 21"}
    filters = InstanceFilter(status="incident")
    assert supervision.preview(ctx, "sara", filters, "retry")["affected"] == 1
    report = supervision.bulk(ctx, "sara", filters, "retry", "data fixed")
    assert report == [{"instance_id": broken, "outcome": "done", "status": "completed"}]
    assert status(ctx, broken) == "completed"
    assert events(ctx, broken, "incident_retried")[0].data == {"reason": "data fixed"}
    assert show.show(ctx, broken)["data"]["result"] == 42


def test_bulk_reports_a_failure_and_carries_on(ctx):
    deploy(ctx, Bundle("doubling", {"doubling.bpmn": FAILING}))
    first = start(ctx, "doubling", {"value": None}, user="alice").id
    second = start(ctx, "doubling", {"value": None}, user="alice").id
    report = supervision.bulk(ctx, "sara", InstanceFilter(status="incident"), "retry", "again")
    # the data is still wrong: each retry fails again (on its same incident), and both are reported
    assert [(r["instance_id"], r["outcome"]) for r in report] == [(first, "failed"), (second, "failed")]
    assert "NoneType" in report[0]["message"]
    assert {status(ctx, i) for i in (first, second)} == {"incident"}
