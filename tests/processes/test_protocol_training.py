"""PROTOCOL-3: training protocol experts: units nominate, then training_course or an external course."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.calendar.jalali import tehran_today
from engine.cases import show
from engine.errors import InvalidData, NotFound
from engine.models import OrgUnit
from engine.runtime import starting
from engine.work import tasks
from tests.processes.conftest import (
    complete_named,
    data_of,
    move_clock,
    open_elements,
    open_tasks,
    task_named,
    visible_to,
)

KEY = "protocol_training"
NEEDS = {
    "training_period": "نیمه دوم ۱۴۰۵",
    "survey_units": ["region-01", "region-05"],
    "training_topics": ["international", "precedence"],
    "nomination_deadline_days": 3,
}
NOMINATION = {"nominees_count": 2, "nominee_names": "دو کارشناس", "needed_topics": ["international"]}


def program(delivery: str) -> dict:
    return {
        "course_title": "تشریفات بین‌الملل برای کارشناسان مناطق",
        "syllabus": "پذیرش هیئت‌های خارجی، تقدم مقام‌ها",
        "course_schedule": "دو روز در آذر",
        "training_delivery": delivery,
    }


def nominations(ctx, instance_id) -> dict[str, dict]:
    with ctx.db.transaction() as session:
        codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    return {codes[t["unit_id"]]: t for t in open_tasks(ctx, instance_id) if t["element_id"] == "nominate"}


def to_program(ctx, delivery: str, nominating=("region-01", "region-05")):
    instance = starting.start(ctx, KEY, {}, user="protocol.head", unit="dept_protocol")
    assert visible_to(ctx, "protocol.head", instance.id) == ["plan_needs"]
    complete_named(ctx, instance.id, "plan_needs", NEEDS, "protocol.head")
    found = nominations(ctx, instance.id)
    assert set(found) == {"region-01", "region-05"}
    assert all(t["role"] == "unit_pr_manager" for t in found.values())
    for code in nominating:
        tasks.complete(
            ctx, found[code]["id"], NOMINATION, user=code.replace("region-", "region") + ".manager"
        )
    return instance


@pytest.fixture
def ctx(catalog):
    catalog.deploy(KEY)
    return catalog.context


def test_internal_course_is_run_by_training_course_for_protocol_experts(ctx, clock):
    instance = to_program(ctx, "internal")
    assert visible_to(ctx, "region05.manager", instance.id) == []
    assert data_of(ctx, instance.id)["total_nominees"] == 4
    complete_named(ctx, instance.id, "design_program", program("internal"), "protocol.expert")
    complete_named(ctx, instance.id, "approve_program", {"program_approved": "approve"}, "protocol.head")

    design = task_named(ctx, instance.id, "design_course")
    assert design["role"] == "opinion_expert" and design["form_key"] == "training_course_design.json"
    start_day = (tehran_today() + timedelta(days=10)).isoformat()
    complete_named(
        ctx,
        instance.id,
        "design_course",
        {
            "course_syllabus": "پذیرش هیئت‌های خارجی و تقدم مقام‌ها",
            "instructor": "مدرس دوره تشریفات",
            "sessions_count": 4,
            "course_start_date": start_day,
            "capacity": 30,
            "delivery_mode": "in_person",
        },
        "opinion.expert",
    )
    complete_named(ctx, instance.id, "approve_course", {"course_decision": "approve"}, "opinion.head")
    complete_named(
        ctx,
        instance.id,
        "register_participants",
        {"invited_units": "مناطق ۱ و ۵", "registered_count": 4 + 8},
        "opinion.expert",
    )
    move_clock(ctx, clock, 11)
    complete_named(
        ctx, instance.id, "hold_course", {"participants_count": 11, "sessions_held": 4}, "opinion.expert"
    )
    evaluation = {
        "satisfaction_score": 88,
        "certificates_issued": 11,
        "course_report": "دوره با رضایت بالا برگزار شد.",
    }
    complete_named(ctx, instance.id, "evaluate_course", evaluation, "opinion.expert")
    complete_named(ctx, instance.id, "approve_report", {"report_accepted": "yes"}, "opinion.head")

    evaluate = task_named(ctx, instance.id, "evaluate")
    assert evaluate["role"] == "protocol_head"
    data = data_of(ctx, instance.id)
    assert (data["audience"], data["participants_count"]) == ("protocol_experts", 11)
    assert data["course_report"].startswith("دوره با رضایت")
    complete_named(ctx, instance.id, "evaluate", {"effectiveness": "high"}, "protocol.head")
    assert show.show(ctx, instance.id)["status"] == "completed"


def test_unit_without_nomination_in_time_and_an_external_course(ctx, clock):
    instance = to_program(ctx, "external", nominating=("region-01",))
    move_clock(ctx, clock, 1)
    assert open_elements(ctx, instance.id) == ["nominate"]
    move_clock(ctx, clock, 6)
    data = data_of(ctx, instance.id)
    assert (data["total_nominees"], data["units_without_nominees"]) == (2, ["region-05"])
    complete_named(ctx, instance.id, "design_program", program("external"), "protocol.expert")
    complete_named(
        ctx,
        instance.id,
        "approve_program",
        {"program_approved": "revise", "program_note": "سرفصل پرچم"},
        "protocol.head",
    )
    assert open_elements(ctx, instance.id) == ["design_program"]
    complete_named(ctx, instance.id, "design_program", program("external"), "protocol.expert")
    complete_named(ctx, instance.id, "approve_program", {"program_approved": "approve"}, "protocol.head")
    external = {
        "course_provider": "دانشکده روابط بین‌الملل",
        "participants_count": 2,
        "course_report": "اعزام شدند",
    }
    complete_named(ctx, instance.id, "external_course", external, "protocol.expert")
    complete_named(ctx, instance.id, "evaluate", {"effectiveness": "medium"}, "protocol.head")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed" and shown["data"]["participants_count"] == 2
    assert shown["data"]["program_revisions"] == 1


def test_bad_nomination_is_refused_and_nothing_is_saved(ctx):
    instance = to_program(ctx, "external", nominating=())
    task = nominations(ctx, instance.id)["region-05"]
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            ctx, task["id"], {"nominees_count": 99, "needed_topics": ["cooking"]}, user="region05.manager"
        )
    assert set(refused.value.to_dict()["fields"]) == {"nominees_count", "needed_topics"}
    assert nominations(ctx, instance.id)["region-05"]["id"] == task["id"]
    with pytest.raises(NotFound):  # another region's task: not theirs to see
        tasks.complete(ctx, task["id"], NOMINATION, user="region01.manager")
