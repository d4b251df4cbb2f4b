"""Search as Iranians type: digits in any script, ي/ی and ك/ک, half-spaces and doubled spaces find the
same cases in the inbox, the monitor's instance list and the public status lookup."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import ProcessInstance
from engine.reporting.instance_list import instance_list
from engine.reporting.instances import InstanceFilter
from engine.runtime.starting import start
from engine.search import searchable
from engine.work.inbox import InboxQuery, inbox
from tests.integration.support import client_of
from tests.integration.test_public_forms import GOOD, instances, submit

TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ارزيابي", "ارزیابی"),  # Arabic yeh
        ("كارشناس", "کارشناس"),  # Arabic kaf
        ("۱۴۰۵/۰۹", "1405/09"),
        ("١٢٣٤", "1234"),
        ("می\u200cشود", "میشود"),  # a half-space
        ("  درخواست \t  ملاقات ", "درخواست ملاقات"),
        ("K-۱۲", "k-12"),
        ("\u200fپیاده\u200bرو", "پیادهرو"),  # a bidi mark and a zero-width space
    ],
)
def test_one_form_for_what_people_type(typed, stored):
    assert searchable(typed) == stored


def test_the_parts_are_joined_and_nothing_is_empty():
    assert searchable("ارزیابی", None, "1405") == "ارزیابی 1405"
    assert searchable(None) == "" and searchable("\u200c ") == ""


@pytest.fixture
def cases(ctx, approval):
    made = {}
    for n, title in enumerate(["ارزیابی عملکرد منطقه", "خرید تجهیزات", "بررسي كتاب‌ها"]):
        instance = start(
            ctx, "approval", {"title": title}, user="carol", unit="region-01", business_key=f"K-{n}۷"
        )
        made[n] = instance.id
    return made


def found(ctx, text: str) -> list[str]:
    page = inbox(ctx, InboxQuery(user="alice", view="group", search=text))
    return sorted(row["instance_title"] for row in page.rows)


def test_the_inbox_finds_what_was_typed_either_way(ctx, cases):
    assert found(ctx, "ارزيابي") == ["ارزیابی عملکرد منطقه"]
    assert found(ctx, "ارزیابی   عملکرد") == ["ارزیابی عملکرد منطقه"]
    assert found(ctx, "بررسی کتابها") == ["بررسي كتاب‌ها"]  # stored with Arabic letters and a half-space
    assert found(ctx, "k-1۷") == found(ctx, "K-17") == ["خرید تجهیزات"]  # the business key
    assert found(ctx, "ك-٢٧") == []
    assert found(ctx, "k-٢٧") == ["بررسي كتاب‌ها"]
    assert found(ctx, "100%") == [] and found(ctx, "_") == []  # LIKE's wildcards are plain characters
    assert len(found(ctx, "ثبت  درخواست\u200f")) == 3  # the task's name, with a doubled space and a mark


def test_the_monitor_finds_what_was_typed_either_way(ctx, cases):
    def titles(text: str) -> list[str]:
        rows = instance_list(ctx, "root", InstanceFilter(text=text), 50, 0)["rows"]
        return sorted(r["title"] for r in rows)

    assert titles("ارزيابي") == ["ارزیابی عملکرد منطقه"]
    assert titles("بررسی") == ["بررسي كتاب‌ها"]
    assert titles("K-۰٧") == ["ارزیابی عملکرد منطقه"]


def test_a_tracking_code_in_persian_digits_finds_the_case_everywhere(app):
    assert submit(app.test_client(), GOOD).status_code == 302
    (instance,) = instances(app)
    code = instance.tracking_code
    with app.extensions["ravand"].db.read() as session:
        stored = session.scalar(select(ProcessInstance.search_text).where(ProcessInstance.id == instance.id))
    assert code in stored
    expert = client_of(app, "coord.expert")
    page = expert.get("/inbox/", query_string={"view": "group", "q": code.translate(TO_PERSIAN)})
    assert page.get_data(as_text=True).count("inbox-row") == 1
    assert (
        expert.get("/inbox/", query_string={"view": "group", "q": "0000000000"})
        .get_data(as_text=True)
        .count("inbox-row")
        == 0
    )
    monitor = client_of(app, "deputy").get(
        "/monitor/instances", query_string={"q": code.translate(TO_ARABIC_INDIC)}
    )
    assert f"/monitor/instances/{instance.id}" in monitor.get_data(as_text=True)
    spaced = " ".join(code.translate(TO_ARABIC_INDIC)[i : i + 5] for i in (0, 5))
    status = app.test_client().get("/public/status", query_string={"code": spaced})
    assert status.status_code == 200 and code.translate(TO_PERSIAN) in status.get_data(as_text=True)
