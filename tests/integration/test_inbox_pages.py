"""The inbox, a task's page, starting a process and my requests, through Flask's test client."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.models import Comment, HumanTask, OrgUnit, Position, ProcessInstance, Role, User, utcnow
from engine.runtime.starting import start
from tests.integration.support import LEAVE_CATALOG, client_of, text


@pytest.fixture
def app(make_app):
    return make_app(LEAVE_CATALOG)


def new_case(app, title="مرخصی آزمایشی") -> tuple[int, str]:
    ctx = app.extensions["ravand"]
    instance = start(ctx, "leave_request", {"title": title}, user="coord.expert", business_key=f"BK-{title}")
    with ctx.db.transaction() as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id))
    return instance.id, task_id


def test_the_inbox_needs_a_login(app):
    response = app.test_client().get("/inbox/")
    assert response.status_code == 302 and "/login" in response.location


def test_group_tasks_are_shown_to_holders_of_the_position_only(app):
    _, task_id = new_case(app, "مرخصی گروهی")
    expert = client_of(app, "coord.expert")
    page = text(expert.get("/inbox/?view=group"))
    assert "تکمیل درخواست مرخصی" in page and "مرخصی گروهی" in page
    assert task_id in page
    assert "مرخصی گروهی" not in text(expert.get("/inbox/"))  # not claimed: not in "my tasks"
    other = client_of(app, "social.expert")
    for view in ("mine", "group", "completed"):
        assert "مرخصی گروهی" not in text(other.get(f"/inbox/?view={view}"))
    assert other.get(f"/inbox/tasks/{task_id}").status_code == 404
    assert other.get(f"/inbox/tasks/{task_id}/diagram.bpmn").status_code == 404
    assert other.post(f"/inbox/tasks/{task_id}/claim").status_code == 404
    assert other.post(f"/inbox/tasks/{task_id}/complete", json={"data": {}}).status_code == 404
    assert expert.get("/inbox/tasks/not-a-task").status_code == 404


def test_claim_and_unclaim(app):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    response = expert.post(f"/inbox/tasks/{task_id}/claim", follow_redirects=True)
    assert "اکنون این کار با شماست" in text(response)
    assert task_id in text(expert.get("/inbox/"))
    colleague = client_of(app, "coord.expert2")
    assert task_id not in text(colleague.get("/inbox/?view=group"))
    page = text(colleague.get(f"/inbox/tasks/{task_id}"))  # a colleague sees who works on it, no form
    assert "زهرا محمدی" in page and "data-ravand-form" not in page
    response = colleague.post(f"/inbox/tasks/{task_id}/claim", follow_redirects=True)
    assert "پیش‌تر زهرا محمدی برداشته است" in text(response)
    response = expert.post(f"/inbox/tasks/{task_id}/unclaim", data={"next": "//evil.example/"})
    assert response.location == f"/inbox/tasks/{task_id}"  # only pages of this site
    assert task_id in text(colleague.get("/inbox/?view=group"))


def test_the_task_page_shows_the_case_the_form_and_the_history(app):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    page = text(expert.get(f"/inbox/tasks/{task_id}"))
    assert "درخواست مرخصی" in page and "مرخصی آزمایشی" in page
    assert "تاریخ شروع و تعداد روزهای مرخصی را وارد کنید." in page
    assert "پرونده آغاز شد" in page  # the history
    schema = json.loads(re.search(r'id="form-schema">(.*?)</script>', page, re.S).group(1))
    date_field = schema["components"][0]
    assert date_field["type"] == "textfield" and date_field["label"] == "تاریخ شروع مرخصی *"  # Jalali text
    assert "۱۴۰۵/۰۱/۱۲" in date_field["description"]
    assert not any("validate" in c for c in schema["components"])  # the server validates
    assert schema["components"][1]["type"] == "textfield"  # numbers too: Persian digits are accepted
    assert re.search(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", page)  # Jalali dates in Persian digits
    diagram = expert.get(f"/inbox/tasks/{task_id}/diagram.bpmn")
    assert diagram.status_code == 200 and b'id="fill_request"' in diagram.data
    # The lane bound to the role coord_expert is drawn with the role's name, in the page's language.
    assert 'name="کارشناس هماهنگی"' in diagram.data.decode() and b'name="coord_expert"' not in diagram.data
    english = expert.get(f"/inbox/tasks/{task_id}/diagram.bpmn?lang=en").data.decode()
    assert 'name="Coordination expert"' in english
    assert 'data-current="fill_request"' in page


def test_when_the_next_step_is_the_users_too_completing_goes_straight_to_it(app):
    ctx = app.extensions["ravand"]
    with ctx.db.transaction() as session:  # the head fills in a request for their own department
        head = session.scalar(select(User).where(User.username == "coord.head"))
        role = session.scalar(select(Role).where(Role.code == "coord_expert"))
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "dept_coord"))
        session.add(Position(user=head, role=role, unit=unit))
    instance_id, task_id = new_case(app)
    head = client_of(app, "coord.head")
    done = head.post(
        f"/inbox/tasks/{task_id}/complete", json={"data": {"start_date": "۱۴۰۵/۰۱/۱۲", "days": "۳"}}
    )
    with ctx.db.transaction() as session:
        approve = session.scalar(
            select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
        )
    assert done.status_code == 200 and done.json["redirect"] == f"/inbox/tasks/{approve}"
    page = text(head.get(done.json["redirect"]))
    assert "گام بعدی، «تأیید مرخصی»، هم با شماست." in page


def test_completing_validates_on_the_server_and_a_second_submission_is_told_who_did_it(app):
    instance_id, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    bad = expert.post(
        f"/inbox/tasks/{task_id}/complete", json={"data": {"start_date": "۱۴۰۵/۱۳/۴۰", "days": "۴۰"}}
    )
    assert bad.status_code == 422
    assert bad.json["fields"] == {
        "start_date": "باید تاریخی مانند ۱۴۰۵/۰۱/۱۲ باشد",
        "days": "باید حداکثر ۳۰ باشد",
    }
    good = expert.post(
        f"/inbox/tasks/{task_id}/complete", json={"data": {"start_date": "۱۴۰۵/۰۱/۱۲", "days": "۳"}}
    )
    assert good.status_code == 200 and good.json["redirect"] == "/inbox/"
    assert "انجام شد" in text(expert.get("/inbox/"))  # the notice
    with app.extensions["ravand"].db.transaction() as session:
        approve = session.scalar(
            select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
        )
        assert approve.element_id == "approve"
    done = text(expert.get("/inbox/?view=completed"))
    assert task_id in done
    colleague = client_of(app, "coord.expert2")
    again = colleague.post(
        f"/inbox/tasks/{task_id}/complete", json={"data": {"start_date": "1405/01/12", "days": 3}}
    )
    assert again.status_code == 409
    assert again.json["message"] == "کار «تکمیل درخواست مرخصی» را پیش‌تر زهرا محمدی انجام داده است."
    head = client_of(app, "coord.head")
    assert "تأیید مرخصی" in text(head.get("/inbox/?view=group"))


def test_a_draft_is_kept_and_filled_in_again(app):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    response = expert.post(f"/inbox/tasks/{task_id}/draft", json={"data": {"reason": "سفر خانوادگی"}})
    assert response.status_code == 200 and response.json["message"] == "پیش‌نویس ذخیره شد."
    page = text(expert.get(f"/inbox/tasks/{task_id}"))
    data = json.loads(re.search(r'id="form-data">(.*?)</script>', page, re.S).group(1))
    assert data["reason"] == "سفر خانوادگی"
    expert.post(f"/inbox/tasks/{task_id}/draft", json={"data": {"start_date": "2026-04-01", "days": 12}})
    page = text(expert.get(f"/inbox/tasks/{task_id}"))
    data = json.loads(re.search(r'id="form-data">(.*?)</script>', page, re.S).group(1))
    assert (data["start_date"], data["days"]) == ("۱۴۰۵/۰۱/۱۲", "۱۲")  # shown in Jalali, Persian digits


def test_comments(app):
    instance_id, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    assert "بنویسید" in text(
        expert.post(f"/inbox/tasks/{task_id}/comments", data={"body": " "}, follow_redirects=True)
    )
    expert.post(f"/inbox/tasks/{task_id}/comments", data={"body": "لطفاً پیگیری شود"})
    assert "لطفاً پیگیری شود" in text(expert.get(f"/inbox/tasks/{task_id}"))
    other = client_of(app, "social.expert")
    assert other.post(f"/inbox/tasks/{task_id}/comments", data={"body": "x"}).status_code == 404
    with app.extensions["ravand"].db.transaction() as session:
        assert session.scalars(select(Comment.body).where(Comment.instance_id == instance_id)).all() == [
            "لطفاً پیگیری شود"
        ]


def test_filters_search_sorting_and_pages(app):
    ids = [new_case(app, f"پرونده {n}")[1] for n in range(23)]
    ctx = app.extensions["ravand"]
    with ctx.db.transaction() as session:
        session.execute(
            update(HumanTask).where(HumanTask.id == ids[5]).values(due_at=utcnow() - timedelta(days=1))
        )
        session.execute(update(HumanTask).where(HumanTask.id == ids[7]).values(priority=90))
    expert = client_of(app, "coord.expert")
    first = text(expert.get("/inbox/?view=group"))
    assert first.count('class="list-group-item inbox-row') == 20
    assert "صفحهٔ ۱ از ۲" in first
    assert text(expert.get("/inbox/?view=group&page=2")).count('class="list-group-item inbox-row') == 3
    overdue = text(expert.get("/inbox/?view=group&due=overdue"))
    assert overdue.count("inbox-row") == 1 and ids[5] in overdue and "دیرکرد" in overdue
    assert ids[5] in text(expert.get("/inbox/?view=group&due=week"))
    first_row = re.compile(r'data-task-id="([^"]+)"')
    assert first_row.search(text(expert.get("/inbox/?view=group&sort=priority"))).group(1) == ids[7]
    assert first_row.search(text(expert.get("/inbox/?view=group&sort=due"))).group(1) == ids[5]
    newest = first_row.findall(text(expert.get("/inbox/?view=group&sort=created")))
    assert ids[22] in newest and ids[0] not in newest  # the newest page holds the latest, not the first
    found = text(expert.get("/inbox/?view=group&q=پرونده 12"))
    assert found.count("inbox-row") == 1 and ids[12] in found
    assert text(expert.get("/inbox/?view=group&q=BK-پرونده 3")).count("inbox-row") == 1
    assert text(expert.get("/inbox/?view=group&process=other")).count("inbox-row") == 0
    assert text(expert.get("/inbox/?view=group&process=leave_request")).count("inbox-row") == 20
    assert text(expert.get("/inbox/?view=group&department=coord")).count("inbox-row") == 20
    assert text(expert.get("/inbox/?view=group&department=social")).count("inbox-row") == 0
    with ctx.db.transaction() as session:
        region = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "region-05"))
    assert text(expert.get(f"/inbox/?view=group&unit={region}")).count("inbox-row") == 0


def test_the_start_page_offers_what_the_user_may_start_and_lands_on_the_first_task(app):
    expert = client_of(app, "coord.expert")
    page = text(expert.get("/start/"))
    assert "درخواست مرخصی" in page and "هماهنگی امور مناطق" in page
    form = text(expert.get("/start/leave_request"))
    schema = json.loads(re.search(r'id="form-schema">(.*?)</script>', form, re.S).group(1))
    assert schema["components"][0]["label"] == "عنوان درخواست *"
    refused = expert.post("/start/leave_request", json={"data": {}})
    assert refused.status_code == 422 and refused.json["fields"] == {"title": "پر کردن این فیلد الزامی است"}
    started = expert.post("/start/leave_request", json={"data": {"title": "مرخصی اسفند"}})
    assert started.status_code == 200
    assert re.fullmatch(r"/inbox/tasks/[0-9a-f-]{36}", started.json["redirect"])
    assert "مرخصی اسفند" in text(expert.get(started.json["redirect"]))
    requests = text(expert.get("/my-requests/"))
    assert "مرخصی اسفند" in requests and "در جریان" in requests and "تکمیل درخواست مرخصی" in requests
    with app.extensions["ravand"].db.transaction() as session:
        instance = session.get(ProcessInstance, started.json["instance_id"])
        assert instance.started_by == "coord.expert" and instance.unit_id is not None
    other = client_of(app, "social.expert")
    assert "درخواست مرخصی" not in text(other.get("/start/"))
    assert other.get("/start/leave_request").status_code == 404
    assert other.post("/start/leave_request", json={"data": {"title": "x"}}).status_code == 404
    assert "مرخصی اسفند" not in text(other.get("/my-requests/"))


def test_pages_in_english(app):
    _, task_id = new_case(app)
    expert = client_of(app, "coord.expert")
    page = text(expert.get("/inbox/?view=group&lang=en"))
    assert 'dir="ltr"' in page and "My groups' tasks" in page and "Claim" in page
    assert re.search(r"\d{4}/\d{2}/\d{2}", page)
    assert "Leave request" in text(expert.get("/start/"))
    task_page = text(expert.get(f"/inbox/tasks/{task_id}"))
    assert "What to do" in task_page and "The case was started" in task_page
    bad = expert.post(f"/inbox/tasks/{task_id}/complete", json={"data": {"days": "0"}})
    assert bad.json["fields"]["days"] == "must be at least 1"


def test_a_supervisor_gives_a_task_to_one_of_its_holders(app):
    _, task_id = new_case(app)
    head = client_of(app, "coord.head")
    page = text(head.get(f"/inbox/tasks/{task_id}"))
    assign_form = page[page.index("/assign") : page.index("</form>", page.index("/assign"))]
    assert "سپردن کار به" in page and "کارشناس دوم" in assign_form and "حسین کریمی" not in assign_form
    refused = head.post(
        f"/inbox/tasks/{task_id}/assign",
        data={"assignee": "social.expert", "reason": "مرخصی"},
        follow_redirects=True,
    )
    assert "سمت این کار را دارد" in text(refused)
    unexplained = head.post(
        f"/inbox/tasks/{task_id}/assign", data={"assignee": "coord.expert2"}, follow_redirects=True
    )
    assert "علت" in text(unexplained) or "دلیل" in text(unexplained)
    head.post(f"/inbox/tasks/{task_id}/assign", data={"assignee": "coord.expert2", "reason": "مرخصی"})
    colleague = client_of(app, "coord.expert2")
    assert task_id in text(colleague.get("/inbox/"))
    assert "«تکمیل درخواست مرخصی» به کارشناس دوم سپرده شد" in text(colleague.get(f"/inbox/tasks/{task_id}"))
    expert = client_of(app, "coord.expert")
    assert "سپردن کار به" not in text(expert.get(f"/inbox/tasks/{task_id}"))
    assert expert.post(f"/inbox/tasks/{task_id}/assign", data={"assignee": "coord.expert"}).status_code == 403


def test_notifications_badge_list_and_opening_one(app):
    _, task_id = new_case(app, "مرخصی با اعلان")
    expert = client_of(app, "coord.expert")
    page = text(expert.get("/inbox/"))
    badge = re.search(r'id="notifications-link">\s*اعلان‌ها <span[^>]*>([۰-۹]+)</span>', page)
    assert badge and badge.group(1) == "۱"
    listing = text(expert.get("/inbox/notifications/"))
    assert "کار تازه: تکمیل درخواست مرخصی" in listing and "مرخصی با اعلان" in listing
    notice_id = re.search(r'action="/inbox/notifications/(\d+)"', listing).group(1)
    opened = expert.post(f"/inbox/notifications/{notice_id}", data={"task_id": task_id})
    assert opened.location == f"/inbox/tasks/{task_id}"
    assert not re.search(r'id="notifications-link">\s*اعلان‌ها <span', text(expert.get("/inbox/")))
    other = client_of(app, "social.expert")
    assert other.post(f"/inbox/notifications/{notice_id}", data={"task_id": task_id}).status_code == 404
    assert "مرخصی با اعلان" not in text(other.get("/inbox/notifications/"))


def test_due_dates_are_counted_in_working_days_from_the_engines_clock(app, clock):
    _, task_id = new_case(app, "مرخصی با مهلت")  # Saturday 1405/02/05, 09:00 in Tehran
    expert = client_of(app, "coord.expert")
    page = text(expert.get(f"/inbox/tasks/{task_id}"))
    assert "۱۴۰۵/۰۲/۰۵ ۰۹:۰۰" in page  # arrived
    assert "۱۴۰۵/۰۲/۰۷ ۱۶:۰۰" in page and "دیرکرد" not in page  # due two working days later, 16:00
    assert text(expert.get("/inbox/?view=group&due=today")).count("inbox-row") == 0
    assert text(expert.get("/inbox/?view=group&due=week")).count("inbox-row") == 1
    clock.advance(timedelta(days=2, hours=7, seconds=1))  # Monday, just past 16:00
    late = text(expert.get("/inbox/?view=group&due=overdue"))
    assert late.count("inbox-row") == 1 and "list-group-item-danger" in late
    assert "دیرکرد" in text(expert.get(f"/inbox/tasks/{task_id}"))
