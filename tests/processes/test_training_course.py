"""OPINION-4: a training course for PR (or protocol) experts; also called by PROTOCOL-3's process."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.calendar.jalali import tehran_today
from engine.cases import show
from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.errors import InvalidData
from engine.runtime import starting
from tests.processes.conftest import (
    ROOT,
    complete_named,
    move_clock,
    open_tasks,
    overdue_notices,
    task_named,
    visible_to,
)

REQUEST = {
    "course_title": "روابط عمومی دیجیتال",
    "audience": "pr_experts",
    "training_need": "کار با شبکه‌های اجتماعی",
}
REGISTERED = {"invited_units": "روابط عمومی مناطق ۲۲گانه", "registered_count": 24}
ATTENDED = {"participants_count": 21, "sessions_held": 4}
EVALUATED = {
    "satisfaction_score": 86,
    "certificates_issued": 20,
    "course_report": "دوره با ۲۱ شرکت‌کننده در چهار جلسه برگزار شد و رضایت ۸۶ درصد بود.",
}

# A caller shaped like protocol_training (PROTOCOL-3): it passes course_title and audience and reads
# participants_count and course_report back.
CALLER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="caller_defs"
                  targetNamespace="http://ravand.tehran.ir/bpmn/tests">
  <bpmn:process id="training_caller" isExecutable="true">
    <bpmn:laneSet id="caller_lanes">
      <bpmn:lane id="caller_lane" name="protocol_head">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>course</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="course" calledElement="training_course">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:callActivity>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="course" />
    <bpmn:sequenceFlow id="f2" sourceRef="course" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def design(days_ahead: int = 10) -> dict:
    return {
        "course_syllabus": "۱. راهبرد محتوا ۲. مدیریت شبکه‌های اجتماعی ۳. پاسخ به بحران‌های برخط",
        "instructor": "دکتر مینا رحیمی",
        "sessions_count": 4,
        "course_start_date": (tehran_today() + timedelta(days=days_ahead)).isoformat(),
        "capacity": 30,
        "delivery_mode": "blended",
    }


@pytest.fixture
def training(catalog):
    catalog.deploy("training_course")
    return catalog.context


def run_course(ctx, clock, instance_id: int) -> None:
    complete_named(ctx, instance_id, "design_course", design(), "opinion.expert")
    complete_named(ctx, instance_id, "approve_course", {"course_decision": "approve"}, "opinion.head")
    complete_named(ctx, instance_id, "register_participants", REGISTERED, "opinion.expert")
    assert open_tasks(ctx, instance_id) == []
    move_clock(ctx, clock, 11)
    complete_named(ctx, instance_id, "hold_course", ATTENDED, "opinion.expert")
    complete_named(ctx, instance_id, "evaluate_course", EVALUATED, "opinion.expert")
    complete_named(ctx, instance_id, "approve_report", {"report_accepted": "yes"}, "opinion.head")


def test_course_designed_approved_held_and_reported(training, clock):
    instance_id = starting.start(training, "training_course", dict(REQUEST), user="opinion.expert").id
    assert visible_to(training, "opinion.expert", instance_id) == ["design_course"]
    assert visible_to(training, "protocol.expert", instance_id) == []
    run_course(training, clock, instance_id)
    shown = show.show(training, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "held"
    assert shown["data"]["participants_count"] == 21
    assert shown["data"]["course_report"] == EVALUATED["course_report"]


def test_called_with_title_and_audience_it_returns_participants_and_report(training, clock):
    files = {
        "training_caller.bpmn": CALLER,
        "training_course.bpmn": (ROOT / "processes/opinion/training_course.bpmn").read_bytes(),
    }
    files.update({f.name: f.read_bytes() for f in (ROOT / "forms/training_course").glob("*.json")})
    deploy(training, Bundle("training_caller", files))
    caller = {"course_title": "آیین تشریفات رسمی", "audience": "protocol_experts"}
    instance_id = starting.start(training, "training_caller", caller, user="protocol.head").id
    assert task_named(training, instance_id, "design_course")["role"] == "opinion_expert"
    run_course(training, clock, instance_id)
    shown = show.show(training, instance_id)
    assert shown["status"] == "completed"
    assert isinstance(shown["data"]["participants_count"], int) and shown["data"]["participants_count"] == 21
    assert shown["data"]["course_report"] == EVALUATED["course_report"]
    assert shown["data"]["audience"] == "protocol_experts"


def test_too_few_registrations_cancel_and_still_answer_the_caller(training):
    instance_id = starting.start(training, "training_course", dict(REQUEST), user="opinion.expert").id
    complete_named(training, instance_id, "design_course", design(), "opinion.expert")
    complete_named(
        training,
        instance_id,
        "approve_course",
        {"course_decision": "revise", "course_review_note": "جلسه عملی"},
        "opinion.head",
    )
    complete_named(training, instance_id, "design_course", dict(design(), sessions_count=5), "opinion.expert")
    complete_named(training, instance_id, "approve_course", {"course_decision": "approve"}, "opinion.head")
    complete_named(
        training, instance_id, "register_participants", dict(REGISTERED, registered_count=3), "opinion.expert"
    )
    shown = show.show(training, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "not_held"
    assert shown["data"]["participants_count"] == 0
    assert "روابط عمومی دیجیتال" in shown["data"]["course_report"]
    assert shown["data"]["design_rounds"] == 1


def test_design_with_no_sessions_is_refused(training):
    instance_id = starting.start(training, "training_course", dict(REQUEST), user="opinion.expert").id
    with pytest.raises(InvalidData) as refused:
        complete_named(
            training,
            instance_id,
            "design_course",
            dict(design(), sessions_count=0, capacity="سی"),
            "opinion.expert",
        )
    assert set(refused.value.field_errors) == {"sessions_count", "capacity"}
    assert [t["element_id"] for t in open_tasks(training, instance_id)] == ["design_course"]


def test_late_design_reminds_the_expert(training, clock):
    instance_id = starting.start(training, "training_course", dict(REQUEST), user="opinion.expert").id
    move_clock(training, clock, 10)
    assert overdue_notices(training, "opinion.expert") == ["طراحی دوره"]
    assert overdue_notices(training, "opinion.head") == []
    assert task_named(training, instance_id, "design_course")["state"] == "open"
