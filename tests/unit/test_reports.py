"""The supervisor's figures, checked against numbers worked out by hand on a small history.

The history is made by running the test processes with a frozen clock moved by hand, in Tehran's
week of Saturday 1405/09/07 (2026-11-28), which has no holiday: Saturday to Wednesday are working
days, Thursday and Friday are not.

- approval #1 (region-01): started Sat 09:30, ``submit`` (due in 2 working days: Mon 16:00) done Sun
  with a small amount, so the instance ends on Sunday: on time, cycle time 1 day, 1 working day.
- approval #2 (region-01): started Sat, ``submit`` done Tue 10:30 (late) with a large amount, so
  ``approve`` (no due date) opens on Tuesday.
- approval #3 (region-02): started Sat, ``submit`` still open on Wednesday: overdue.
- reminder #4 (region-01): started Sat, its three-day boundary timer fires on Tuesday and escalates
  ``review`` to ``escalated``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from engine.context import Context
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.models import OrgUnit, ProcessDefinition
from engine.org.access import scope_for_user
from engine.org.scopes import EVERYTHING, Scope
from engine.reporting import flow, heatmap, instances, regions, tasks
from engine.reporting.instances import InstanceFilter
from engine.runtime.jobs import run_due_jobs
from engine.runtime.starting import start
from engine.work.inbox import TaskQuery, list_tasks
from engine.work.tasks import complete
from tests.conftest import bundle_of

SATURDAY = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 09:30 in Tehran
WEEK = (date(2026, 11, 28), date(2026, 12, 4))


def open_task(ctx: Context, instance_id: int, element_id: str) -> dict:
    (task,) = [
        t for t in list_tasks(ctx, TaskQuery(instance_id=instance_id)) if t["element_id"] == element_id
    ]
    return task


@pytest.fixture
def history(ctx):
    with time_machine.travel(SATURDAY, tick=False) as clock:
        approval = deploy(ctx, bundle_of("approval"))
        reminder = deploy(ctx, bundle_of("reminder"))
        a1 = start(ctx, "approval", user="alice", unit="region-01").id
        a2 = start(ctx, "approval", user="alice", unit="region-01").id
        a3 = start(ctx, "approval", user="dave", unit="region-02").id
        r4 = start(ctx, "reminder", {"tracking_code": "1"}, user="alice", unit="region-01").id
        clock.shift(timedelta(days=1))  # Sunday
        complete(ctx, open_task(ctx, a1, "submit")["id"], {"amount": 10, "description": "کم"}, "alice")
        clock.shift(timedelta(days=2, hours=1))  # Tuesday 10:30
        complete(ctx, open_task(ctx, a2, "submit")["id"], {"amount": 500, "description": "زیاد"}, "bob")
        assert run_due_jobs(ctx)["failed"] == 0  # the reminder's three days are over
        clock.shift(timedelta(days=1))  # Wednesday 10:30
        yield {
            "ctx": ctx,
            "now": datetime.now(UTC),
            "ids": (a1, a2, a3, r4),
            "approval": approval.definition_id,
            "reminder": reminder.definition_id,
        }


def unit_id(ctx: Context, code: str) -> int:
    with ctx.db.transaction() as session:
        return session.query(OrgUnit.id).filter(OrgUnit.code == code).scalar()


def test_instance_counts_per_process(history):
    counts = {row["process_key"]: row for row in instances.instance_counts(history["ctx"], EVERYTHING)}
    assert (counts["approval"]["running"], counts["approval"]["completed"]) == (2, 1)
    assert counts["approval"]["waiting"] == 0
    assert (counts["reminder"]["running"], counts["reminder"]["completed"]) == (1, 0)


def test_sla_compliance_per_process_and_unit(history):
    ctx = history["ctx"]
    by_process = {r["key"]: r for r in tasks.sla_compliance(ctx, EVERYTHING, *WEEK, by="process")}
    # approval: #1 on time, #2 late; the reminder's review has no due date and was cancelled.
    assert by_process["approval"] == {
        "key": "approval",
        "label": "Approval request",
        "completed": 2,
        "on_time": 1,
        "late": 1,
        "percent": 50.0,
    }
    assert set(by_process) == {"approval"}
    by_unit = {r["key"]: r for r in tasks.sla_compliance(ctx, EVERYTHING, *WEEK, by="unit")}
    assert by_unit[unit_id(ctx, "region-01")]["percent"] == 50.0
    # a period after the week holds nothing
    assert tasks.sla_compliance(ctx, EVERYTHING, date(2026, 12, 5), date(2026, 12, 30), by="unit") == []


def test_open_and_overdue_tasks_per_unit_and_person(history):
    ctx = history["ctx"]
    per_unit = {r["key"]: r for r in tasks.open_task_counts(ctx, EVERYTHING, "unit")}
    # region-01: approval #2's approve and the reminder's escalated task; region-02: #3's overdue submit
    assert (per_unit[unit_id(ctx, "region-01")]["open"], per_unit[unit_id(ctx, "region-01")]["overdue"]) == (
        2,
        0,
    )
    assert (per_unit[unit_id(ctx, "region-02")]["open"], per_unit[unit_id(ctx, "region-02")]["overdue"]) == (
        1,
        1,
    )
    per_person = {r["key"]: r for r in tasks.open_task_counts(ctx, EVERYTHING, "person")}
    assert per_person[None]["open"] == 3
    overdue = tasks.overdue_tasks(ctx, EVERYTHING)
    assert [(t["instance_id"], t["name"]) for t in overdue] == [(history["ids"][2], "ثبت درخواست")]
    # due Mon 16:00; Tue and Wed have passed since
    assert overdue[0]["days_late"] == 2


def test_weekly_throughput_and_cycle_time(history):
    (week,) = flow.weekly_flow(history["ctx"], EVERYTHING, *WEEK)
    assert week["week"] == date(2026, 11, 28)
    assert week["label"] == "۱۴۰۵/۰۹/۰۷"
    assert (week["started"], week["completed"]) == (4, 1)
    assert (week["cycle_days"], week["cycle_working_days"]) == (1.0, 1.0)
    two = flow.weekly_flow(history["ctx"], EVERYTHING, date(2026, 11, 21), WEEK[1])
    assert [w["started"] for w in two] == [0, 4]


def test_element_counts_and_waiting_in_working_days(history):
    ctx = history["ctx"]
    stats = heatmap.element_stats(ctx, EVERYTHING, history["approval"])
    # submit: #1 waited Sat→Sun (1), #2 Sat→Tue (3), #3 is still waiting since Sat (4 by Wednesday)
    assert (stats["submit"]["passed"], stats["submit"]["waiting_now"]) == (2, 1)
    assert stats["submit"]["avg_wait_days"] == round((1 + 3 + 4) / 3, 2)
    assert (
        stats["approve"]["passed"],
        stats["approve"]["waiting_now"],
        stats["approve"]["avg_wait_days"],
    ) == (
        0,
        1,
        1.0,
    )
    assert stats["compute"]["passed"] == 2
    assert stats["start"]["passed"] == 3
    assert stats["done"]["passed"] == 1
    timer = heatmap.element_stats(ctx, EVERYTHING, history["reminder"])["overdue"]
    # the boundary timer fired on Tuesday, three working days after the instance's previous event
    assert timer["avg_wait_days"] == 3.0
    assert heatmap.element_stats(ctx, EVERYTHING, history["reminder"])["escalated"]["waiting_now"] == 1


def test_unit_comparison_for_a_rollout(history):
    ctx = history["ctx"]
    table = regions.unit_comparison(ctx, EVERYTHING, "approval")
    rows = {r["code"]: r for r in table["units"]}
    assert table["elements"] == {"submit": "ثبت درخواست", "approve": "تأیید رئیس"}
    assert rows["region-01"]["elements"]["submit"] == {
        "done": 2,
        "late": 1,
        "open": 0,
        "overdue": 0,
        "missed": 0,
    }
    assert rows["region-02"]["elements"]["submit"] == {
        "done": 0,
        "late": 0,
        "open": 1,
        "overdue": 1,
        "missed": 0,
    }
    # region-01: submits of 1 and 3 working days, an approval open since Tuesday (1 by Wednesday)
    assert rows["region-01"]["avg_days"] == round((1 + 3 + 1) / 3, 2)
    assert rows["region-02"]["avg_days"] == 4.0  # open since Saturday
    # one late task each; region-02 has waited longer
    assert [r["code"] for r in table["units"]] == ["region-02", "region-01"]


def test_instance_list_filters(history):
    ctx = history["ctx"]
    a1, a2, a3, r4 = history["ids"]

    def ids(**filters) -> list[int]:
        rows, total = instances.list_instances(ctx, EVERYTHING, InstanceFilter(**filters))
        assert total == len(rows)
        return sorted(r["id"] for r in rows)

    assert ids() == [a1, a2, a3, r4]
    assert ids(process_key="approval", status="running") == [a2, a3]
    assert ids(status="completed") == [a1]
    assert ids(overdue=True) == [a3]
    assert ids(initiator="dave") == [a3]
    assert ids(unit_id=unit_id(ctx, "region-02")) == [a3]
    assert ids(started_from=date(2026, 11, 28), started_to=date(2026, 11, 28)) == [a1, a2, a3, r4]
    assert ids(started_from=date(2026, 11, 29)) == []
    assert ids(element_id="approve") == [a2]
    assert ids(assignee="alice") == []  # nobody has claimed a task
    assert ids(version=1, process_key="reminder") == [r4]
    page, total = instances.list_instances(ctx, EVERYTHING, InstanceFilter(), limit=3, offset=3)
    assert (len(page), total) == (1, 4)


def test_a_units_scope_never_sees_another_unit(history):
    ctx = history["ctx"]
    region2 = Scope(unit_ids=frozenset({unit_id(ctx, "region-02")}))
    rows, _ = instances.list_instances(ctx, region2, InstanceFilter())
    assert [r["id"] for r in rows] == [history["ids"][2]]
    assert [r["key"] for r in tasks.open_task_counts(ctx, region2, "unit")] == [unit_id(ctx, "region-02")]
    assert tasks.sla_compliance(ctx, region2, *WEEK, by="unit") == []
    table = regions.unit_comparison(ctx, region2, "approval")
    assert [r["code"] for r in table["units"]] == ["region-02"]
    assert heatmap.element_stats(ctx, region2, history["reminder"]) == {}


DEPARTMENTS = {"policy_rollout": "coord", "citizen_meeting": "coord", "opinion_poll": "opinion"}


def test_scope_of_each_supervisor(database, tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "".join(f"- key: {key}\n  department: {d}\n" for key, d in DEPARTMENTS.items()), encoding="utf-8"
    )
    ctx = Context(database, catalog_path=catalog)
    seed_demo(ctx, password="x")
    with ctx.db.transaction() as session:
        for key in ("policy_rollout", "opinion_poll", "uncatalogued"):
            session.add(ProcessDefinition(key=key, version=1, content_hash=key, name=key))
    assert scope_for_user(ctx, "deputy").everything
    assert scope_for_user(ctx, "admin").everything
    head = scope_for_user(ctx, "coord.head")
    assert (head.everything, head.process_keys) == (False, {"policy_rollout", "uncatalogued"})
    manager = scope_for_user(ctx, "region05.manager")
    assert manager.process_keys == frozenset() and manager.unit_ids == {unit_id(ctx, "region-05")}
    assert scope_for_user(ctx, "coord.expert").empty


def test_catalog_departments_from_the_catalog_or_else_its_fragments(tmp_path):
    (tmp_path / "social").mkdir()
    (tmp_path / "social" / "catalog.yaml").write_text(
        "- key: b\n  department: dept_social\n", encoding="utf-8"
    )
    assert Context(None, catalog_path=tmp_path).departments() == {"b": "social"}
    (tmp_path / "catalog.yaml").write_text(
        "processes:\n  - key: a\n    department: coord\n", encoding="utf-8"
    )
    assert Context(None, catalog_path=tmp_path).departments() == {"a": "coord"}


# --- a catalog process: the policy rollout (COORD-1, COORD-2) ------------------------------------------

POLICY = {
    "title": "یکسان‌سازی اطلاع‌رسانی طرح‌های عمرانی",
    "letter_number": "۱۴۰۵/۲۳۱",
    "policy_text": "هر طرح عمرانی پیش از آغاز با تابلوی یکسان و خبر رسمی در پایگاه منطقه اطلاع‌رسانی شود.",
    "units": ["region-01", "region-05", "region-07"],
    "deadline_days": 5,
}
UNIT_REPORT = {
    "received": True,
    "implementation_status": "done",
    "actions_taken": "تابلوهای یکسان نصب و خبر هر طرح در پایگاه منطقه منتشر شد.",
    "implementation_date": "1405/09/08",
}


def unit_task(ctx: Context, instance_id: int, element_id: str, unit: str) -> str:
    (task,) = [
        t
        for t in list_tasks(ctx, TaskQuery(instance_id=instance_id))
        if t["element_id"] == element_id and t["unit_id"] == unit_id(ctx, unit)
    ]
    return task["id"]


def test_a_policy_rollout_compared_region_by_region(database):
    """Sent Saturday 1405/09/07 to regions 1, 5 and 7 with five working days to report (due Saturday
    1405/09/14 16:00). Region 1 reports Sunday and is scored at once; region 5 reports Monday 1405/09/16,
    late; region 7 never reports: on Monday the overdue timer takes its report away and escalates."""
    ctx = Context(database)
    seed_demo(ctx, password="x")
    root = Path(__file__).resolve().parents[2]
    (bundle,) = [
        b for b in collect_bundles([root / "processes"], root / "forms") if b.key == "policy_rollout"
    ]
    with time_machine.travel(SATURDAY, tick=False) as clock:
        deploy(ctx, bundle)
        iid = start(ctx, "policy_rollout", POLICY, user="coord.expert", unit="dept_coord").id
        approve = [
            t for t in list_tasks(ctx, TaskQuery(instance_id=iid)) if t["element_id"] == "approve_rollout"
        ]
        complete(ctx, approve[0]["id"], {"approval": "approve"}, "coord.head")
        clock.shift(timedelta(days=1))  # Sunday
        complete(ctx, unit_task(ctx, iid, "unit_report", "region-01"), UNIT_REPORT, "region01.manager")
        score = {"quantity_score": 40, "quality_score": 35, "expert_feedback": "اجرای کامل"}
        complete(ctx, unit_task(ctx, iid, "score_report", "region-01"), score, "coord.expert")
        clock.shift(timedelta(days=8, hours=1))  # Monday of the next week, 10:30
        complete(ctx, unit_task(ctx, iid, "unit_report", "region-05"), UNIT_REPORT, "region05.manager")
        assert run_due_jobs(ctx)["failed"] == 0
        table = regions.unit_comparison(ctx, EVERYTHING, "policy_rollout")
        rows = {r["code"]: r for r in table["units"]}
        assert set(rows) == {"region-01", "region-05", "region-07"}
        empty = {"done": 0, "late": 0, "open": 0, "overdue": 0, "missed": 0}
        assert rows["region-01"]["elements"] == {
            "unit_report": {**empty, "done": 1},
            "score_report": {**empty, "done": 1},
        }
        assert rows["region-05"]["elements"]["unit_report"] == {**empty, "done": 1, "late": 1}
        assert rows["region-05"]["elements"]["score_report"] == {**empty, "open": 1}
        assert rows["region-07"]["elements"] == {
            "unit_report": {**empty, "missed": 1},
            "escalate_unit": {**empty, "open": 1},
        }
        # working days: region-01 1 (Sat→Sun) and 0; region-05 7 (Sat→Mon next week) and 0; region-07
        # 7 until its report was taken away, and 0 for the escalation opened this morning
        assert [(r["code"], r["late"], r["avg_days"]) for r in table["units"]] == [
            ("region-05", 1, 3.5),
            ("region-07", 1, 3.5),
            ("region-01", 0, 0.5),
        ]
        by_unit = {r["label"]: r["percent"] for r in tasks.sla_compliance(ctx, EVERYTHING, *WEEK, by="unit")}
        # in the first week: the approval (the coordination department) and region 1's two tasks
        assert by_unit == {"اداره هماهنگی امور مناطق، معاونت‌ها، سازمان‌ها و شرکت‌ها": 100.0, "منطقه ۱": 100.0}
        two_weeks = (WEEK[0], date(2026, 12, 7))
        (sla,) = tasks.sla_compliance(ctx, EVERYTHING, *two_weeks, by="process")
        assert (sla["completed"], sla["on_time"], sla["percent"]) == (4, 3, 75.0)
        manager = Scope(unit_ids=frozenset({unit_id(ctx, "region-05")}))
        assert [r["code"] for r in regions.unit_comparison(ctx, manager, "policy_rollout")["units"]] == [
            "region-05"
        ]
        rows_seen, _ = instances.list_instances(ctx, manager, InstanceFilter())
        assert [r["id"] for r in rows_seen] == [iid]  # the rollout gave region 5 a task
        assert (
            instances.list_instances(
                ctx, Scope(unit_ids=frozenset({unit_id(ctx, "region-02")})), InstanceFilter()
            )[1]
            == 0
        )
