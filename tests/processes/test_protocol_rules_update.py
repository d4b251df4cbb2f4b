"""PROTOCOL-5: keeping the protocol rules up to date, from review to each unit's acknowledgement."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import show
from engine.errors import InvalidData
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

KEY = "protocol_rules_update"
START = {
    "source_type": "guideline",
    "title": "دستورالعمل تازه تقدم مقام‌ها در مراسم رسمی",
    "reference_number": "۱۲۳۴/ت مورخ ۱۴۰۵/۰۸/۲۰",
    "issuer": "وزارت امور خارجه",
}
REVIEW = {
    "summary_of_changes": "جایگاه نمایندگان مجلس تغییر کرد",
    "affected_topics": ["precedence"],
    "guidance_change": "amend",
    "draft_guidance": "متن به‌روز بند ۴",
}
APPROVAL = {
    "publication_decision": "publish",
    "target_units": ["region-01", "region-05"],
    "ack_deadline_days": 3,
}
PUBLICATION = {"handbook_version": "۱۴۰۵.۲", "circular_number": "۹۸۷/ت", "publication_channels": ["intranet"]}
ACK = {"received": True, "responsible_person": "مسئول تشریفات منطقه"}


def unit_code(ctx, unit_id) -> str:
    with ctx.db.transaction() as session:
        return session.scalar(select(OrgUnit.code).where(OrgUnit.id == unit_id))


def to_publication(ctx, approval=APPROVAL):
    instance = starting.start(ctx, KEY, START, user="protocol.expert", unit="dept_protocol")
    complete_named(ctx, instance.id, "review_rule", REVIEW, "protocol.expert")
    complete_named(
        ctx,
        instance.id,
        "legal_check",
        {"legal_opinion": "approved", "legal_note": "مغایرتی ندارد"},
        "legal.expert",
    )
    complete_named(ctx, instance.id, "approve_publication", approval, "protocol.head")
    complete_named(ctx, instance.id, "publish", PUBLICATION, "protocol.expert")
    return instance


@pytest.fixture
def ctx(catalog):
    catalog.deploy(KEY)
    return catalog.context


def test_rule_reviewed_checked_published_and_acknowledged_by_every_unit(ctx):
    instance = starting.start(ctx, KEY, START, user="protocol.expert", unit="dept_protocol")
    assert visible_to(ctx, "protocol.expert", instance.id) == ["review_rule"]
    complete_named(ctx, instance.id, "review_rule", REVIEW, "protocol.expert")
    check = task_named(ctx, instance.id, "legal_check")
    assert check["role"] == "legal_expert"
    assert visible_to(ctx, "legal.expert", instance.id) == ["legal_check"]
    assert visible_to(ctx, "protocol.expert", instance.id) == []
    complete_named(
        ctx, instance.id, "legal_check", {"legal_opinion": "approved", "legal_note": "-"}, "legal.expert"
    )
    complete_named(ctx, instance.id, "approve_publication", APPROVAL, "protocol.head")
    complete_named(ctx, instance.id, "publish", PUBLICATION, "protocol.expert")

    acks = [t for t in open_tasks(ctx, instance.id) if t["element_id"] == "acknowledge"]
    assert sorted(unit_code(ctx, t["unit_id"]) for t in acks) == ["region-01", "region-05"]
    assert all(t["role"] == "unit_pr_manager" for t in acks)
    assert visible_to(ctx, "region05.manager", instance.id) == ["acknowledge"]
    assert visible_to(ctx, "region07.manager", instance.id) == []
    for ack in acks:
        manager = unit_code(ctx, ack["unit_id"]).replace("region-", "region") + ".manager"
        tasks.complete(ctx, ack["id"], ACK, user=manager)

    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed"
    assert shown["data"]["rules_status"] == "published" and shown["data"]["missing_units"] == []


def test_unit_that_does_not_acknowledge_in_time_is_followed_up(ctx, clock):
    instance = to_publication(ctx)
    acks = {
        unit_code(ctx, t["unit_id"]): t
        for t in open_tasks(ctx, instance.id)
        if t["element_id"] == "acknowledge"
    }
    tasks.complete(ctx, acks["region-01"]["id"], ACK, user="region01.manager")
    move_clock(ctx, clock, 2)
    assert open_elements(ctx, instance.id) == ["acknowledge"]
    move_clock(ctx, clock, 5)
    assert open_elements(ctx, instance.id) == ["follow_up_units"]
    assert data_of(ctx, instance.id)["missing_units"] == ["region-05"]
    complete_named(
        ctx, instance.id, "follow_up_units", {"ack_followup_note": "تلفنی پیگیری شد"}, "protocol.head"
    )
    assert show.show(ctx, instance.id)["status"] == "completed"


def test_legal_revisions_are_bounded_then_the_head_decides(ctx):
    instance = starting.start(ctx, KEY, START, user="protocol.head")
    for _ in range(3):
        complete_named(ctx, instance.id, "review_rule", REVIEW, "protocol.expert")
        complete_named(
            ctx,
            instance.id,
            "legal_check",
            {"legal_opinion": "revise", "legal_note": "بند ۲ اصلاح شود"},
            "legal.expert",
        )
    assert data_of(ctx, instance.id)["legal_rounds"] == 3
    complete_named(ctx, instance.id, "review_rule", REVIEW, "protocol.expert")
    complete_named(
        ctx, instance.id, "legal_check", {"legal_opinion": "revise", "legal_note": "هنوز"}, "legal.expert"
    )
    assert open_elements(ctx, instance.id) == ["approve_publication"]
    complete_named(
        ctx,
        instance.id,
        "approve_publication",
        {"publication_decision": "archive", "ack_deadline_days": 1},
        "protocol.head",
    )
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed" and shown["data"]["rules_status"] == "archived"


def test_rule_not_applicable_to_the_municipality_is_archived(ctx):
    instance = starting.start(ctx, KEY, START, user="protocol.expert")
    complete_named(ctx, instance.id, "review_rule", REVIEW, "protocol.expert")
    complete_named(
        ctx,
        instance.id,
        "legal_check",
        {"legal_opinion": "not_applicable", "legal_note": "ویژه سفارتخانه‌ها"},
        "legal.expert",
    )
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "completed" and shown["data"]["rules_status"] == "archived"


def test_acknowledgement_without_the_receipt_box_is_refused(ctx):
    instance = to_publication(ctx, {**APPROVAL, "target_units": ["region-05"]})
    ack = task_named(ctx, instance.id, "acknowledge")
    with pytest.raises(InvalidData) as refused:
        tasks.complete(
            ctx, ack["id"], {"received": False, "responsible_person": "x"}, user="region05.manager"
        )
    assert set(refused.value.to_dict()["fields"]) == {"received"}
    assert task_named(ctx, instance.id, "acknowledge")["id"] == ack["id"]
