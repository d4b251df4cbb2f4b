"""The case at hand on a task's page and in the API's task document: what was submitted so far,
labelled by its forms, grouped by step, what this step needs first; a completed task's submission."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import jdatetime
import pytest
from sqlalchemy import select

from engine.cases.case_at_hand import case_at_hand
from engine.definitions.bundle import collect_bundles
from engine.definitions.deployment import deploy
from engine.models import ProcessInstance
from engine.work import tasks
from tests.integration.support import client_of, text, token_for
from tests.processes.conftest import task_named
from tests.processes.test_citizen_meeting import REQUEST

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(make_app):
    app = make_app(catalog=ROOT / "processes")
    (bundle,) = [
        b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "citizen_meeting"
    ]
    deploy(app.extensions["ravand"], bundle)
    return app


@pytest.fixture
def case(app) -> int:
    """A walk-in citizen's meeting request registered by the coordination expert."""
    answer = client_of(app, "coord.expert").post("/start/citizen_meeting/walk-in", json={"data": REQUEST})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    with app.extensions["ravand"].db.read() as session:
        return session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()))


def labels_in_order(page: str, *labels: str) -> bool:
    at = [page.find(f">{label}</dt>") for label in labels]
    return all(a >= 0 for a in at) and at == sorted(at)


def test_the_reviewer_sees_the_citizens_request(app, case):
    ctx = app.extensions["ravand"]
    review = task_named(ctx, case, "review_request")
    page = text(client_of(app, "coord.expert").get(f"/inbox/tasks/{review['id']}"))
    box = page[page.index('id="case-at-hand"') : page.index('id="form-card"')]
    assert "درخواست" in box and "برای این مرحله" in box  # the request, marked as what this step needs
    assert labels_in_order(
        box, "نام و نام خانوادگی", "کد ملی", "تلفن همراه", "منطقه محل سکونت", "شرح درخواست"
    )
    assert "محمد رضوانی" in box and "۰۰۱۲۳۴۵۶۷۹" in box and "۰۹۱۲۱۲۳۴۵۶۷" in box
    assert "منطقه ۵" in box and "خدمات شهری (نظافت، معابر، روشنایی)" in box  # option labels, not values
    assert "region-05" not in box and "urban_services" not in box
    assert "آسفالت کوچه ما" in box


def test_the_region_manager_told_to_call_sees_the_phone_number_first(app, case):
    ctx = app.extensions["ravand"]
    review = task_named(ctx, case, "review_request")
    tasks.complete(ctx, review["id"], {"intake": "refer", "intake_note": "ارجاع به منطقه"}, "coord.expert")
    slot = task_named(ctx, case, "schedule_unit")
    page = text(client_of(app, "region05.manager").get(f"/inbox/tasks/{slot['id']}"))
    box = page[page.index('id="case-at-hand"') : page.index('id="form-card"')]
    assert labels_in_order(box, "نام و نام خانوادگی", "تلفن همراه", "موضوع درخواست", "شرح درخواست", "کد ملی")
    assert "۰۹۱۲۱۲۳۴۵۶۷" in box
    needed, earlier = box.split('data-element="review_request"')  # the request first, the review after
    assert "تلفن همراه" in needed and "ارجاع به منطقه" in earlier and "برای این مرحله" not in earlier

    document = app.test_client().get(
        f"/api/v1/tasks/{slot['id']}", headers=token_for(app, "region05.manager")
    )
    shown = document.get_json()["case"]
    first, second = shown["sections"]
    assert (first["kind"], first["needed"], second["element_id"]) == ("started", True, "review_request")
    assert [f["key"] for f in first["fields"]][:4] == ["full_name", "phone", "topic", "description"]
    assert first["fields"][1] == {
        "key": "phone",
        "label": "تلفن همراه",
        "kind": "text",
        "value": "09121234567",
    }
    assert second["fields"][0]["value"] != "refer" and shown["submitted"] is None
    assert client_of(app, "region06.manager").get(f"/inbox/tasks/{slot['id']}").status_code == 404


def test_a_completed_task_shows_what_was_submitted(app, case):
    ctx = app.extensions["ravand"]
    review = task_named(ctx, case, "review_request")
    tasks.complete(ctx, review["id"], {"intake": "refer", "intake_note": "ارجاع به منطقه"}, "coord.expert")
    slot = task_named(ctx, case, "schedule_unit")
    tasks.complete(
        ctx,
        slot["id"],
        {
            "meeting_date": "1499/01/15",
            "meeting_time": "۱۰:۳۰",
            "meeting_place": "شهرداری منطقه ۵",
            "meeting_official": "معاون منطقه",
        },
        "region05.manager",
    )
    page = text(client_of(app, "region05.manager").get(f"/inbox/tasks/{slot['id']}"))
    submitted = page[page.index('id="submitted"') : page.index('id="attachments"')]
    assert "آنچه ثبت شد" in submitted and "شهرداری منطقه ۵" in submitted
    assert "۱۴۹۹" in submitted and "2120" not in submitted  # a Jalali date in Persian digits
    box = page[page.index('id="case-at-hand"') : page.index('id="form-card"')]
    assert "شهرداری منطقه ۵" not in box and "ارجاع به منطقه" in box  # only what came before it
    document = app.test_client().get(f"/api/v1/tasks/{slot['id']}", headers=token_for(app, "coord.head"))
    done = document.get_json()["case"]["submitted"]
    assert done["element_id"] == "schedule_unit" and done["actor"] == "region05.manager"
    day = jdatetime.date(1499, 1, 15).togregorian().isoformat()
    assert {"key": "meeting_date", "label": "تاریخ ملاقات", "kind": "date", "value": day} in done["fields"]


def test_the_page_lists_the_cases_attachments(app, case):
    ctx = app.extensions["ravand"]
    review = task_named(ctx, case, "review_request")
    expert = client_of(app, "coord.expert")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    sent = expert.post(
        f"/inbox/tasks/{review['id']}/attachments",
        data={"file": (BytesIO(pdf), "نامه شهروند.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)
    assert "نامه شهروند.pdf" in text(expert.get(f"/inbox/tasks/{review['id']}"))
    document = expert.get(f"/api/v1/tasks/{review['id']}").get_json()
    assert [f["filename"] for f in document["attachments"]] == ["نامه شهروند.pdf"]


def section(task_id, kind, n, *keys):
    return {
        "task_id": task_id,
        "kind": kind,
        "event_id": n,
        "at": datetime(2026, 12, 1, tzinfo=UTC),
        "fields": [{"key": k, "label": k, "kind": "text", "value": k} for k in keys],
    }


SECTIONS = [
    section(None, "started", 1, "name", "phone", "topic"),
    section("t1", "task_completed", 2, "intake"),
    section("t2", "task_completed", 3, "date", "place"),
    section("t3", "task_completed", 4, "minutes"),
]


def keys(shown) -> list[list[str]]:
    return [[f["key"] for f in s["fields"]] for s in shown["sections"]]


@pytest.mark.parametrize(
    ("wanted", "rest", "expected"),
    [
        (None, True, [["name", "phone", "topic"], ["intake"], ["date", "place"]]),
        (["phone"], False, [["phone"]]),
        (["place", "phone"], True, [["place", "date"], ["phone", "name", "topic"], ["intake"]]),
        (["nothing"], False, []),
    ],
)
def test_case_fields_limit_and_order_what_a_task_shows(wanted, rest, expected):
    shown = case_at_hand(SECTIONS, "t3", wanted, rest)  # t3's own submission apart, nothing after it
    assert keys(shown) == expected and shown["submitted"]["fields"][0]["key"] == "minutes"
    if wanted and expected:
        assert shown["sections"][0]["needed"] and not any(
            s["needed"] for s in shown["sections"][len(wanted) :]
        )
    open_task = case_at_hand(SECTIONS, "t9", None)
    assert open_task["submitted"] is None and len(open_task["sections"]) == 4
