"""The monitor's pages through Flask's test client: scope, figures, lists, exports, actions, bulk.

The data: ``region_report`` (a unit's PR manager reports, due in two working days; a coordination expert
reviews, due in one) run in regions 1-3 with a moved clock in the week of Saturday 1405/08/23
(2026-11-14, no holiday). By hand:

- region-01: reported Sunday (on time), reviewed Monday (on time): completed, 2 working days.
- region-02: reported Tuesday 10:30, after its due Monday 16:00 (late); its review, due Wednesday
  16:00, is still open, so overdue today.
- region-03: its report, due Monday 16:00, is still open: overdue.

SLA over that week: three tasks with a due date completed, two on time: 66.7 %.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from engine.context import Context
from engine.db import Database
from engine.definitions.bundle import Bundle, collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.models import AuditEvent, HumanTask, Incident, OrgUnit, ProcessInstance
from engine.runtime.starting import start
from engine.work.tasks import complete
from tests.engine.test_supervision import FAILING
from web import create_app

PASSWORD = "secret-pass"
WEEK = {"from": "1405/08/23", "to": "1405/08/29"}
SATURDAY = datetime(2026, 11, 14, 6, 0, tzinfo=UTC)  # 09:30 in Tehran

REGION_REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="region_report_definitions" targetNamespace="http://ravand.tehran.ir/bpmn/tests">
  <bpmn:collaboration id="region_report_collaboration">
    <bpmn:participant id="region_report_participant" name="گزارش منطقه" processRef="region_report" />
  </bpmn:collaboration>
  <bpmn:process id="region_report" name="گزارش منطقه" isExecutable="true">
    <bpmn:laneSet id="region_report_lanes">
      <bpmn:lane id="lane_manager" name="unit_pr_manager">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>report</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_expert" name="coord_expert">
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="شروع"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="report" name="ارسال گزارش">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="report.json" />
          <spiffworkflow:property name="dueInWorkingDays" value="2" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="review" name="بررسی گزارش">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="report.json" />
          <spiffworkflow:property name="dueInWorkingDays" value="1" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="done" name="پایان"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="report" />
    <bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="region_report_diagram">
    <bpmndi:BPMNPlane id="region_report_plane" bpmnElement="region_report_collaboration">
      <bpmndi:BPMNShape id="participant_di" bpmnElement="region_report_participant" isHorizontal="true">
        <dc:Bounds x="100" y="40" width="640" height="300" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="lane_manager_di" bpmnElement="lane_manager" isHorizontal="true">
        <dc:Bounds x="130" y="40" width="610" height="150" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="lane_expert_di" bpmnElement="lane_expert" isHorizontal="true">
        <dc:Bounds x="130" y="190" width="610" height="150" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="180" y="97" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="report_di" bpmnElement="report">
        <dc:Bounds x="280" y="75" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review">
        <dc:Bounds x="450" y="225" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="done_di" bpmnElement="done">
        <dc:Bounds x="630" y="247" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
        <di:waypoint x="216" y="115" /><di:waypoint x="280" y="115" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
        <di:waypoint x="380" y="115" /><di:waypoint x="500" y="115" /><di:waypoint x="500" y="225" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3">
        <di:waypoint x="550" y="265" /><di:waypoint x="630" y="265" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
REPORT_FORM = """{"id": "report", "type": "default", "schemaVersion": 16, "components": [
  {"key": "summary", "type": "textfield", "label": "خلاصه", "validate": {"required": true}}]}"""


def region_report() -> Bundle:
    return Bundle(
        "region_report",
        {"region_report.bpmn": REGION_REPORT.encode("utf-8"), "report.json": REPORT_FORM.encode("utf-8")},
    )


def open_task_id(ctx: Context, instance_id: int, element_id: str) -> str:
    with ctx.db.transaction() as session:
        return session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == instance_id,
                HumanTask.element_id == element_id,
                HumanTask.state == "open",
            )
        )


def make_history(ctx: Context) -> dict:
    """Deploy ``region_report`` and run it in regions 1-3 as the module docstring tells."""
    with time_machine.travel(SATURDAY, tick=False) as clock:
        definition = deploy(ctx, region_report())
        ids = {
            code: start(ctx, "region_report", {"title": f"گزارش {code}"}, user="coord.expert", unit=code).id
            for code in ("region-01", "region-02", "region-03")
        }
        clock.shift(timedelta(days=1))
        complete(ctx, open_task_id(ctx, ids["region-01"], "report"), {"summary": "خوب"}, "region01.manager")
        clock.shift(timedelta(days=1))
        complete(ctx, open_task_id(ctx, ids["region-01"], "review"), {"summary": "تأیید"}, "coord.expert")
        clock.shift(timedelta(days=1, hours=1))
        complete(ctx, open_task_id(ctx, ids["region-02"], "report"), {"summary": "دیر"}, "region02.manager")
    return {"definition_id": definition.definition_id, "ids": ids}


def make_app(url: str, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False, **config})


def build_app(tmp_path):
    """An app on a new SQLite database with the demo organisation and the history; ``app.history``
    holds the definition id and the instance ids by region."""
    url = f"sqlite:///{tmp_path}/w.db"
    Database(url).create_all()
    app = make_app(url)
    seed_demo(app.extensions["ravand"], password=PASSWORD)
    app.history = make_history(app.extensions["ravand"])
    return app


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path)


def client_of(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def events(app, instance_id: int, kind: str) -> list[AuditEvent]:
    with app.extensions["ravand"].db.transaction() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.kind == kind)
            )
        )


def status_of(app, instance_id: int) -> str:
    with app.extensions["ravand"].db.transaction() as session:
        return session.get(ProcessInstance, instance_id).status


PAGES = [
    "/monitor/",
    "/monitor/instances",
    "/monitor/instances/export.csv",
    "/monitor/processes",
    "/monitor/bulk",
]


def test_staff_and_strangers_cannot_reach_the_monitor(app):
    for page in PAGES:
        response = app.test_client().get(page)
        assert response.status_code == 302 and "/login" in response.location
    staff = client_of(app, "coord.expert")
    assert 'href="/monitor/"' not in text(staff.get("/inbox/"))
    for page in [*PAGES, f"/monitor/instances/{app.history['ids']['region-01']}"]:
        assert staff.get(page).status_code == 403, page
    assert staff.post(f"/monitor/instances/{app.history['ids']['region-01']}/suspend").status_code == 403


@pytest.mark.parametrize("username", ["deputy", "admin", "coord.head", "region01.manager"])
def test_every_supervisor_reaches_every_page(app, username):
    client = client_of(app, username)
    for page in PAGES:
        assert client.get(page).status_code == 200, (username, page)
    assert 'href="/monitor/"' in text(client.get("/inbox/"))  # the menu leads there
    assert client.get(f"/monitor/processes/{app.history['definition_id']}").status_code == 200


def test_the_dashboard_shows_the_figures_of_the_week(app):
    page = text(client_of(app, "deputy").get("/monitor/", query_string=WEEK))
    assert "گزارش منطقه" in page
    # overdue today: region-03's report and region-02's review
    assert 'id="overdue-figure"' in page
    overdue_card = page.split('id="overdue-figure"')[1].split("</a>")[0]
    assert "۲" in overdue_card
    # SLA of the process over the week: 2 of 3 on time
    assert "۶۶٫۷٪" in page
    # the regions side by side, the latest first: region-02 (a late report and an overdue review),
    # region-03 (an overdue report), then region-01 (nothing late)
    regions = page.split('id="regions"')[1]
    assert regions.index("منطقه ۲") < regions.index("منطقه ۳") < regions.index("منطقه ۱")
    chart = json.loads(page.split('<script type="application/json" id="flow-data">')[1].split("</script>")[0])
    assert (chart["started"], chart["completed"], chart["cycle"]) == ([3], [1], [2.0])
    assert chart["labels"] == ["۱۴۰۵/۰۸/۲۳"]


def test_the_dashboard_links_each_figure_to_its_list(app):
    client = client_of(app, "deputy")
    page = text(client.get("/monitor/", query_string=WEEK))
    assert "/monitor/tasks?overdue=1" in page
    assert "/monitor/tasks?overdue=1&amp;unit=region-03" in page
    listed = text(client.get("/monitor/tasks", query_string={"overdue": "1", "unit": "region-03"}))
    assert "گزارش region-03" in listed and "گزارش region-02" not in listed


def test_a_regions_manager_sees_only_their_region(app):
    ids = app.history["ids"]
    client = client_of(app, "region02.manager")
    listed = text(client.get("/monitor/instances"))
    assert "گزارش region-02" in listed
    assert "گزارش region-01" not in listed and "گزارش region-03" not in listed
    assert client.get(f"/monitor/instances/{ids['region-02']}").status_code == 200
    for other in ("region-01", "region-03"):
        assert client.get(f"/monitor/instances/{ids[other]}").status_code == 404
        assert (
            client.post(f"/monitor/instances/{ids[other]}/suspend", data={"reason": "x"}).status_code == 404
        )
        assert (
            client.post(
                f"/monitor/tasks/{open_task_id(app.extensions['ravand'], ids['region-03'], 'report')}/due",
                data={"due": "1405/09/20", "reason": "x"},
            ).status_code
            == 404
        )
    dashboard = text(client.get("/monitor/", query_string=WEEK))
    assert "منطقه ۳" not in dashboard.split('id="regions"')[1]
    exported = text(client.get("/monitor/instances/export.csv"))
    assert "region-02" in exported and "region-03" not in exported and "region-01" not in exported


def test_a_department_head_sees_the_processes_of_their_department(app, tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("processes:\n  - key: region_report\n    department: social\n", encoding="utf-8")
    app.extensions["ravand"].catalog_path = catalog
    assert "گزارش region-01" not in text(client_of(app, "coord.head").get("/monitor/instances"))
    social = client_of(app, "social.head")
    assert "گزارش region-01" in text(social.get("/monitor/instances"))
    assert "گزارش region-01" in text(social.get("/monitor/instances", query_string={"department": "social"}))
    assert "گزارش region-01" not in text(
        social.get("/monitor/instances", query_string={"department": "coord"})
    )


def test_instance_list_filters_and_pages(app):
    client = client_of(app, "deputy")

    def titles(**args) -> set[str]:
        page = text(client.get("/monitor/instances", query_string=args))
        return {code for code in ("region-01", "region-02", "region-03") if f"گزارش {code}" in page}

    assert titles() == {"region-01", "region-02", "region-03"}
    assert titles(status="completed") == {"region-01"}
    assert titles(status="running") == {"region-02", "region-03"}
    assert titles(overdue="1") == {"region-02", "region-03"}
    assert titles(unit="region-02") == {"region-02"}
    assert titles(**WEEK) == {"region-01", "region-02", "region-03"}
    assert titles(**{"from": "۱۴۰۵/۰۸/۲۴"}) == set()
    assert titles(q="region-03") == {"region-03"}
    assert titles(initiator="coord.expert", process="region_report", version="1") == {
        "region-01",
        "region-02",
        "region-03",
    }
    assert titles(element="review") == {"region-02"}
    mistyped = client.get("/monitor/instances", query_string={"from": "1405/13/01", "status": "running"})
    assert mistyped.status_code == 200  # the same page, saying what is wrong, the other filters kept
    assert "تاریخ شمسی نیست" in text(mistyped) and 'value="1405/13/01"' in text(mistyped)
    shown = {code for code in ("region-01", "region-02", "region-03") if f"گزارش {code}" in text(mistyped)}
    assert shown == {"region-02", "region-03"}
    english = client.get("/monitor/", query_string={"lang": "en", "to": "1405/02/31x"})
    assert english.status_code == 200 and "is not a Jalali date" in text(english)
    assert 'value="1405/02/31x"' in text(english)
    client.get("/monitor/?lang=fa")
    assert titles(unit="nowhere") == set()  # a unit code that names no unit selects nothing


def test_exports_have_persian_headers_and_jalali_dates(app):
    client = client_of(app, "deputy")
    response = client.get("/monitor/instances/export.csv", query_string={"status": "completed"})
    assert response.headers["Content-Disposition"] == "attachment; filename=instances.csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["شماره", "فرایند", "نسخه"]
    assert len(rows) == 2 and rows[1][1] == "گزارش منطقه"
    assert rows[1][9].startswith("1405/08/23") and rows[1][10].startswith("1405/08/25")
    assert rows[1][6] == "انجام‌شده"
    response = client.get("/monitor/instances/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.sheet_view.rightToLeft
    assert [c.value for c in sheet[1]][:2] == ["شماره", "فرایند"]
    assert sheet.max_row == 4
    english = client.get("/monitor/instances/export.csv", query_string={"lang": "en"})
    assert english.get_data(as_text=True).lstrip("\ufeff").startswith("Number,Process,Version")


def test_the_instance_page_shows_the_path_tasks_and_timeline(app):
    instance_id = app.history["ids"]["region-02"]
    page = text(client_of(app, "deputy").get(f"/monitor/instances/{instance_id}"))
    assert '{"active": ["review"], "done": ["report", "start"], "failed": []}' in page
    assert "بررسی گزارش" in page and "ارسال گزارش" in page
    assert "text-bg-danger" in page  # the overdue review
    assert "مدیر روابط عمومی منطقه ۲" in page  # who completed the report, in the timeline
    assert "/monitor/definitions/" in page
    diagram = client_of(app, "deputy").get(
        f"/monitor/definitions/{app.history['definition_id']}/diagram.bpmn"
    )
    assert diagram.status_code == 200 and b"BPMNDiagram" in diagram.data


def test_lifecycle_actions_want_a_reason_and_record_it(app):
    instance_id = app.history["ids"]["region-03"]
    client = client_of(app, "deputy")
    response = client.post(
        f"/monitor/instances/{instance_id}/suspend", data={"reason": ""}, follow_redirects=True
    )
    assert "دلیل این کار را بنویسید" in text(response)
    assert status_of(app, instance_id) == "running"
    client.post(f"/monitor/instances/{instance_id}/suspend", data={"reason": "بررسی دوباره"})
    assert status_of(app, instance_id) == "suspended"
    assert events(app, instance_id, "suspended")[0].data == {"reason": "بررسی دوباره"}
    response = client.post(
        f"/monitor/instances/{instance_id}/suspend", data={"reason": "again"}, follow_redirects=True
    )
    assert "معلق" in text(response)  # the conflict, in Persian
    client.post(f"/monitor/instances/{instance_id}/resume", data={"reason": "ادامه"})
    assert status_of(app, instance_id) == "running"
    client.post(f"/monitor/instances/{instance_id}/terminate", data={"reason": "لغو"})
    assert status_of(app, instance_id) == "terminated"


def test_reassign_and_change_the_due_date(app):
    ctx = app.extensions["ravand"]
    instance_id = app.history["ids"]["region-03"]
    task_id = open_task_id(ctx, instance_id, "report")
    client = client_of(app, "deputy")
    refused = client.post(
        f"/monitor/tasks/{task_id}/reassign",
        data={"assignee": "region01.expert", "reason": "مرخصی"},
        follow_redirects=True,
    )
    assert "سمت این کار را دارد" in text(refused)  # region 1's expert holds no position in region 3
    client.post(
        f"/monitor/tasks/{task_id}/reassign", data={"assignee": "region03.manager", "reason": "مرخصی"}
    )
    with ctx.db.transaction() as session:
        assert session.get(HumanTask, task_id).assignee == "region03.manager"
    dashboard = text(client.get("/monitor/"))
    assert "/monitor/tasks?overdue=1&amp;assignee=region03.manager" in dashboard
    listed = text(client.get("/monitor/tasks", query_string={"assignee": "region03.manager"}))
    assert "گزارش region-03" in listed and "گزارش region-02" not in listed
    response = client.post(f"/monitor/tasks/{task_id}/due", data={"due": "۱۴۰۵/۱۰/۰۱", "reason": "تمدید"})
    assert response.status_code == 302
    with ctx.db.transaction() as session:
        due = session.get(HumanTask, task_id).due_at
    # 1405/10/01 is 2026-12-22, a Tuesday: the end of its working hours, 16:00 in Tehran
    assert due == datetime(2026, 12, 22, 12, 30, tzinfo=UTC)
    (event,) = events(app, instance_id, "task_due_changed")
    assert event.data["reason"] == "تمدید"
    response = client.post(
        f"/monitor/tasks/{task_id}/due", data={"due": "someday", "reason": "x"}, follow_redirects=True
    )
    assert "تاریخ" in text(response)


def test_admin_edits_data_and_retries_an_incident(app):
    ctx = app.extensions["ravand"]
    deploy(ctx, Bundle("doubling", {"doubling.bpmn": FAILING}))
    broken = start(ctx, "doubling", {"value": None}, user="coord.expert").id
    deputy = client_of(app, "deputy")
    assert (
        deputy.post(
            f"/monitor/instances/{broken}/data", data={"field": "value", "value": "4", "reason": "x"}
        ).status_code
        == 403
    )
    page = text(deputy.get(f"/monitor/instances/{broken}"))
    assert '"failed": ["double"]' in page and "NoneType" in page
    admin = client_of(app, "admin")
    admin.post(f"/monitor/instances/{broken}/data", data={"field": "value", "value": "21", "reason": "اصلاح"})
    (edited,) = events(app, broken, "data_edited")
    assert edited.data == {"field": "value", "old": None, "new": 21, "reason": "اصلاح"}
    with ctx.db.transaction() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.instance_id == broken))
    admin.post(f"/monitor/incidents/{incident_id}/retry", data={"reason": "داده اصلاح شد"})
    assert status_of(app, broken) == "completed"


def test_the_heat_map_page(app):
    client = client_of(app, "deputy")
    page = text(client.get(f"/monitor/processes/{app.history['definition_id']}"))
    assert 'id="heat-data"' in page
    # report: region-01 waited Sat→Sun (1), region-02 Sat→Tue (3), region-03 still waits
    assert "ارسال گزارش" in page and "بررسی گزارش" in page
    assert client.get("/monitor/processes/9999").status_code == 404
    listing = text(client.get("/monitor/processes"))
    assert "گزارش منطقه" in listing


def test_bulk_previews_then_reports_each_instance(app):
    ids = app.history["ids"]
    client = client_of(app, "deputy")
    page = text(client.get("/monitor/bulk", query_string={"status": "running"}))
    assert "۲ از ۲ نمونهٔ انتخاب‌شده" in page
    no_reason = {"status": "running", "action": "suspend", "reason": ""}
    refused = text(client.post("/monitor/bulk", data=no_reason))
    assert "دلیل این کار را بنویسید" in refused and 'id="bulk-report"' not in refused
    assert status_of(app, ids["region-02"]) == "running"
    response = client.post(
        "/monitor/bulk", data={"status": "running", "action": "suspend", "reason": "بازبینی"}
    )
    report = text(response).split('id="bulk-report"')[1]
    assert report.count("table-success") == 2
    assert {status_of(app, ids[c]) for c in ("region-02", "region-03")} == {"suspended"}
    assert status_of(app, ids["region-01"]) == "completed"


def test_a_called_process_has_its_own_diagram_tab(app):
    ctx = app.extensions["ravand"]
    root = Path(__file__).resolve().parents[2]
    (bundle,) = [
        b for b in collect_bundles([root / "processes"], root / "forms") if b.key == "policy_rollout"
    ]
    definition_id = deploy(ctx, bundle).definition_id
    client = client_of(app, "deputy")
    page = text(
        client.get(f"/monitor/processes/{definition_id}", query_string={"diagram": "policy_unit_rollout"})
    )
    assert f"/monitor/definitions/{definition_id}/diagram.bpmn?process=policy_unit_rollout" in page
    assert "diagram=policy_rollout" in page  # the tab back to the main process
    called = client.get(f"/monitor/definitions/{definition_id}/diagram.bpmn?process=policy_unit_rollout")
    assert b'id="unit_report"' in called.data
    main = client.get(f"/monitor/definitions/{definition_id}/diagram.bpmn")
    assert b'calledElement="policy_unit_rollout"' in main.data
    assert client.get(f"/monitor/definitions/{definition_id}/diagram.bpmn?process=nowhere").status_code == 404


def test_a_regions_manager_sees_a_rollout_but_only_their_own_task_in_it(app):
    ctx = app.extensions["ravand"]
    root = Path(__file__).resolve().parents[2]
    (bundle,) = [
        b for b in collect_bundles([root / "processes"], root / "forms") if b.key == "policy_rollout"
    ]
    deploy(ctx, bundle)
    policy = {
        "title": "سیاست آزمایشی",
        "letter_number": "۱۴۰۵/۱",
        "policy_text": "متن سیاست برای آزمون پایش مناطق و گزارش آن‌ها.",
        "units": ["region-01", "region-05"],
        "deadline_days": 5,
    }
    rollout = start(ctx, "policy_rollout", policy, user="coord.expert", unit="dept_coord").id
    complete(ctx, open_task_id(ctx, rollout, "approve_rollout"), {"approval": "approve"}, "coord.head")
    manager = client_of(app, "region05.manager")
    assert "سیاست آزمایشی" in text(manager.get("/monitor/instances"))
    page = text(manager.get(f"/monitor/instances/{rollout}"))
    with ctx.db.transaction() as session:
        reports = {
            unit: task_id
            for task_id, unit in session.execute(
                select(HumanTask.id, OrgUnit.code)
                .join(OrgUnit, OrgUnit.id == HumanTask.unit_id)
                .where(HumanTask.instance_id == rollout, HumanTask.element_id == "unit_report")
            )
        }
    assert page.count("data-task=") == 1
    assert f'data-task="{reports["region-05"]}"' in page and reports["region-01"] not in page
    assert "سیاست آزمایشی" not in text(client_of(app, "region02.manager").get("/monitor/instances"))
    # seeing is not acting: the deputy's central rollout is not the region's to stop
    assert 'id="form-suspend"' in page and 'data-bs-target="#form-suspend"' not in page
    refused = manager.post(f"/monitor/instances/{rollout}/suspend", data={"reason": "آزمون توقف"})
    assert refused.status_code == 403
    api = manager.post(f"/api/v1/monitor/instances/{rollout}/suspend", json={"reason": "آزمون توقف"})
    assert api.status_code == 403
    preview = manager.post("/api/v1/monitor/bulk/preview", json={"filters": {}, "action": "suspend"})
    assert rollout not in preview.get_json()["ids"]
    assert bulk_offer(manager) == "disabled"
    with ctx.db.read() as session:
        assert session.get(ProcessInstance, rollout).status == "running"
    # the unit's own task is the region's: its manager may move its due date
    moved = manager.post(
        f"/monitor/tasks/{reports['region-05']}/due",
        data={"due": "1405/12/20", "reason": "آزمون موعد", "instance": rollout},
    )
    assert moved.status_code == 302
    assert manager.post(
        f"/monitor/tasks/{reports['region-01']}/due", data={"due": "1405/12/20", "reason": "آزمون"}
    ).status_code in (403, 404)


def bulk_offer(client) -> str:
    """Whether the bulk page offers to suspend the rollout it selects ("disabled" when it does not)."""
    page = client.get("/monitor/bulk", query_string={"q": "سیاست"}).get_data(as_text=True)
    suspend = re.search(r'<input[^>]*id="action-suspend"[^>]*>', page).group(0)
    return "disabled" if " disabled" in suspend else "offered"


def test_a_rollout_waits_once_on_the_heat_map_and_runs_on_its_diagram_while_a_unit_works(app):
    ctx = app.extensions["ravand"]
    root = Path(__file__).resolve().parents[2]
    (bundle,) = [
        b for b in collect_bundles([root / "processes"], root / "forms") if b.key == "policy_rollout"
    ]
    definition_id = deploy(ctx, bundle).definition_id
    policy = {
        "title": "سیاست دو منطقه",
        "letter_number": "۱۴۰۵/۲",
        "policy_text": "متن سیاست برای آزمون نقشهٔ حرارتی و نمودار اجرای چندگانه.",
        "units": ["region-01", "region-05"],
        "deadline_days": 5,
    }
    rollout = start(ctx, "policy_rollout", policy, user="coord.expert", unit="dept_coord").id
    complete(ctx, open_task_id(ctx, rollout, "approve_rollout"), {"approval": "approve"}, "coord.head")
    deputy = client_of(app, "deputy")
    stats = {
        e["element_id"]: e
        for e in deputy.get(f"/api/v1/monitor/definitions/{definition_id}/elements").json["elements"]
    }
    assert stats["unit_report"]["waiting_now"] == 1  # two units work on it, one instance waits there
    assert "median_wait_days" in stats["unit_report"] and "p90_wait_days" in stats["unit_report"]
    listed = text(deputy.get("/monitor/instances", query_string={"element": "unit_report"}))
    assert "سیاست دو منطقه" in listed
    page = deputy.get(f"/monitor/instances/{rollout}").get_data(as_text=True)
    markers = json.loads(re.search(r'id="diagram-markers">(.*?)</script>', page).group(1))
    assert "rollout_units" in markers["active"] and "rollout_units" not in markers["done"]
