"""Doors: the citizen meeting's survey wait sends a link by SMS (fake gateway) and takes the answer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.cases.doors import answer_door, open_door
from engine.cases.public_status import public_status
from engine.cases.show import show
from engine.errors import Conflict, InvalidData, NotFound
from engine.models import Door, Job
from engine.notify.fake_gateway import FakeGateway
from engine.runtime.jobs import run_due_jobs
from engine.work.tasks import complete
from tests.processes.conftest import fire_timer, task_named
from tests.processes.test_citizen_meeting import refer, request, schedule

LINK = re.compile(r"/public/door/(\d{10})/([A-Za-z0-9_\-]+)")


@pytest.fixture
def ctx(catalog):
    catalog.deploy("citizen_meeting")
    return catalog.context


@pytest.fixture
def gateway(monkeypatch, tmp_path):
    server = FakeGateway(key="k1", log_path=tmp_path / "sms.jsonl", fail={"09120000000"}).start()
    monkeypatch.setenv("RAVAND_SMS_SENDER", "kavenegar")
    monkeypatch.setenv("RAVAND_SMS_API_KEY", "k1")
    monkeypatch.setenv("RAVAND_SMS_URL", server.url)
    monkeypatch.setenv("RAVAND_PUBLIC_URL", "http://ravand.test")
    yield server
    server.shutdown()
    server.server_close()


def held_meeting(ctx, clock, **changes) -> tuple[int, str]:
    iid, code = request(ctx, **changes)
    refer(ctx, iid)
    schedule(ctx, iid, "schedule_unit", "region05.manager")
    fire_timer(ctx, clock, "meeting_day")
    minutes = task_named(ctx, iid, "minutes_unit")
    complete(
        ctx,
        minutes["id"],
        {"meeting_held": "held", "minutes": "درخواست شهروند بررسی و پاسخ داده شد.", "commitments": []},
        user="region05.manager",
    )
    return iid, code


def test_survey_link_by_sms_answers_once_and_the_outcome_is_public(ctx, clock, gateway):
    iid, code = held_meeting(ctx, clock)
    status = public_status(ctx, code)
    assert (status.state, status.door) == ("waiting_for_you", "citizen_meeting_survey.json")
    facts = {f.key: f for f in status.facts}
    assert facts["meeting_place"].value_fa == "ساختمان شهرداری منطقه، طبقه دوم"
    assert facts["meeting_time"].value_fa == "10:30" and facts["meeting_date_fa"].label_fa == "تاریخ ملاقات"

    assert run_due_jobs(ctx)["fired"] >= 1
    (sms,) = gateway.messages
    assert sms["receptor"] == "09121234567"
    assert "http://ravand.test/public/door/" in sms["message"]
    assert "کد رهگیری: " in sms["message"] and not re.search(r"کد رهگیری: [0-9]", sms["message"])
    link_code, token = LINK.search(sms["message"]).groups()
    assert link_code == code
    assert (gateway.log_path.read_text(encoding="utf-8").count("\n")) == 1
    with ctx.db.read() as session:
        (door,) = session.scalars(select(Door).where(Door.instance_id == iid)).all()
        assert token not in door.token_hash and len(door.token_hash) == 64

    page = open_door(ctx, code, token)
    assert [c["key"] for c in page.form["components"]] == ["score", "comment"]
    with pytest.raises(NotFound):
        open_door(ctx, code, token + "x")
    with pytest.raises(NotFound):
        open_door(ctx, "1234567890", token)
    with pytest.raises(InvalidData):
        answer_door(ctx, code, token, {"score": "9"})
    assert show(ctx, iid)["status"] == "running"  # nothing half-saved: the door is still open

    answer_door(ctx, code, token, {"score": "4", "comment": "خوب بود"})
    final = show(ctx, iid)
    assert final["status"] == "completed"
    assert (final["data"]["satisfaction_score"], final["data"]["outcome"]) == (4, "closed")
    with pytest.raises(Conflict):
        answer_door(ctx, code, token, {"score": "1"})
    status = public_status(ctx, code)
    assert status.state == "done" and status.door is None
    outcome = next(f for f in status.facts if f.key == "outcome")
    assert outcome.value_fa == "ملاقات برگزار شد و پرونده با ثبت نظر شما بسته شد."


def test_opt_out_sends_nothing_and_gateway_failures_retry_then_show(ctx, clock, gateway):
    iid, code = held_meeting(ctx, clock, phone="09120000000")
    for _ in range(3):
        clock.shift(60 * 60)
        run_due_jobs(ctx)
    with ctx.db.read() as session:
        (job,) = session.scalars(select(Job).where(Job.kind == "sms")).all()
        assert (job.status, job.attempts) == ("failed", 3)
        assert "500" in job.last_error
    assert gateway.messages == []
    shown = show(ctx, iid)
    assert shown["status"] == "incident" and "500" in shown["incidents"][0]["message"]
    assert public_status(ctx, code).door == "citizen_meeting_survey.json"  # the case still takes the answer


def test_a_citizen_who_opted_out_gets_no_sms_but_the_door_is_open(ctx, clock, gateway):
    _, code = held_meeting(ctx, clock, sms_opt_out=True)
    run_due_jobs(ctx)
    assert gateway.messages == []
    assert public_status(ctx, code).door == "citizen_meeting_survey.json"
