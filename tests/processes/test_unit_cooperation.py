"""unit_cooperation (COORD-5): a proposal, partner units matched and asked, a joint plan, follow-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.calendar.jalali import tehran_today, to_jalali_str
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

PROPOSAL = {
    "title": "پویش مشترک «محله پاک» در مناطق هم‌جوار",
    "lead_unit": "region-05",
    "cooperation_type": "joint_campaign",
    "description": "اجرای هم‌زمان پویش پاکیزگی محله‌ها با محتوای یکسان و پوشش خبری مشترک در مناطق هم‌جوار.",
    "suggested_partners": ["region-06"],
}


@pytest.fixture
def ctx(catalog):
    catalog.deploy("unit_cooperation")
    return catalog.context


def propose(ctx) -> int:
    return start(ctx, "unit_cooperation", PROPOSAL, user="region05.manager", unit="region-05").id


def accept_with_partners(ctx, iid: int, partners: list[str]) -> None:
    complete(
        ctx,
        task_named(ctx, iid, "assess_proposal")["id"],
        {"assessment": "accept", "assessment_note": "هم‌راستا با سیاست مشارکت مردمی"},
        user="coord.expert",
    )
    complete(
        ctx,
        task_named(ctx, iid, "match_partners")["id"],
        {"partner_units": partners, "matching_note": "مناطق هم‌جوار با تجربه پویش"},
        user="coord.expert",
    )


def answer(ctx, iid: int, unit: str, decision: str) -> None:
    complete(
        ctx,
        unit_task(ctx, iid, "partner_response", unit)["id"],
        {"partner_decision": decision, "partner_note": "تیم خبری و تجهیزات منطقه در اختیار پویش است"},
        user=f"region{unit[-2:]}.manager",
    )


def plan(days: int = 10) -> dict:
    return {
        "plan_summary": "سه هفته پویش با بنر و ویدئوی یکسان و نشست خبری مشترک در پایان.",
        "responsibilities": "منطقه ۵ تولید محتوا، منطقه ۶ پوشش خبری و رسانه‌ای.",
        "start_date": to_jalali_str(tehran_today()),
        "end_date": to_jalali_str(tehran_today() + timedelta(days=days)),
        "kpis": "۲۰ محله، ۵۰ خبر، ۱۰۰۰ شرکت‌کننده",
    }


def test_partners_matched_plan_revised_then_run_and_shared_as_best_practice(ctx, clock):
    iid = propose(ctx)
    assert task_named(ctx, iid, "assess_proposal")["role"] == "coord_expert"
    accept_with_partners(ctx, iid, ["region-05", "region-06", "region-07", "region-08"])
    asked = [t for t in open_tasks(ctx, iid) if t["element_id"] == "partner_response"]
    assert sorted(t["unit_id"] for t in asked) == sorted(
        unit_id(ctx, u) for u in ("region-06", "region-07", "region-08")
    )
    assert list_tasks(ctx, TaskQuery(user="region05.manager", instance_id=iid)) == []
    assert len(list_tasks(ctx, TaskQuery(user="region07.manager", instance_id=iid))) == 1
    answer(ctx, iid, "region-06", "join")
    answer(ctx, iid, "region-07", "decline")
    fire_timer(ctx, clock, "partner_silent")
    data = show(ctx, iid)["data"]
    assert (data["joined_units"], data["declined_units"]) == (["region-06"], ["region-07", "region-08"])
    assert {a["unit"]: a["decision"] for a in data["partner_answers"]}["region-08"] == "no_answer"

    drafting = task_named(ctx, iid, "joint_plan")
    assert (drafting["role"], drafting["unit_id"]) == ("unit_pr_manager", unit_id(ctx, "region-05"))
    assert list_tasks(ctx, TaskQuery(user="region06.manager", instance_id=iid)) == []
    complete(ctx, drafting["id"], plan(), user="region05.manager")
    complete(
        ctx,
        task_named(ctx, iid, "approve_plan")["id"],
        {"plan_decision": "revise", "plan_note": "سهم منطقه ۶ در تولید محتوا روشن شود"},
        user="coord.head",
    )
    complete(ctx, task_named(ctx, iid, "joint_plan")["id"], plan(), user="region05.manager")
    complete(ctx, task_named(ctx, iid, "approve_plan")["id"], {"plan_decision": "approve"}, user="coord.head")
    assert show(ctx, iid)["data"]["plan_rounds"] == 1
    assert not open_tasks(ctx, iid)  # the plan is being carried out

    fire_timer(ctx, clock, "plan_period")
    complete(
        ctx,
        task_named(ctx, iid, "execution_report")["id"],
        {"results": "پویش در ۲۲ محله اجرا شد و ۶۰ خبر منتشر شد.", "kpi_achievement": 95},
        user="region05.manager",
    )
    complete(
        ctx,
        task_named(ctx, iid, "evaluate_cooperation")["id"],
        {
            "cooperation_score": 92,
            "best_practice": "yes",
            "evaluation_note": "الگوی خوبی برای مناطق دیگر است",
        },
        user="coord.expert",
    )
    announcement = task_named(ctx, iid, "announce_best_practice")
    assert announcement["role"] == "coord_head"
    complete(
        ctx,
        announcement["id"],
        {
            "announcement_letter_number": "۱۴۰۵/۴۱۲",
            "announcement_text": "تجربه پویش محله پاک برای اجرا در همه مناطق ابلاغ می‌شود.",
        },
        user="coord.head",
    )
    assert show(ctx, iid)["status"] == "completed"
    assert "best_practice_announced" in passed_elements(ctx, iid)


def test_rejected_proposal(ctx):
    iid = propose(ctx)
    complete(
        ctx,
        task_named(ctx, iid, "assess_proposal")["id"],
        {"assessment": "reject", "assessment_note": "با برنامه سالانه مرکز هم‌راستا نیست"},
        user="coord.expert",
    )
    assert show(ctx, iid)["status"] == "completed"
    assert "proposal_rejected" in passed_elements(ctx, iid)


def test_no_unit_ready_to_cooperate(ctx):
    iid = propose(ctx)
    accept_with_partners(ctx, iid, ["region-09", "region-10"])
    answer(ctx, iid, "region-09", "decline")
    answer(ctx, iid, "region-10", "decline")
    assert show(ctx, iid)["status"] == "completed"
    assert "no_partner" in passed_elements(ctx, iid)


def test_plan_sent_back_twice_then_not_approved(ctx):
    iid = propose(ctx)
    accept_with_partners(ctx, iid, ["region-06"])
    answer(ctx, iid, "region-06", "join")
    for _ in range(3):
        complete(ctx, task_named(ctx, iid, "joint_plan")["id"], plan(), user="region05.manager")
        complete(
            ctx, task_named(ctx, iid, "approve_plan")["id"], {"plan_decision": "revise"}, user="coord.head"
        )
    assert show(ctx, iid)["data"]["plan_rounds"] == 2
    assert "plan_not_approved" in passed_elements(ctx, iid)


def test_impossible_plan_date_is_refused(ctx):
    iid = propose(ctx)
    accept_with_partners(ctx, iid, ["region-06"])
    answer(ctx, iid, "region-06", "join")
    drafting = task_named(ctx, iid, "joint_plan")
    with pytest.raises(InvalidData) as refused:
        complete(ctx, drafting["id"], {**plan(), "end_date": "1405/13/40"}, user="region05.manager")
    assert set(refused.value.field_errors) == {"end_date"}
    assert task_named(ctx, iid, "joint_plan")["id"] == drafting["id"]
    assert not [
        e
        for e in show(ctx, iid)["history"]
        if e["kind"] == "task_completed" and e["element_id"] == "joint_plan"
    ]
