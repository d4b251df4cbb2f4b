"""citizen_meeting (COORD-4): a citizen's public meeting request, triaged, held, followed up, surveyed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.calendar.jalali import tehran_today, to_jalali_str
from engine.cases.show import show
from engine.definitions import deployment as definitions
from engine.definitions.forms import validate_submission
from engine.errors import InvalidData, NotFound
from engine.runtime.messages import send_message
from engine.runtime.starting import start
from engine.work.inbox import TaskQuery, list_tasks
from engine.work.task_page import task_page
from engine.work.tasks import complete
from tests.processes.conftest import fire_timer, open_tasks, passed_elements, task_named, unit_id

REQUEST = {
    "full_name": "محمد رضوانی",
    "national_id": "0012345679",
    "phone": "09121234567",
    "region": "region-05",
    "topic": "urban_services",
    "urgency": "normal",
    "description": "آسفالت کوچه ما پس از حفاری شرکت گاز دو ماه است ترمیم نشده و عبور سخت است.",
}


@pytest.fixture
def ctx(catalog):
    catalog.deploy("citizen_meeting")
    return catalog.context


def request(ctx, **changes) -> tuple[int, str]:
    """Start as the public page does: the submission checked against the start form, then a tracking code."""
    data = {**REQUEST, **changes}
    with ctx.db.transaction() as session:
        form = ctx.form(
            session, definitions.latest(session, "citizen_meeting").id, "citizen_meeting_request.json"
        )
    instance = start(ctx, "citizen_meeting", validate_submission(form, data), public=True)
    return instance.id, instance.tracking_code


def refer(ctx, iid: int) -> None:
    complete(ctx, task_named(ctx, iid, "review_request")["id"], {"intake": "refer"}, user="coord.expert")


def schedule(ctx, iid: int, element_id: str, user: str, days_ahead: int = 3) -> str:
    meeting_day = tehran_today() + timedelta(days=days_ahead)
    complete(
        ctx,
        task_named(ctx, iid, element_id)["id"],
        {
            "meeting_date": to_jalali_str(meeting_day),
            "meeting_time": "۱۰:۳۰",
            "meeting_place": "ساختمان شهرداری منطقه، طبقه دوم",
            "meeting_official": "معاون خدمات شهری منطقه",
        },
        user=user,
    )
    return meeting_day.isoformat()


def commitment(title: str, unit: str, days: int = 5) -> dict:
    return {"title": title, "unit": unit, "due_days": days}


def progress(ctx, iid: int, unit: str, status: str, user: str) -> None:
    (task,) = [
        t
        for t in open_tasks(ctx, iid)
        if t["element_id"] == "commitment_progress" and t["unit_id"] == unit_id(ctx, unit)
    ]
    complete(
        ctx, task["id"], {"commitment_status": status, "progress_note": "اقدام انجام و گزارش شد"}, user=user
    )


def test_region_meeting_commitments_followed_up_until_done_and_citizen_satisfied(ctx, clock):
    iid, code = request(ctx)
    assert len(code) == 10 and code.isdigit()
    data = show(ctx, iid)["data"]
    assert (data["handler_role"], data["handler_unit"], data["response_days"]) == (
        "unit_pr_manager",
        "region-05",
        5,
    )
    assert data["national_id_valid"] is True
    assert task_named(ctx, iid, "review_request")["role"] == "coord_expert"
    refer(ctx, iid)

    slot = task_named(ctx, iid, "schedule_unit")
    assert (slot["role"], slot["unit_id"]) == ("unit_pr_manager", unit_id(ctx, "region-05"))
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="region05.manager", instance_id=iid))] == [
        slot["id"]
    ]
    assert list_tasks(ctx, TaskQuery(user="region06.manager", instance_id=iid)) == []
    meeting_iso = schedule(ctx, iid, "schedule_unit", "region05.manager")
    data = show(ctx, iid)["data"]
    assert data["meeting_date"] == meeting_iso
    assert data["meeting_time"] == "10:30"
    assert data["meeting_date_fa"] == to_jalali_str(date.fromisoformat(meeting_iso))
    assert not open_tasks(ctx, iid)  # nothing to do before the meeting day

    fire_timer(ctx, clock, "meeting_day")
    minutes = task_named(ctx, iid, "minutes_unit")
    assert minutes["unit_id"] == unit_id(ctx, "region-05")
    complete(
        ctx,
        minutes["id"],
        {
            "meeting_held": "held",
            "minutes": "معاون خدمات شهری منطقه ترمیم آسفالت و پیگیری از شرکت گاز را پذیرفت.",
            "commitments": [
                commitment("ترمیم آسفالت کوچه", "region-05", 5),
                commitment("تعیین تکلیف مسیر اتوبوس محله", "region-12", 10),
            ],
        },
        user="region05.manager",
    )
    followups = [t for t in open_tasks(ctx, iid) if t["element_id"] == "commitment_progress"]
    assert sorted(t["unit_id"] for t in followups) == sorted(
        unit_id(ctx, u) for u in ("region-05", "region-12")
    )
    assert len(list_tasks(ctx, TaskQuery(user="region12.manager", instance_id=iid))) == 1
    progress(ctx, iid, "region-05", "done", "region05.manager")
    progress(ctx, iid, "region-12", "in_progress", "region12.manager")
    data = show(ctx, iid)["data"]
    assert data["followup_round"] == 1
    assert [c["title"] for c in data["fulfilled_commitments"]] == ["ترمیم آسفالت کوچه"]
    assert data["pending_commitments"] == [commitment("تعیین تکلیف مسیر اتوبوس محله", "region-12", 10)]

    fire_timer(ctx, clock, "next_followup")
    progress(ctx, iid, "region-12", "done", "region12.manager")
    assert show(ctx, iid)["data"]["followup_round"] == 2
    assert "ask_satisfaction" in passed_elements(ctx, iid)

    with pytest.raises(NotFound):
        send_message(ctx, "citizen_meeting_satisfaction", {"tracking_code": "0000000000", "score": 5})
    send_message(
        ctx, "citizen_meeting_satisfaction", {"tracking_code": code, "score": "5", "comment": "ممنونم"}
    )
    final = show(ctx, iid)
    assert final["status"] == "completed"
    assert (final["data"]["satisfaction_score"], final["data"]["outcome"]) == (5, "closed")
    assert "meeting_closed" in passed_elements(ctx, iid)


def test_complaint_about_a_pr_unit_is_met_at_the_department_and_absent_citizen_closes_it(ctx, clock):
    with pytest.raises(InvalidData) as refused:  # a wrong check digit never reaches the process
        request(ctx, topic="pr_conduct", urgency="urgent", national_id="۰۰۱۲۳۴۵۶۷۸")
    assert set(refused.value.field_errors) == {"national_id"}
    iid, _ = request(ctx, topic="pr_conduct", urgency="urgent", national_id="۴۶۰۸۹۶۸۸۸۲")
    assert show(ctx, iid)["data"]["national_id"] == "4608968882"
    assert show(ctx, iid)["data"]["handler_unit"] == "dept_coord"
    refer(ctx, iid)
    assert task_named(ctx, iid, "schedule_center")["role"] == "coord_expert"
    schedule(ctx, iid, "schedule_center", "coord.expert", days_ahead=1)
    fire_timer(ctx, clock, "meeting_day")
    complete(
        ctx,
        task_named(ctx, iid, "minutes_center")["id"],
        {"meeting_held": "citizen_absent"},
        user="coord.expert",
    )
    assert show(ctx, iid)["status"] == "completed"
    assert "citizen_absent" in passed_elements(ctx, iid)


def test_triage_table_routes_by_topic_and_urgency(ctx):
    cases = [
        ("green_space", "urgent", "org_parks", 2),
        ("green_space", "normal", "org_parks", 7),
        ("traffic", "urgent", "deputy_transport", 2),
        ("traffic", "normal", "deputy_transport", 7),
        ("urban_planning", "urgent", "deputy_urban", 7),
        ("social_cultural", "normal", "deputy_social", 7),
        ("urban_services", "urgent", "region-05", 2),
        ("other", "urgent", "region-05", 2),
        ("other", "normal", "region-05", 5),
    ]
    for topic, urgency, unit, days in cases:
        iid, _ = request(ctx, topic=topic, urgency=urgency)
        data = show(ctx, iid)["data"]
        assert (data["handler_role"], data["handler_unit"], data["response_days"]) == (
            "unit_pr_manager",
            unit,
            days,
        ), (topic, urgency)


def test_routine_request_redirected_to_137(ctx):
    iid, _ = request(ctx)
    complete(
        ctx,
        task_named(ctx, iid, "review_request")["id"],
        {"intake": "redirect_137", "intake_note": "درخواست خدماتی است و در سامانه ۱۳۷ پیگیری می‌شود."},
        user="coord.expert",
    )
    final = show(ctx, iid)
    assert (final["status"], final["data"]["outcome"]) == ("completed", "redirect_137")


def test_late_scheduling_and_unfulfilled_commitment_reach_the_head_silent_citizen_closes(ctx, clock):
    iid, _ = request(ctx)
    refer(ctx, iid)
    fire_timer(ctx, clock, "schedule_overdue")
    followup = task_named(ctx, iid, "followup_scheduling")
    assert (followup["role"], followup["unit_id"]) == ("coord_head", unit_id(ctx, "region-05"))
    assert task_named(ctx, iid, "schedule_unit")["role"] == "unit_pr_manager"  # the unit keeps its task
    complete(
        ctx,
        followup["id"],
        {"scheduling_followup_note": "مدیر منطقه تا فردا وقت ملاقات را تعیین می‌کند."},
        user="coord.head",
    )
    schedule(ctx, iid, "schedule_unit", "region05.manager")
    fire_timer(ctx, clock, "meeting_day")
    complete(
        ctx,
        task_named(ctx, iid, "minutes_unit")["id"],
        {"meeting_held": "held", "commitments": [commitment("احداث پیاده‌رو", "region-05", 20)]},
        user="region05.manager",
    )
    for round_ in (1, 2, 3):
        progress(ctx, iid, "region-05", "in_progress", "region05.manager")
        if round_ < 3:
            fire_timer(ctx, clock, "next_followup")
    head = task_named(ctx, iid, "review_unfulfilled")
    assert head["role"] == "coord_head"
    assert show(ctx, iid)["data"]["pending_commitments"][0]["title"] == "احداث پیاده‌رو"
    complete(
        ctx,
        head["id"],
        {"head_action": "با شهردار منطقه هماهنگ و زمان اجرا به شهروند اعلام شد."},
        user="coord.head",
    )
    fire_timer(ctx, clock, "survey_timeout")
    final = show(ctx, iid)
    assert (final["status"], final["data"]["outcome"]) == ("completed", "closed_without_survey")


def test_dissatisfied_citizen_reaches_the_head(ctx, clock):
    iid, code = request(ctx)
    refer(ctx, iid)
    schedule(ctx, iid, "schedule_unit", "region05.manager")
    fire_timer(ctx, clock, "meeting_day")
    complete(
        ctx,
        task_named(ctx, iid, "minutes_unit")["id"],
        {"meeting_held": "held", "commitments": []},
        user="region05.manager",
    )
    answer = {"tracking_code": code, "score": "1", "comment": "یک ساعت منتظر ماندم"}
    send_message(ctx, "citizen_meeting_satisfaction", answer)
    task = task_named(ctx, iid, "review_dissatisfaction")
    assert task["role"] == "coord_head"
    # the head's page shows the citizen's answer first, labelled by the survey's form
    first, *_ = task_page(ctx, task["id"], "coord.head").case_data["sections"]
    assert (first["element_id"], first["title"], first["needed"]) == (
        "await_satisfaction",
        "دریافت پاسخ نظرسنجی شهروند",
        True,
    )
    assert [(f["label"], f["value"]) for f in first["fields"]] == [
        ("از ملاقات چقدر راضی بودید؟", "۱ — کاملاً ناراضی"),
        ("توضیح شما (اختیاری)", "یک ساعت منتظر ماندم"),
    ]
    assert [t["id"] for t in list_tasks(ctx, TaskQuery(user="coord.head", instance_id=iid))] == [task["id"]]
    complete(
        ctx,
        task["id"],
        {
            "dissatisfaction_cause": "ملاقات دیر آغاز شد",
            "corrective_action": "نوبت‌دهی ملاقات‌های منطقه اصلاح شد",
        },
        user="coord.head",
    )
    assert "dissatisfaction_handled" in passed_elements(ctx, iid)


def test_bad_submissions_are_refused(ctx, clock):
    with pytest.raises(InvalidData) as refused:
        request(ctx, national_id="12345", phone="1234")
    assert set(refused.value.field_errors) == {"national_id", "phone"}
    iid, _ = request(ctx)
    refer(ctx, iid)
    schedule(ctx, iid, "schedule_unit", "region05.manager")
    fire_timer(ctx, clock, "meeting_day")
    minutes = task_named(ctx, iid, "minutes_unit")
    with pytest.raises(InvalidData) as bad_row:
        complete(
            ctx,
            minutes["id"],
            {"meeting_held": "held", "commitments": [commitment("کار نامشخص", "nowhere", 0)]},
            user="region05.manager",
        )
    assert set(bad_row.value.field_errors) == {"commitments[0].unit", "commitments[0].due_days"}
    assert task_named(ctx, iid, "minutes_unit")["id"] == minutes["id"]
    assert "meeting_held" not in show(ctx, iid)["data"]
