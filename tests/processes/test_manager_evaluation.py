"""manager_evaluation (COORD-3): half-yearly evaluation of the units' PR managers, graded by manager_grade."""

from __future__ import annotations

import pytest

from engine.cases.show import show
from engine.errors import InvalidData
from engine.runtime.starting import start
from engine.work.inbox import TaskQuery, list_tasks
from engine.work.tasks import complete
from tests.processes.conftest import fire_timer, open_tasks, task_named, unit_id, unit_task

START = {"period": "first_half", "year": 1405, "units": ["region-04", "region-02"], "self_assessment_days": 5}
SELF = {
    "achievements": "راه‌اندازی میز خبر منطقه و پاسخ به همه پیام‌های سامانه ۱۳۷ در کمتر از دو روز.",
    "news_published": 140,
    "campaigns_held": 6,
    "meetings_held": 52,
}


def scores(value: int) -> dict:
    return {
        "policy_compliance": value,
        "citizen_responsiveness": value,
        "media_relations": value,
        "reporting": value,
        "innovation": value,
        "expert_comment": "بر پایه سوابق دوره",
    }


@pytest.fixture
def ctx(catalog):
    catalog.deploy("manager_evaluation")
    return catalog.context


def begin(ctx, **changes) -> int:
    return start(ctx, "manager_evaluation", {**START, **changes}, user="coord.head", unit="dept_coord").id


def evaluation_of(ctx, iid: int, unit: str) -> dict:
    return next(e for e in show(ctx, iid)["data"]["evaluations"] if e["unit"] == unit)


def test_period_with_an_upheld_appeal_and_an_improvement_plan(ctx):
    iid = begin(ctx)
    self_tasks = [t for t in open_tasks(ctx, iid) if t["element_id"] == "self_assessment"]
    assert sorted(t["unit_id"] for t in self_tasks) == sorted(
        unit_id(ctx, u) for u in ("region-02", "region-04")
    )
    assert len(list_tasks(ctx, TaskQuery(user="region04.manager", instance_id=iid))) == 1
    assert list_tasks(ctx, TaskQuery(user="region03.manager", instance_id=iid)) == []
    for unit in ("region-02", "region-04"):
        complete(
            ctx, unit_task(ctx, iid, "self_assessment", unit)["id"], SELF, user=f"region{unit[-2:]}.manager"
        )

    score = unit_task(ctx, iid, "score_manager", "region-02")
    assert score["role"] == "coord_expert"
    complete(ctx, score["id"], scores(95), user="coord.expert")
    complete(
        ctx,
        unit_task(ctx, iid, "score_manager", "region-04")["id"],
        {**scores(50), "policy_compliance": 70},
        user="coord.expert",
    )
    complete(
        ctx,
        unit_task(ctx, iid, "review_grade", "region-02")["id"],
        {"review": "accept"},
        user="region02.manager",
    )
    complete(
        ctx,
        unit_task(ctx, iid, "review_grade", "region-04")["id"],
        {"review": "appeal", "appeal_reason": "آمار ملاقات‌های مردمی منطقه در سوابق ثبت نشده است."},
        user="region04.manager",
    )
    appeal = unit_task(ctx, iid, "decide_appeal", "region-04")
    assert appeal["role"] == "coord_head"
    complete(ctx, appeal["id"], {"final_score": 56, "appeal_answer": "اعتراض وارد نیست"}, user="coord.head")
    plan = unit_task(ctx, iid, "improvement_plan", "region-04")
    complete(
        ctx,
        plan["id"],
        {
            "plan_actions": "آموزش کارشناسان، تقویم ماهانه اطلاع‌رسانی و گزارش هفتگی به اداره هماهنگی.",
            "plan_deadline": "1405/12/20",
        },
        user="region04.manager",
    )

    assert evaluation_of(ctx, iid, "region-02") == {
        "unit": "region-02",
        "score": 95.0,
        "initial_score": 95.0,
        "grade": "A",
        "appealed": False,
        "self_assessment_missed": False,
        "improvement_plan_required": False,
    }
    region04 = evaluation_of(ctx, iid, "region-04")
    assert (region04["initial_score"], region04["score"], region04["grade"], region04["appealed"]) == (
        56.0,
        56,
        "D",
        True,
    )
    data = show(ctx, iid)["data"]
    assert data["ranking"] == ["region-02", "region-04"]
    assert data["top_managers"] == ["region-02"]
    assert data["grade_counts"] == {"A": 1, "B": 0, "C": 0, "D": 1}
    assert data["appeals_count"] == 1

    complete(
        ctx,
        task_named(ctx, iid, "evaluation_report")["id"],
        {"evaluation_summary": "منطقه ۲ برترین مدیر دوره است و منطقه ۴ برنامه بهبود دارد."},
        user="coord.expert",
    )
    approval = task_named(ctx, iid, "approve_results")
    assert approval["role"] == "deputy"
    complete(
        ctx,
        approval["id"],
        {"results_approval": "approved", "commendations": "لوح تقدیر برای منطقه ۲"},
        user="deputy",
    )
    assert show(ctx, iid)["status"] == "completed"


def test_appeal_that_raises_the_score_changes_the_grade(ctx):
    iid = begin(ctx, units=["region-06"])
    complete(ctx, unit_task(ctx, iid, "self_assessment", "region-06")["id"], SELF, user="region06.manager")
    complete(ctx, unit_task(ctx, iid, "score_manager", "region-06")["id"], scores(72), user="coord.expert")
    complete(
        ctx,
        unit_task(ctx, iid, "review_grade", "region-06")["id"],
        {"review": "appeal", "appeal_reason": "پویش پاکیزگی محله در گزارش دیده نشده است."},
        user="region06.manager",
    )
    complete(
        ctx,
        unit_task(ctx, iid, "decide_appeal", "region-06")["id"],
        {"final_score": 78, "appeal_answer": "اعتراض وارد است"},
        user="coord.head",
    )
    result = evaluation_of(ctx, iid, "region-06")
    assert (result["initial_score"], result["score"], result["grade"]) == (72.0, 78, "B")
    assert not [t for t in open_tasks(ctx, iid) if t["element_id"] == "improvement_plan"]


def test_grade_bounds_of_the_decision_table(ctx):
    bounds = {"region-12": (90, "A"), "region-13": (89, "B"), "region-14": (75, "B")}
    bounds.update({"region-15": (74, "C"), "region-16": (60, "C"), "region-17": (59, "D")})
    iid = begin(ctx, units=sorted(bounds))
    for unit, (value, _) in bounds.items():
        manager = f"region{unit[-2:]}.manager"
        complete(ctx, unit_task(ctx, iid, "self_assessment", unit)["id"], SELF, user=manager)
        complete(ctx, unit_task(ctx, iid, "score_manager", unit)["id"], scores(value), user="coord.expert")
        complete(ctx, unit_task(ctx, iid, "review_grade", unit)["id"], {"review": "accept"}, user=manager)
    plans = [t for t in open_tasks(ctx, iid) if t["element_id"] == "improvement_plan"]
    assert [t["unit_id"] for t in plans] == [unit_id(ctx, "region-17")]
    complete(
        ctx,
        plans[0]["id"],
        {"plan_actions": "برنامه ماهانه اطلاع‌رسانی و آموزش کارشناسان منطقه.", "plan_deadline": "1405/11/30"},
        user="region17.manager",
    )
    assert {e["unit"]: e["grade"] for e in show(ctx, iid)["data"]["evaluations"]} == {
        unit: grade for unit, (_, grade) in bounds.items()
    }
    assert show(ctx, iid)["data"]["ranking"] == sorted(bounds)


def test_missed_self_assessment_is_evaluated_on_the_record(ctx, clock):
    iid = begin(ctx, units=["region-10"])
    fire_timer(ctx, clock, "self_assessment_overdue")
    assert not [t for t in open_tasks(ctx, iid) if t["element_id"] == "self_assessment"]
    complete(ctx, unit_task(ctx, iid, "score_manager", "region-10")["id"], scores(80), user="coord.expert")
    complete(
        ctx,
        unit_task(ctx, iid, "review_grade", "region-10")["id"],
        {"review": "accept"},
        user="region10.manager",
    )
    result = evaluation_of(ctx, iid, "region-10")
    assert (result["self_assessment_missed"], result["grade"]) == (True, "B")


def test_out_of_range_score_is_refused(ctx):
    iid = begin(ctx, units=["region-11"])
    complete(ctx, unit_task(ctx, iid, "self_assessment", "region-11")["id"], SELF, user="region11.manager")
    task = unit_task(ctx, iid, "score_manager", "region-11")
    with pytest.raises(InvalidData) as refused:
        complete(ctx, task["id"], {**scores(80), "reporting": 120}, user="coord.expert")
    assert set(refused.value.field_errors) == {"reporting"}
    assert unit_task(ctx, iid, "score_manager", "region-11")["id"] == task["id"]
    assert not [
        e
        for e in show(ctx, iid)["history"]
        if e["kind"] == "task_completed" and e["element_id"] == "score_manager"
    ]
