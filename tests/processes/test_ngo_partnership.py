"""SOCIAL-4: an NGO applies from outside; documents checked, vetting, legal review, memorandum, reviews."""

from __future__ import annotations

import pytest

from engine.cases import show
from engine.errors import InvalidData, NotFound
from engine.runtime import starting
from engine.runtime.messages import send_message
from engine.work import tasks
from tests.processes.conftest import complete_named, move_clock, passed_elements, task_named, visible_to

APPLICATION = {
    "ngo_name": "انجمن دوستداران محله نارمک",
    "registration_number": "12345",
    "ngo_field": "urban",
    "contact_person": "لیلا توکلی",
    "contact_phone": "09121234567",
    "proposal_summary": "برگزاری کارگاه‌های آموزشی تفکیک پسماند در سراهای محله منطقه هشت با همکاری شهرداری",
    "submitted_documents": ["registration_certificate", "statute"],
}
VETTED = {
    "ngo_background": "clean",
    "ngo_capacity": "medium",
    "ngo_alignment": "high",
    "vetting_report": "تشکل سابقه سه سال فعالیت محلی دارد.",
    "expert_recommendation": "accept",
}
LEGAL_OK = {"legal_opinion": "approved", "memorandum_draft": "موضوع تفاهم‌نامه: آموزش شهروندی در سراهای محله."}


@pytest.fixture
def ngo(catalog):
    catalog.deploy("ngo_partnership")
    return catalog.context


def apply(ctx) -> int:
    return starting.start(ctx, "ngo_partnership", dict(APPLICATION), public=True).id


def through_to_memorandum(ctx, instance_id: int, term_months: int) -> None:
    complete_named(ctx, instance_id, "check_documents", {"documents_complete": "yes"}, "social.expert")
    complete_named(ctx, instance_id, "vetting", VETTED, "social.expert")
    complete_named(ctx, instance_id, "head_decision", {"head_decision": "approve"}, "social.head")
    complete_named(ctx, instance_id, "legal_review", LEGAL_OK, "legal.expert")
    signed = {"memorandum_signed": "yes", "memorandum_number": "۱۴۰۵/۳۲", "term_months": term_months}
    complete_named(ctx, instance_id, "sign_memorandum", signed, "deputy")


def test_application_goes_to_the_social_expert_only(ngo):
    instance_id = apply(ngo)
    shown = show.show(ngo, instance_id)
    assert len(shown["tracking_code"]) == 10 and shown["data"]["tracking_code"] == shown["tracking_code"]
    (task,) = shown["open_tasks"]
    assert (task["element_id"], task["role"], task["form_key"]) == (
        "check_documents",
        "social_expert",
        "ngo_documents_check.json",
    )
    assert task["due_at"] is not None
    assert visible_to(ngo, "social.expert", instance_id) == ["check_documents"]
    for other in ("social.head", "opinion.expert", "legal.expert", "region01.manager"):
        assert visible_to(ngo, other, instance_id) == []


def test_memorandum_reviewed_each_quarter_renewed_once_then_ended(ngo, clock):
    instance_id = apply(ngo)
    through_to_memorandum(ngo, instance_id, term_months=3)
    assert show.show(ngo, instance_id)["open_tasks"] == []
    assert show.show(ngo, instance_id)["data"]["reviews_planned"] == 1

    move_clock(ngo, clock, 93)
    review = task_named(ngo, instance_id, "periodic_review")
    assert review["role"] == "social_expert"
    activities = {
        "joint_activities": "شش کارگاه آموزشی",
        "activities_count": "۶",
        "ngo_performance": "good",
        "review_recommendation": "continue",
    }
    complete_named(ngo, instance_id, "periodic_review", activities, "social.expert")
    assert task_named(ngo, instance_id, "renewal_decision")["role"] == "social_head"
    complete_named(ngo, instance_id, "renewal_decision", {"renewal": "renew"}, "social.head")
    assert show.show(ngo, instance_id)["data"]["public_status"] == "تفاهم‌نامه همکاری تمدید شد."

    move_clock(ngo, clock, 93)
    complete_named(
        ngo, instance_id, "periodic_review", dict(activities, ngo_performance="acceptable"), "social.expert"
    )
    complete_named(ngo, instance_id, "renewal_decision", {"renewal": "end"}, "social.head")
    shown = show.show(ngo, instance_id)
    assert shown["status"] == "completed"
    assert shown["data"]["outcome"] == "ended" and shown["data"]["activities_count"] == 6
    assert shown["data"]["renewal_count"] == 1
    path = passed_elements(ngo, instance_id, kinds=("element", "task_completed"))
    assert path.count("periodic_review") == 2 and path.count("renew_memorandum") == 1
    assert "notify_missing" not in path and "reject" not in path


def test_poor_partner_is_ended_early_at_a_review(ngo, clock):
    instance_id = apply(ngo)
    through_to_memorandum(ngo, instance_id, term_months=12)
    move_clock(ngo, clock, 93)
    terminate = {
        "joint_activities": "هیچ فعالیتی انجام نشد",
        "activities_count": 0,
        "ngo_performance": "poor",
        "review_recommendation": "terminate",
    }
    complete_named(ngo, instance_id, "periodic_review", terminate, "social.expert")
    shown = show.show(ngo, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "ended"
    assert "renewal_decision" not in passed_elements(ngo, instance_id, kinds=("element", "task_completed"))


def test_missing_documents_go_back_and_the_resubmission_is_checked_again(ngo):
    instance_id = apply(ngo)
    incomplete = {"documents_complete": "no", "missing_documents": "اساسنامه و معرفی هیئت‌مدیره"}
    complete_named(ngo, instance_id, "check_documents", incomplete, "social.expert")
    shown = show.show(ngo, instance_id)
    assert shown["open_tasks"] == []
    assert shown["data"]["public_status"].endswith("اساسنامه و معرفی هیئت‌مدیره")
    with pytest.raises(NotFound):
        send_message(ngo, "ngo_documents_submitted", {"tracking_code": "0000000000"})
    code = shown["tracking_code"]
    result = send_message(ngo, "ngo_documents_submitted", {"tracking_code": code, "documents": ["statute"]})
    assert result["instances"] == [instance_id]
    shown = show.show(ngo, instance_id)
    assert shown["data"]["ngo_resubmission"]["documents"] == ["statute"]
    assert [t["element_id"] for t in shown["open_tasks"]] == ["check_documents"]
    assert shown["data"]["document_rounds"] == 1

    complete_named(ngo, instance_id, "check_documents", {"documents_complete": "yes"}, "social.expert")
    assert task_named(ngo, instance_id, "vetting")["role"] == "social_expert"


def test_documents_not_sent_in_ten_working_days_close_the_application(ngo, clock):
    instance_id = apply(ngo)
    complete_named(
        ngo,
        instance_id,
        "check_documents",
        {"documents_complete": "no", "missing_documents": "اساسنامه"},
        "social.expert",
    )
    move_clock(ngo, clock, 20)
    shown = show.show(ngo, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "closed_incomplete"
    assert "documents_deadline" in passed_elements(ngo, instance_id, kinds=("element", "task_completed"))


def test_fourth_incomplete_round_closes_the_application(ngo):
    instance_id = apply(ngo)
    code = show.show(ngo, instance_id)["tracking_code"]
    for _ in range(3):
        complete_named(
            ngo,
            instance_id,
            "check_documents",
            {"documents_complete": "no", "missing_documents": "x"},
            "social.expert",
        )
        send_message(ngo, "ngo_documents_submitted", {"tracking_code": code})
    complete_named(
        ngo,
        instance_id,
        "check_documents",
        {"documents_complete": "no", "missing_documents": "x"},
        "social.expert",
    )
    shown = show.show(ngo, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "closed_incomplete"
    assert shown["data"]["document_rounds"] == 4


def test_slow_check_reminds_the_head_and_a_late_decision_goes_to_the_deputy(ngo, clock):
    instance_id = apply(ngo)
    move_clock(ngo, clock, 6)
    followup = task_named(ngo, instance_id, "followup_documents_check")
    assert followup["role"] == "social_head"
    assert visible_to(ngo, "social.expert", instance_id) == ["check_documents"]
    complete_named(
        ngo, instance_id, "followup_documents_check", {"followup_note": "با کارشناس هماهنگ شد"}, "social.head"
    )
    complete_named(ngo, instance_id, "check_documents", {"documents_complete": "yes"}, "social.expert")
    complete_named(ngo, instance_id, "vetting", dict(VETTED, expert_recommendation="reject"), "social.expert")

    move_clock(ngo, clock, 14)
    assert visible_to(ngo, "social.head", instance_id) == []
    assert visible_to(ngo, "deputy", instance_id) == ["deputy_decision"]
    complete_named(
        ngo, instance_id, "deputy_decision", {"head_decision": "reject", "head_note": "همسو نیست"}, "deputy"
    )
    shown = show.show(ngo, instance_id)
    assert shown["status"] == "completed" and shown["data"]["outcome"] == "rejected"
    assert "head_decision_overdue" in passed_elements(ngo, instance_id, kinds=("element", "task_completed"))


def test_legal_objection_rejects_the_application(ngo):
    instance_id = apply(ngo)
    complete_named(ngo, instance_id, "check_documents", {"documents_complete": "yes"}, "social.expert")
    complete_named(ngo, instance_id, "vetting", VETTED, "social.expert")
    complete_named(ngo, instance_id, "head_decision", {"head_decision": "approve"}, "social.head")
    assert visible_to(ngo, "legal.expert", instance_id) == ["legal_review"]
    complete_named(ngo, instance_id, "legal_review", dict(LEGAL_OK, legal_opinion="rejected"), "legal.expert")
    shown = show.show(ngo, instance_id)
    assert shown["data"]["outcome"] == "rejected"
    assert "sign_memorandum" not in passed_elements(ngo, instance_id, kinds=("element", "task_completed"))


def test_bad_submission_is_refused_and_nothing_is_saved(ngo):
    instance_id = apply(ngo)
    check = task_named(ngo, instance_id, "check_documents")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(ngo, check["id"], {"documents_complete": "maybe"}, user="social.expert")
    assert "documents_complete" in refused.value.to_dict()["fields"]
    shown = show.show(ngo, instance_id)
    assert [t["id"] for t in shown["open_tasks"]] == [check["id"]]
    assert "documents_complete" not in shown["data"]
    with pytest.raises(Exception, match="does not exist"):
        tasks.complete(ngo, check["id"], {"documents_complete": "yes"}, user="opinion.expert")
