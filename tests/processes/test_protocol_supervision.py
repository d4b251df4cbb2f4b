"""PROTOCOL-2: the quarterly supervision of protocol rules in the regions, organisations and companies."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine.cases import show
from engine.errors import InvalidData
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.processes.conftest import move_clock, open_elements, open_tasks, unit_id, visible_to

KEY = "protocol_supervision"
PLAN = {
    "round_title": "پاییز ۱۴۰۵",
    "units": ["region-05", "region-01"],
    "focus_areas": ["flag_anthem", "seating"],
}


def complete_task(ctx, task, data, user):
    return tasks.complete(ctx, task["id"], data, user=user)


def tasks_at(ctx, instance_id, element) -> list[dict]:
    return [t for t in open_tasks(ctx, instance_id) if t["element_id"] == element]


def inspection(score, corrective, days=5) -> dict:
    return {
        "compliance_score": score,
        "findings": "پرچم‌ها نامرتب" if corrective == "yes" else "مطابق ضوابط",
        "corrective_required": corrective,
        "corrective_deadline_days": days,
    }


@pytest.fixture
def ctx(catalog):
    catalog.deploy(KEY)
    return catalog.context


def round_tasks(ctx) -> list[dict]:
    return list_tasks(ctx, TaskQuery(process_key=KEY))


def start_round(ctx, clock) -> SimpleNamespace:
    """The quarterly timer starts each round as a new instance, three months after the deployment."""
    move_clock(ctx, clock, 80)
    assert round_tasks(ctx) == []
    move_clock(ctx, clock, 13)
    (plan,) = round_tasks(ctx)
    assert plan["element_id"] == "plan_round"
    return SimpleNamespace(id=plan["instance_id"])


def test_quarterly_round_inspects_each_unit_and_reports(ctx, clock):
    instance = start_round(ctx, clock)
    plan = tasks_at(ctx, instance.id, "plan_round")[0]
    assert plan["role"] == "protocol_head"
    complete_task(ctx, plan, PLAN, "protocol.head")

    visits = {t["unit_id"]: t for t in tasks_at(ctx, instance.id, "inspect_unit")}
    assert set(visits) == {unit_id(ctx, "region-05"), unit_id(ctx, "region-01")}
    assert all(t["role"] == "protocol_expert" for t in visits.values())
    complete_task(ctx, visits[unit_id(ctx, "region-01")], inspection(95, "no"), "protocol.expert")
    complete_task(ctx, visits[unit_id(ctx, "region-05")], inspection(60, "yes"), "protocol.expert")

    (corrective,) = tasks_at(ctx, instance.id, "corrective_actions")
    assert (corrective["role"], corrective["unit_id"]) == ("unit_pr_manager", unit_id(ctx, "region-05"))
    assert visible_to(ctx, "region05.manager", instance.id) == ["corrective_actions"]
    assert visible_to(ctx, "region01.manager", instance.id) == []
    complete_task(ctx, corrective, {"actions_taken": "پرچم‌ها طبق ضوابط نصب شد"}, "region05.manager")
    (verify,) = tasks_at(ctx, instance.id, "verify_correction")
    complete_task(ctx, verify, {"corrected": "yes"}, "protocol.expert")

    data = show.show(ctx, instance.id)["data"]
    assert data["inspected_count"] == 2 and data["average_score"] == 77.5
    assert sorted(data["compliant_units"]) == ["region-01", "region-05"] and data["escalated_units"] == []
    report = tasks_at(ctx, instance.id, "quarterly_report")[0]
    complete_task(
        ctx, report, {"report_summary": "دو واحد بازرسی شد", "recommendations": "آموزش"}, "protocol.head"
    )
    review = tasks_at(ctx, instance.id, "review_report")[0]
    assert review["role"] == "deputy"
    complete_task(ctx, review, {"deputy_directives": "به همه مناطق ابلاغ شود"}, "deputy")
    assert show.show(ctx, instance.id)["status"] == "completed"

    move_clock(ctx, clock, 92)
    (next_round,) = round_tasks(ctx)
    assert next_round["element_id"] == "plan_round" and next_round["instance_id"] != instance.id


def test_unit_that_misses_its_corrective_deadline_is_warned_by_the_head(ctx, clock):
    instance = start_round(ctx, clock)
    complete_task(
        ctx, tasks_at(ctx, instance.id, "plan_round")[0], {**PLAN, "units": ["region-05"]}, "protocol.head"
    )
    complete_task(
        ctx, tasks_at(ctx, instance.id, "inspect_unit")[0], inspection(40, "yes", days=2), "protocol.expert"
    )
    (corrective,) = tasks_at(ctx, instance.id, "corrective_actions")
    assert corrective["due_at"] is not None
    move_clock(ctx, clock, 2)
    assert open_elements(ctx, instance.id) == ["corrective_actions"]
    move_clock(ctx, clock, 7)
    assert open_elements(ctx, instance.id) == ["warn_unit"]
    assert visible_to(ctx, "protocol.head", instance.id) == ["warn_unit"]
    complete_task(
        ctx,
        tasks_at(ctx, instance.id, "warn_unit")[0],
        {"warning_letter_number": "۱۴۰۵/ت/۹۹"},
        "protocol.head",
    )
    data = show.show(ctx, instance.id)["data"]
    assert data["escalated_units"] == ["region-05"] and data["compliant_units"] == []
    assert open_elements(ctx, instance.id) == ["quarterly_report"]


def test_bad_inspection_is_refused_and_nothing_is_saved(ctx, clock):
    instance = start_round(ctx, clock)
    complete_task(
        ctx, tasks_at(ctx, instance.id, "plan_round")[0], {**PLAN, "units": ["region-05"]}, "protocol.head"
    )
    visit = tasks_at(ctx, instance.id, "inspect_unit")[0]
    with pytest.raises(InvalidData) as refused:
        complete_task(
            ctx, visit, {**inspection(140, "yes"), "corrective_deadline_days": 0}, "protocol.expert"
        )
    assert set(refused.value.to_dict()["fields"]) == {"compliance_score", "corrective_deadline_days"}
    assert tasks_at(ctx, instance.id, "inspect_unit")[0]["id"] == visit["id"]


def test_plan_needs_at_least_one_unit(ctx, clock):
    instance = start_round(ctx, clock)
    with pytest.raises(InvalidData):
        complete_task(
            ctx, tasks_at(ctx, instance.id, "plan_round")[0], {**PLAN, "units": []}, "protocol.head"
        )
    with pytest.raises(InvalidData):
        complete_task(
            ctx,
            tasks_at(ctx, instance.id, "plan_round")[0],
            {**PLAN, "units": ["region-99"]},
            "protocol.head",
        )
