"""The designer's pages and endpoints through Flask's test client: who may reach them (designers and
administrators only), drafts with optimistic saves, check, deploy, history, diff, decisions, migration."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.demo.seed import seed_demo
from engine.models import AuditEvent, ProcessInstance
from engine.runtime import starting
from web import create_app

PASSWORD = "secret-pass"
KEY = "legal_review"
APPROVE = """    <bpmn:userTask id="approve" name="تأیید نهایی">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="legal_review_request.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_reviewed</bpmn:incoming>
      <bpmn:outgoing>f_approved</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_approved" sourceRef="approve" targetRef="done" />
"""
APPROVE_DI = """      <bpmndi:BPMNShape id="approve_di" bpmnElement="approve">
        <dc:Bounds x="460" y="140" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f_approved_di" bpmnElement="f_approved">
        <di:waypoint x="560" y="180" />
        <di:waypoint x="562" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>"""


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    Database(url).create_all()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
    seed_demo(app.extensions["ravand"], password=PASSWORD)
    return app


def client_of(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def create(client, key: str = KEY) -> None:
    response = client.post(
        "/designer/new", data={"key": key, "name": "بازبینی حقوقی", "role": "coord_expert"}
    )
    assert response.status_code == 302 and response.location.endswith(f"/designer/{key}/")


def draft(client, key: str = KEY) -> dict:
    response = client.get(f"/designer/{key}/draft")
    assert response.status_code == 200
    return response.get_json()["draft"]


def save(client, files: dict, revision: int, key: str = KEY):
    return client.post(f"/designer/{key}/draft", json={"files": files, "revision": revision})


def deploy(client, comment: str = "نسخه نخست", key: str = KEY) -> dict:
    response = client.post(
        f"/designer/{key}/deploy", json={"revision": draft(client, key)["revision"], "comment": comment}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def designer_urls(app) -> list[tuple[str, str]]:
    """Every designer route with sample arguments, and its method."""
    values = {"key": KEY, "version": 1, "name": f"{KEY}.bpmn"}
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("designer."):
            url = rule.build({arg: values[arg] for arg in rule.arguments})[1]
            found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_staff_and_strangers_reach_none_of_the_designer(app):
    routes = designer_urls(app)
    assert len(routes) >= 15
    staff, stranger = client_of(app, "coord.expert"), app.test_client()
    for method, url in routes:
        assert staff.open(url, method=method, json={}).status_code == 403, (method, url)
        response = stranger.open(url, method=method, json={})
        assert response.status_code == 302 and "/login" in response.location, (method, url)


def test_designers_and_administrators_see_the_catalog_and_their_models(app):
    for username in ("designer", "admin"):
        page = client_of(app, username).get("/designer/")
        assert page.status_code == 200
        assert "ملاقات مردمی" in page.get_data(as_text=True)  # the catalog, before any deploy
    assert "طراحی فرایند" in client_of(app, "designer").get("/inbox/").get_data(as_text=True)


def test_create_save_conflict_check_deploy_history_and_diff(app):
    designer, admin = client_of(app, "designer"), client_of(app, "admin")
    create(designer)
    studio = designer.get(f"/designer/{KEY}/")
    assert studio.status_code == 200 and "designer/designer.js" in studio.get_data(as_text=True)
    body = designer.get(f"/designer/{KEY}/draft").get_json()
    assert {r["code"] for r in body["roles"]} >= {"coord_expert", "designer"}
    assert "citizen_meeting" in body["processes"]
    files = body["draft"]["files"]
    assert body["draft"]["revision"] == 1 and body["draft"]["updated_by"] == "designer"

    assert save(admin, files, 1).get_json()["draft"]["revision"] == 2
    refused = save(designer, files, 1)
    assert refused.status_code == 409
    assert "admin" in refused.get_json()["message"] and "دوباره بار کنید" in refused.get_json()["message"]

    assert designer.post(f"/designer/{KEY}/check", json={}).get_json() == {"problems": []}
    no_comment = designer.post(f"/designer/{KEY}/deploy", json={"revision": 2, "comment": " "})
    assert no_comment.status_code == 422 and "چرا" in no_comment.get_json()["fields"]["comment"]
    result = deploy(designer)
    assert (result["version"], result["created"]) == (1, True) and "مستقر شد" in result["message"]

    history = designer.get(f"/designer/{KEY}/versions").get_data(as_text=True)
    assert "نسخه نخست" in history and "designer" in history
    assert designer.get(result["diff_url"]).status_code == 200
    xml = designer.get(f"/designer/{KEY}/versions/1/files/{KEY}.bpmn")
    assert xml.status_code == 200 and xml.mimetype == "text/plain" and b'id="legal_review"' in xml.data
    assert designer.get(f"/designer/{KEY}/versions/9/files/{KEY}.bpmn").status_code == 404


def test_check_shows_each_problem_at_its_element_and_deploy_refuses(app):
    designer = client_of(app, "designer")
    create(designer)
    files = draft(designer)["files"]
    files[f"{KEY}.bpmn"] = files[f"{KEY}.bpmn"].replace(f'value="{KEY}_request.json"', 'value="missing.json"')
    assert save(designer, files, 1).status_code == 200
    (problem,) = designer.post(f"/designer/{KEY}/check", json={}).get_json()["problems"]
    assert (problem["element"], problem["message"]) == ("review", "فرم «missing.json» در بسته نیست.")
    refused = designer.post(f"/designer/{KEY}/deploy", json={"revision": 2, "comment": "x"})
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["element"] == "review"
    bad = save(designer, {"../x.bpmn": "<x/>"}, 2)
    assert bad.status_code == 422 and bad.get_json()["fields"]


def test_copy_archive_and_restore(app):
    designer = client_of(app, "designer")
    response = designer.post("/designer/citizen_meeting/copy", data={"new_key": "citizen_meeting_b"})
    assert response.location.endswith("/designer/citizen_meeting_b/")
    copied = draft(designer, "citizen_meeting_b")
    assert copied["main"] == "citizen_meeting_b.bpmn" and "citizen_meeting_triage.dmn" in copied["files"]
    assert designer.post("/designer/citizen_meeting_b/check", json={}).get_json() == {"problems": []}
    taken = designer.post(
        "/designer/citizen_meeting/copy", data={"new_key": "citizen_meeting_b"}, follow_redirects=True
    )
    assert "از پیش هست" in taken.get_data(as_text=True)
    designer.post("/designer/citizen_meeting_b/archive", data={"archived": "1"})
    assert draft(designer, "citizen_meeting_b")["archived"] is True
    designer.post("/designer/citizen_meeting_b/archive", data={"archived": "0"})
    assert draft(designer, "citizen_meeting_b")["archived"] is False


def test_try_a_decision_table_in_the_sandbox(app):
    designer = client_of(app, "designer")
    url = "/designer/citizen_meeting/decisions/try"
    response = designer.post(
        url,
        json={"decision": "citizen_meeting_triage", "inputs": {"topic": "pr_conduct", "urgency": "normal"}},
    )
    assert response.status_code == 200
    assert response.get_json()["result"] == {
        "handler_role": "coord_expert",
        "handler_unit": "dept_coord",
        "response_days": 3,
    }
    broken = designer.post(url, json={"decision": "citizen_meeting_triage", "inputs": {}, "dmn": "<not-xml"})
    assert broken.status_code == 422 and broken.get_json()["message"]


def test_migration_preview_and_run_from_the_versions_page(app):
    ctx = app.extensions["ravand"]
    designer = client_of(app, "designer")
    create(designer)
    deploy(designer)
    old = starting.start(ctx, KEY, {}, user="coord.expert")
    files = draft(designer)["files"]
    xml = files[f"{KEY}.bpmn"].replace(
        "<bpmn:incoming>f_reviewed</bpmn:incoming>", "<bpmn:incoming>f_approved</bpmn:incoming>"
    )
    xml = xml.replace('targetRef="done" />', 'targetRef="approve" />\n' + APPROVE, 1)
    xml = xml.replace(
        "<bpmn:flowNodeRef>done</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>done</bpmn:flowNodeRef><bpmn:flowNodeRef>approve</bpmn:flowNodeRef>",
    )
    xml = xml.replace("    </bpmndi:BPMNPlane>", APPROVE_DI)  # the studio deploys only what its diagram draws
    assert save(designer, {**files, f"{KEY}.bpmn": xml}, 1).status_code == 200
    v2 = deploy(designer, "افزودن تأیید نهایی")
    assert v2["version"] == 2

    page = designer.get(f"/designer/{KEY}/versions").get_data(as_text=True)
    assert f'name="instance" value="{old.id}"' in page
    preview = designer.post(
        f"/designer/{KEY}/migration/preview", data={"target": v2["id"], "from_version": "1"}
    )
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and f'data-instance="{old.id}"' in text and "بررسی درخواست" in text
    with ctx.db.transaction() as session:
        assert session.get(ProcessInstance, old.id).definition.version == 1

    done = designer.post(f"/designer/{KEY}/migration/run", data={"target": v2["id"], "instance": str(old.id)})
    assert done.status_code == 200 and "منتقل شد" in done.get_data(as_text=True)
    with ctx.db.transaction() as session:
        assert session.get(ProcessInstance, old.id).definition.version == 2
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "migrated"))
        assert event.actor == "designer"
    again = designer.post(
        f"/designer/{KEY}/migration/preview", data={"target": v2["id"], "instance": str(old.id)}
    )
    assert "همین حالا روی همین نسخه است" in again.get_data(as_text=True)
    nothing = designer.post(f"/designer/{KEY}/migration/preview", data={"target": v2["id"]})
    assert nothing.status_code == 302
    elsewhere = designer.post(
        "/designer/citizen_meeting/migration/preview", data={"target": v2["id"], "from_version": "1"}
    )
    assert elsewhere.status_code == 404


def test_the_designer_blueprint_is_thin():
    """web/designer imports no engine.models and opens no transaction: each action is one engine call."""
    from pathlib import Path

    for path in (Path(__file__).parents[2] / "web" / "designer").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert (
            "engine.models" not in text
            and "transaction()" not in text
            and ".read()" not in text.replace("f.read()", "")
        ), path


def test_lint_reports_every_problem_of_the_unsaved_editor_in_persian(app):
    designer = client_of(app, "designer")
    create(designer)
    files = draft(designer)["files"]
    xml = files[f"{KEY}.bpmn"].replace(f'value="{KEY}_request.json"', 'value="missing.json"')
    xml = xml.replace('name="dueInWorkingDays" value="3"', 'name="dueInWorkingDays" value="3 روز"')
    response = designer.post(f"/designer/{KEY}/lint", json={"files": {**files, f"{KEY}.bpmn": xml}})
    problems = response.get_json()["problems"]
    assert {(p["element"], p["rule"]) for p in problems} == {
        ("review", "user-task-lane-and-form"),
        ("review", "expressions-compile"),
    }
    assert "فرم «missing.json» در بسته نیست." in {p["message"] for p in problems}
    assert draft(designer)["revision"] == 1  # the lint saves nothing
    assert designer.post(f"/designer/{KEY}/lint", json={"files": "x"}).status_code == 400


def test_starters_archive_discard_import_and_export_from_the_studio(app):
    designer = client_of(app, "designer")
    create(designer)
    loaded = designer.get(f"/designer/{KEY}/draft").get_json()
    assert loaded["access"]["starters"] == ["coord_expert"] and not loaded["access"]["from_catalog"]
    saved = designer.post(f"/designer/{KEY}/starters", json={"starters": ["coord_head", "public"]}).get_json()
    assert saved["access"]["starters"] == ["coord_head", "public"]
    refused = designer.post(f"/designer/{KEY}/starters", json={"starters": ["janitor"]})
    assert refused.status_code == 422 and "janitor" in refused.get_json()["fields"]["starters"]

    archived = designer.post(f"/designer/{KEY}/archive", data={"archived": "1", "next": f"/designer/{KEY}/"})
    assert archived.status_code == 302 and archived.location.endswith(f"/designer/{KEY}/")
    assert draft(designer)["archived"] is True

    exported = designer.get(f"/designer/{KEY}/export/{KEY}.bpmn")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    assert exported.headers["Content-Security-Policy"] == "sandbox"
    assert designer.get(f"/designer/{KEY}/export.zip").data[:2] == b"PK"
    assert designer.get(f"/designer/{KEY}/export/nothing.bpmn").status_code == 404

    form = b'{"components": [{"type": "textfield", "key": "note", "label": "N"}]}'
    imported = designer.post(
        f"/designer/{KEY}/import",
        data={"revision": "1", "files": [(io.BytesIO(form), "extra.form")]},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200 and "extra.json" in imported.get_json()["draft"]["files"]
    bad = designer.post(
        f"/designer/{KEY}/import",
        data={"revision": "2", "files": [(io.BytesIO(b"x"), "notes.txt")]},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "notes.txt" in bad.get_json()["fields"]

    never_deployed = designer.post(f"/designer/{KEY}/discard", json={"revision": 2})
    assert never_deployed.status_code == 409
    deploy(designer)
    files = draft(designer)["files"]
    assert save(designer, {**files, "scratch.json": "{}"}, 2).status_code == 200
    discarded = designer.post(f"/designer/{KEY}/discard", json={"revision": 3})
    assert discarded.status_code == 200 and "scratch.json" not in discarded.get_json()["draft"]["files"]
