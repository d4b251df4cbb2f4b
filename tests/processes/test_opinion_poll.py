"""OPINION-2: an opinion poll designed, approved, published as a public questionnaire, answered (one
answer per mobile number), closed by staff or by its deadline, analysed and reported."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.calendar.jalali import tehran_today, to_jalali_str
from engine.cases import show
from engine.errors import Conflict, Forbidden, InvalidData
from engine.polls import answers, results
from engine.runtime import starting
from engine.work import tasks
from engine.work.task_page import task_page
from tests.processes.conftest import complete_named, move_clock, open_tasks, task_named, visible_to

QUESTIONS = [
    {"question_text": "از زمان انتظار در ایستگاه‌ها چقدر راضی هستید؟", "question_kind": "scale"},
    {
        "question_text": "بیشتر در چه ساعتی از مترو استفاده می‌کنید؟",
        "question_kind": "choice",
        "question_options": "صبح، ظهر، عصر",
    },
    {"question_text": "پیشنهاد شما برای بهبود خط ۷ چیست؟", "question_kind": "text"},
]
DESIGN = {
    "poll_subject": "رضایت شهروندان از خط ۷ متروی تهران",
    "related_plan": "طرح توسعه خط ۷ مترو",
    "poll_population": "citizens",
    "poll_method": "online",
    "sample_size": 1200,
    "questionnaire": "این پرسشنامه برای بهبود خدمات خط ۷ مترو است و پاسخ‌ها محرمانه می‌ماند.",
    "questions": QUESTIONS,
}
ANALYSIS = {"satisfaction_index": 71, "key_findings": "رضایت از پاکیزگی بالا و از زمان انتظار متوسط است."}


def in_days(n: int) -> str:
    return to_jalali_str(tehran_today() + timedelta(days=n), persian_digits=False)


@pytest.fixture
def poll(catalog):
    catalog.deploy("opinion_poll")
    return catalog.context


def design(ctx) -> int:
    return starting.start(ctx, "opinion_poll", dict(DESIGN), user="opinion.expert").id


def publish(ctx, instance_id: int, days: int = 7) -> str:
    """Approve the design and publish its questionnaire; returns the poll's public code."""
    complete_named(ctx, instance_id, "review_design", {"design_decision": "approve"}, "opinion.head")
    done = complete_named(
        ctx, instance_id, "publish_poll", {"poll_closes_on": in_days(days)}, "opinion.expert"
    )
    assert done["next_tasks"] == []
    return show.show(ctx, instance_id)["data"]["poll"]["code"]


def answer_three(ctx, code: str) -> None:
    answers.answer(ctx, code, "09121234567", {"q1": "5", "q2": "1", "q3": "قطارهای بیشتر در ساعت شلوغی"})
    answers.answer(ctx, code, "۰۹۳۵ ۱۱۱ ۲۲۳۳", {"q1": "۳", "q2": "1"})
    answers.answer(ctx, code, "+989011112233", {"q1": "4", "q2": "3"})


def test_poll_published_answered_by_three_closed_and_reported(poll):
    instance_id = design(poll)
    assert visible_to(poll, "opinion.head", instance_id) == ["review_design"]
    assert visible_to(poll, "opinion.expert", instance_id) == []
    complete_named(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "revise", "design_review_note": "سؤال اشتغال"},
        "opinion.head",
    )
    complete_named(poll, instance_id, "revise_design", dict(DESIGN, sample_size="۱۵۰۰"), "opinion.expert")
    code = publish(poll, instance_id)
    shown = answers.questionnaire(poll, code)
    assert shown["open"] and [q["kind"] for q in shown["questions"]] == ["scale", "choice", "text"]
    assert shown["questions"][1]["options"] == ["صبح", "ظهر", "عصر"]
    answer_three(poll, code)
    with pytest.raises(Conflict):  # the same mobile number, typed another way
        answers.answer(poll, code, "0912-123-4567", {"q1": "1", "q2": "2"})

    live = results.results(poll, "opinion.head", code)
    assert live["answers"] == 3 and live["open"]
    scale, choice, text = live["questions"]
    assert (scale["average"], [o["count"] for o in scale["options"]]) == (4.0, [0, 0, 1, 1, 1])
    assert [(o["label"], o["count"]) for o in choice["options"]] == [("صبح", 2), ("ظهر", 0), ("عصر", 1)]
    assert text["texts"] == ["قطارهای بیشتر در ساعت شلوغی"]
    assert live["satisfaction_index"] == 75
    header, rows = results.export_table(poll, "opinion.expert", code)
    assert header[1:] == [q["question_text"] for q in QUESTIONS]
    assert [row[1:] for row in rows] == [
        [5, "صبح", "قطارهای بیشتر در ساعت شلوغی"],
        [3, "صبح", ""],
        [4, "عصر", ""],
    ]

    results.close(poll, code, "opinion.expert")
    with pytest.raises(Conflict):
        answers.answer(poll, code, "09120000000", {"q1": "2", "q2": "2"})
    analyse = task_named(poll, instance_id, "analyse")
    data = _seen(poll, analyse["id"])
    assert (data["responses_count"], data["satisfaction_index"], data["poll_summary"]["answers"]) == (
        3,
        75,
        3,
    )
    complete_named(poll, instance_id, "analyse", ANALYSIS, "opinion.expert")
    complete_named(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "approve", "publish_scope": "public"},
        "opinion.head",
    )
    shown = show.show(poll, instance_id)
    assert shown["status"] == "completed"
    assert shown["data"]["outcome"] == "reported" and shown["data"]["sample_size"] == 1500
    assert shown["data"]["design_rounds"] == 1
    assert "deputy_approval" not in [e["element_id"] for e in shown["history"]]


def test_the_deadline_closes_the_poll_and_the_case_goes_on(poll, clock):
    instance_id = design(poll)
    code = publish(poll, instance_id, days=3)
    answers.answer(poll, code, "09121234567", {"q1": "2", "q2": "2"})
    move_clock(poll, clock, 1)
    assert [t["element_id"] for t in open_tasks(poll, instance_id)] == []
    move_clock(poll, clock, 4)
    assert [t["element_id"] for t in open_tasks(poll, instance_id)] == ["analyse"]
    assert not answers.questionnaire(poll, code)["open"]
    with pytest.raises(Conflict):
        answers.answer(poll, code, "09351112233", {"q1": "2", "q2": "2"})
    with pytest.raises(Conflict):
        results.close(poll, code, "opinion.expert")
    assert _seen(poll, task_named(poll, instance_id, "analyse")["id"])["responses_count"] == 1


def test_bad_answers_are_refused_field_by_field_and_nothing_is_kept(poll):
    code = publish(poll, design(poll))
    with pytest.raises(InvalidData) as refused:
        answers.answer(poll, code, "0912", {"q1": "5", "q2": "1"})
    assert set(refused.value.field_errors) == {"phone"}
    with pytest.raises(InvalidData) as refused:
        answers.answer(poll, code, "09121234567", {"q1": "9", "q3": "x" * 1001})
    assert set(refused.value.field_errors) == {"q1", "q2", "q3"}
    assert results.results(poll, "opinion.expert", code)["answers"] == 0
    with pytest.raises(Forbidden):
        results.results(poll, "coord.expert", code)


def test_a_poll_that_closes_today_is_not_published(poll):
    instance_id = design(poll)
    complete_named(poll, instance_id, "review_design", {"design_decision": "approve"}, "opinion.head")
    publish_task = task_named(poll, instance_id, "publish_poll")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(poll, publish_task["id"], {"poll_closes_on": in_days(0)}, user="opinion.expert")
    assert set(refused.value.field_errors) == {"poll_closes_on"}
    assert task_named(poll, instance_id, "publish_poll")["id"] == publish_task["id"]


def test_sensitive_poll_needs_the_deputy_and_low_satisfaction_is_briefed(poll):
    instance_id = design(poll)
    complete_named(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "approve", "needs_deputy_approval": True},
        "opinion.head",
    )
    assert visible_to(poll, "deputy", instance_id) == ["deputy_approval"]
    complete_named(poll, instance_id, "deputy_approval", {"deputy_decision": "approve"}, "deputy")
    complete_named(poll, instance_id, "publish_poll", {"poll_closes_on": in_days(5)}, "opinion.expert")
    results.close(poll, show.show(poll, instance_id)["data"]["poll"]["code"], "opinion.head")
    complete_named(poll, instance_id, "analyse", dict(ANALYSIS, satisfaction_index=28), "opinion.expert")
    complete_named(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "revise", "publish_scope": "internal"},
        "opinion.head",
    )
    complete_named(poll, instance_id, "analyse", dict(ANALYSIS, satisfaction_index=31), "opinion.expert")
    complete_named(
        poll,
        instance_id,
        "approve_report",
        {"report_decision": "approve", "publish_scope": "internal"},
        "opinion.head",
    )
    assert visible_to(poll, "deputy", instance_id) == ["brief_deputy"]
    complete_named(
        poll, instance_id, "brief_deputy", {"deputy_instructions": "جلسه با معاونت حمل‌ونقل"}, "deputy"
    )
    shown = show.show(poll, instance_id)
    assert shown["status"] == "completed" and shown["data"]["satisfaction_index"] == 31


def test_deputy_may_stop_a_sensitive_poll(poll):
    instance_id = design(poll)
    complete_named(
        poll,
        instance_id,
        "review_design",
        {"design_decision": "approve", "needs_deputy_approval": True},
        "opinion.head",
    )
    complete_named(poll, instance_id, "deputy_approval", {"deputy_decision": "reject"}, "deputy")
    assert show.show(poll, instance_id)["data"]["outcome"] == "rejected"


def test_sample_too_small_and_no_questions_are_refused(poll):
    instance_id = design(poll)
    complete_named(poll, instance_id, "review_design", {"design_decision": "revise"}, "opinion.head")
    revise = task_named(poll, instance_id, "revise_design")
    bad = dict(DESIGN, sample_size=10, questionnaire="کوتاه", questions=[{"question_kind": "scale"}])
    with pytest.raises(InvalidData) as refused:
        tasks.complete(poll, revise["id"], bad, user="opinion.expert")
    assert set(refused.value.field_errors) == {"sample_size", "questionnaire", "questions[0].question_text"}
    assert show.show(poll, instance_id)["data"]["sample_size"] == 1200


def _seen(ctx, task_id: str) -> dict:
    """The data a task's form opens with (as an administrator, who may work on every task, sees them)."""
    return task_page(ctx, task_id, "admin").data
