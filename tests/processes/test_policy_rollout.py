"""policy_rollout (COORD-1, COORD-2): a Center policy sent to chosen units, reported, scored, summed up."""

from __future__ import annotations

import pytest

from engine.cases.show import show
from engine.errors import InvalidData
from engine.runtime.starting import start
from engine.work.inbox import TaskQuery, list_tasks
from engine.work.tasks import complete
from tests.processes.conftest import (
    fire_timer,
    open_tasks,
    passed_elements,
    task_named,
    unit_id,
    unit_task,
)

START = {
    "title": "یکسان‌سازی اطلاع‌رسانی طرح‌های عمرانی",
    "letter_number": "۱۴۰۵/۲۳۱",
    "policy_text": "هر طرح عمرانی پیش از آغاز با تابلوی یکسان و خبر رسمی در پایگاه منطقه اطلاع‌رسانی شود.",
    "units": ["region-07", "region-01", "region-05"],
    "deadline_days": 5,
}
REPORT = {
    "received": True,
    "implementation_status": "done",
    "actions_taken": "تابلوهای یکسان نصب و خبر هر طرح در پایگاه منطقه منتشر شد.",
    "implementation_date": "1405/09/10",
}


@pytest.fixture
def ctx(catalog):
    catalog.deploy("policy_rollout")
    return catalog.context


def begin(ctx, **changes) -> int:
    instance = start(ctx, "policy_rollout", {**START, **changes}, user="coord.expert", unit="dept_coord")
    return instance.id


def approve(ctx, iid: int) -> None:
    complete(ctx, task_named(ctx, iid, "approve_rollout")["id"], {"approval": "approve"}, user="coord.head")


def test_each_unit_reports_weak_report_corrected_silent_unit_escalated(ctx, clock):
    iid = begin(ctx)
    assert show(ctx, iid)["data"]["units"] == ["region-01", "region-05", "region-07"]
    assert show(ctx, iid)["title"] == START["title"]
    head_task = task_named(ctx, iid, "approve_rollout")
    assert head_task["role"] == "coord_head"
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="coord.expert", instance_id=iid))] == []
    approve(ctx, iid)

    reports = [t for t in open_tasks(ctx, iid) if t["element_id"] == "unit_report"]
    assert sorted(t["unit_id"] for t in reports) == sorted(
        unit_id(ctx, u) for u in ("region-01", "region-05", "region-07")
    )
    assert all(t["role"] == "unit_pr_manager" and t["due_at"] for t in reports)
    mine = list_tasks(ctx, TaskQuery(user="region05.manager", instance_id=iid))
    assert [t["unit_id"] for t in mine] == [unit_id(ctx, "region-05")]
    assert list_tasks(ctx, TaskQuery(user="region02.manager", instance_id=iid)) == []

    complete(ctx, unit_task(ctx, iid, "unit_report", "region-01")["id"], REPORT, user="region01.manager")
    complete(ctx, unit_task(ctx, iid, "unit_report", "region-05")["id"], REPORT, user="region05.manager")
    score = unit_task(ctx, iid, "score_report", "region-01")
    assert score["role"] == "coord_expert"
    complete(
        ctx,
        score["id"],
        {"quantity_score": 40, "quality_score": 35, "expert_feedback": "اجرای کامل"},
        user="coord.expert",
    )
    complete(
        ctx,
        unit_task(ctx, iid, "score_report", "region-05")["id"],
        {"quantity_score": 20, "quality_score": 15, "expert_feedback": "مستندات ناقص است"},
        user="coord.expert",
    )
    correction = unit_task(ctx, iid, "correct_report", "region-05")
    assert list_tasks(ctx, TaskQuery(user="region01.manager", instance_id=iid)) == []
    complete(
        ctx,
        correction["id"],
        {"actions_taken": "مستندات نصب تابلو و پیوند خبرها پیوست شد.", "implementation_status": "done"},
        user="region05.manager",
    )
    complete(
        ctx,
        unit_task(ctx, iid, "score_report", "region-05")["id"],
        {"quantity_score": 35, "quality_score": 30, "expert_feedback": "اصلاح شد"},
        user="coord.expert",
    )

    fire_timer(ctx, clock, "report_reminder")
    assert "remind_unit" in passed_elements(ctx, iid)
    unit_task(ctx, iid, "unit_report", "region-07")  # a reminder does not interrupt the report
    fire_timer(ctx, clock, "report_overdue")
    assert not [t for t in open_tasks(ctx, iid) if t["element_id"] == "unit_report"]
    escalation = unit_task(ctx, iid, "escalate_unit", "region-07")
    assert escalation["role"] == "coord_head"
    complete(
        ctx,
        escalation["id"],
        {"escalation": "noncompliant", "extra_days": 5, "head_note": "پاسخی داده نشد"},
        user="coord.head",
    )

    data = show(ctx, iid)["data"]
    assert data["accepted_units"] == ["region-01", "region-05"]
    assert data["unreported_units"] == ["region-07"]
    assert data["weak_units"] == []
    assert data["average_score"] == 70
    assert data["compliance_rate"] == 67
    by_unit = {r["unit"]: r for r in data["unit_results"]}
    assert by_unit["region-05"]["corrections"] == 1
    complete(
        ctx,
        task_named(ctx, iid, "consolidated_report")["id"],
        {"report_summary": "دو واحد از سه واحد سیاست را کامل اجرا کردند؛ منطقه ۷ گزارش نداد."},
        user="coord.expert",
    )
    assert task_named(ctx, iid, "deputy_review")["role"] == "deputy"
    complete(ctx, task_named(ctx, iid, "deputy_review")["id"], {"deputy_decision": "warn"}, user="deputy")
    complete(
        ctx,
        task_named(ctx, iid, "issue_warnings")["id"],
        {"warning_letter_number": "۱۴۰۵/۳۰۰", "warning_note": "تذکر کتبی به منطقه ۷ ابلاغ شد."},
        user="coord.head",
    )
    final = show(ctx, iid)
    assert final["status"] == "completed"
    assert "warnings_issued" in passed_elements(ctx, iid)


def test_extension_then_report_and_weak_report_stays_weak_after_two_corrections(ctx, clock):
    iid = begin(ctx, units=["region-03"], deadline_days=4)
    approve(ctx, iid)
    fire_timer(ctx, clock, "report_overdue")
    complete(
        ctx,
        unit_task(ctx, iid, "escalate_unit", "region-03")["id"],
        {"escalation": "extend", "extra_days": 3, "head_note": "مدیر منطقه قول ارسال داد"},
        user="coord.head",
    )
    report = unit_task(ctx, iid, "unit_report", "region-03")
    complete(ctx, report["id"], REPORT, user="region03.manager")
    weak = {"quantity_score": 10, "quality_score": 10, "expert_feedback": "گزارش ناقص است"}
    for _ in range(2):
        complete(ctx, unit_task(ctx, iid, "score_report", "region-03")["id"], weak, user="coord.expert")
        complete(
            ctx,
            unit_task(ctx, iid, "correct_report", "region-03")["id"],
            {"actions_taken": "گزارش تکمیلی اقدام‌های منطقه ارسال شد.", "implementation_status": "partial"},
            user="region03.manager",
        )
    complete(ctx, unit_task(ctx, iid, "score_report", "region-03")["id"], weak, user="coord.expert")
    data = show(ctx, iid)["data"]
    assert data["unit_results"] == [
        {
            "unit": "region-03",
            "status": "weak",
            "score": 20,
            "corrections": 2,
            "extensions": 1,
            "implementation_status": "partial",
        }
    ]
    assert data["weak_units"] == ["region-03"]
    complete(
        ctx,
        task_named(ctx, iid, "consolidated_report")["id"],
        {"report_summary": "منطقه ۳ پس از تمدید گزارش داد ولی کیفیت اجرا ضعیف ماند."},
        user="coord.expert",
    )
    complete(ctx, task_named(ctx, iid, "deputy_review")["id"], {"deputy_decision": "close"}, user="deputy")
    assert show(ctx, iid)["status"] == "completed"
    assert "rollout_closed" in passed_elements(ctx, iid)


def test_second_escalation_cannot_extend_again(ctx, clock):
    iid = begin(ctx, units=["region-09"], deadline_days=3)
    approve(ctx, iid)
    for _ in range(2):
        fire_timer(ctx, clock, "report_overdue")
        complete(
            ctx,
            unit_task(ctx, iid, "escalate_unit", "region-09")["id"],
            {"escalation": "extend", "extra_days": 2, "head_note": "تماس گرفته شد"},
            user="coord.head",
        )
    data = show(ctx, iid)["data"]
    assert data["unreported_units"] == ["region-09"]
    assert data["unit_results"][0]["extensions"] == 1


def test_head_sends_back_twice_then_the_draft_is_withdrawn(ctx):
    iid = begin(ctx)
    for expected_round in (1, 2):
        complete(
            ctx,
            task_named(ctx, iid, "approve_rollout")["id"],
            {"approval": "revise", "head_note": "شیوه اجرا روشن‌تر نوشته شود"},
            user="coord.head",
        )
        revision = task_named(ctx, iid, "revise_rollout")
        assert revision["role"] == "coord_expert"
        complete(
            ctx,
            revision["id"],
            {"policy_text": "متن روشن‌تر شیوه یکسان اطلاع‌رسانی طرح‌ها.", "deadline_days": 8},
            user="coord.expert",
        )
        assert show(ctx, iid)["data"]["revision_rounds"] == expected_round
    complete(ctx, task_named(ctx, iid, "approve_rollout")["id"], {"approval": "revise"}, user="coord.head")
    final = show(ctx, iid)
    assert final["status"] == "completed"
    assert final["data"]["deadline_days"] == 8
    assert "rollout_withdrawn" in passed_elements(ctx, iid)


def test_refused_submissions_save_nothing(ctx):
    iid = begin(ctx, units=["region-02"])
    approve(ctx, iid)
    report = unit_task(ctx, iid, "unit_report", "region-02")
    with pytest.raises(InvalidData) as unacknowledged:
        complete(ctx, report["id"], {**REPORT, "received": False}, user="region02.manager")
    assert set(unacknowledged.value.field_errors) == {"received"}
    assert unit_task(ctx, iid, "unit_report", "region-02")["id"] == report["id"]
    complete(ctx, report["id"], REPORT, user="region02.manager")
    score = unit_task(ctx, iid, "score_report", "region-02")
    with pytest.raises(InvalidData) as refused:
        complete(
            ctx,
            score["id"],
            {"quantity_score": 70, "quality_score": 30, "expert_feedback": "کیفیت خوب"},
            user="coord.expert",
        )
    assert set(refused.value.field_errors) == {"quantity_score"}
    assert unit_task(ctx, iid, "score_report", "region-02")["id"] == score["id"]
    assert not [
        e
        for e in show(ctx, iid)["history"]
        if e["kind"] == "task_completed" and e["element_id"] == "score_report"
    ]


def test_all_22_regions_each_manager_gets_their_own_task(ctx):
    regions = [f"region-{n:02d}" for n in range(1, 23)]
    iid = begin(ctx, units=regions)
    approve(ctx, iid)
    reports = [t for t in open_tasks(ctx, iid) if t["element_id"] == "unit_report"]
    assert len(reports) == 22
    for n in (1, 12, 22):
        mine = list_tasks(ctx, TaskQuery(user=f"region{n:02d}.manager", instance_id=iid))
        assert [t["unit_id"] for t in mine] == [unit_id(ctx, f"region-{n:02d}")]


def test_the_signed_notice_is_a_numbered_letter_of_the_coordination_department(ctx):
    iid = begin(ctx, units=["region-03"])
    complete(ctx, task_named(ctx, iid, "approve_rollout")["id"], {"approval": "revise"}, user="coord.head")
    assert show(ctx, iid)["letters"] == []  # sent back: no letter
    complete(
        ctx,
        task_named(ctx, iid, "revise_rollout")["id"],
        {**START, "units": ["region-03"]},
        user="coord.expert",
    )
    approve(ctx, iid)
    (letter,) = show(ctx, iid)["letters"]
    assert (letter["kind"], letter["number"].split("/")[1]) == ("policy_notice", "ه")
    assert show(ctx, iid)["data"]["policy_notice_letter"]["number"] == letter["number"]
