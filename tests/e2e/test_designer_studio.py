"""A designer opens the citizen-meeting process, inserts a user task on a flow, sees the lint error while
its form is missing, gives it a new form, checks and deploys with a comment and sees the diff; new
instances get the new task, and an old instance, migrated by preview-then-migrate, continues onto it."""

from __future__ import annotations

import re

import pytest

from engine.cases.show import show
from engine.definitions import drafts
from engine.definitions.bundle import collect_bundles
from engine.runtime.starting import start
from engine.work.tasks import complete
from tests.e2e.conftest import ROOT
from tests.e2e.waiting import wait_until
from tests.processes.conftest import open_tasks, task_named

pytestmark = pytest.mark.browser

REQUEST = {
    "full_name": "محمد رضوانی",
    "national_id": "0012345679",
    "phone": "09121234567",
    "region": "region-05",
    "topic": "urban_services",
    "urgency": "normal",
    "description": "آسفالت کوچه پس از حفاری ترمیم نشده است.",
}


@pytest.fixture
def live_bundles():
    return [b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "citizen_meeting"]


@pytest.fixture
def live_config():
    return {}


def refer(ctx, instance_id: int) -> None:
    complete(
        ctx, task_named(ctx, instance_id, "review_request")["id"], {"intake": "refer"}, user="coord.expert"
    )


def center_of(page, element_id: str) -> tuple[float, float]:
    box = page.locator(
        f"#bpmn-canvas .djs-element[data-element-id='{element_id}'] .djs-hit"
    ).first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_insert_a_user_task_check_deploy_and_migrate(live_server, page, login, screenshot):
    ctx = live_server.ctx
    old = start(ctx, "citizen_meeting", dict(REQUEST), public=True)
    login(page, "designer")
    page.goto(f"{live_server.url}/designer/")
    page.click("#models tr[data-key='citizen_meeting'] a:has-text('ویرایش')")
    page.wait_for_selector("#designer-studio[data-ready='1']", timeout=30000)
    assert page.locator("#lint-count").inner_text() == "۰"
    screenshot(page, "designer-studio")

    # Insert a task on the flow between the first review and its gateway, from the palette.
    page.evaluate("window.ravandModeler.get('canvas').zoom(1.0, {x: 0, y: 0})")
    page.evaluate("window.ravandModeler.get('canvas').scrollToElement('m_reviewed')")
    x, y = center_of(page, "m_reviewed")
    page.click(".djs-palette .entry.bpmn-icon-task")
    page.mouse.move(x - 5, y)
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    new_id = page.evaluate(
        "window.ravandModeler.get('elementRegistry').filter((e) => e.type === 'bpmn:Task')[0].id"
    )
    # Make it a user task through the replace menu, and name it in the properties panel.
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.click("[data-id='replace-with-user-task']")
    new_id = page.evaluate("window.ravandModeler.get('selection').get()[0].id")
    page.fill("#bio-properties-panel-name", "بازبینی حقوقی")
    issue = page.locator(f"#lint-issues li[data-element='{new_id}']")
    issue.wait_for()
    assert "فرم ندارد" in issue.inner_text()
    screenshot(page, "designer-lint-error")

    # A new form for it, then the form in the Ravand group of the properties panel.
    page.fill("#new-form-name", "citizen_meeting_legal")
    page.click("#btn-new-form")
    page.wait_for_selector("#pane-form:not(.d-none) .fjs-palette")
    screenshot(page, "designer-form-editor")
    page.click("#file-tabs [data-file='citizen_meeting.bpmn']")
    page.wait_for_selector(f"#bpmn-canvas [data-element-id='{new_id}']")
    page.evaluate(
        f"window.ravandModeler.get('selection').select(window.ravandModeler.get('elementRegistry').get('{new_id}'))"
    )
    page.select_option("#bio-properties-panel-ravand-formKey", "citizen_meeting_legal.json")
    page.fill("#bio-properties-panel-ravand-due", "2")
    issue.wait_for(state="detached")
    assert page.locator("#lint-count").inner_text() == "۰"

    page.click("#btn-check")
    page.wait_for_selector("#designer-studio[data-checked='0']")
    assert "همه بررسی‌ها موفق بود" in page.locator("#designer-status").inner_text()
    page.click("#btn-deploy-open")
    page.click("#btn-deploy")
    assert "is-invalid" in page.locator("#deploy-comment").get_attribute("class")
    page.fill("#deploy-comment", "افزودن بازبینی حقوقی پس از بررسی اولیه")
    page.click("#btn-deploy")
    page.wait_for_selector("#deployed-diff-link")
    assert "نسخه ۲ مستقر شد" in page.locator("#designer-status").inner_text()
    screenshot(page, "designer-deployed")

    page.click("#deployed-diff-link")
    page.wait_for_selector("#designer-diff[data-ready='1']", timeout=30000)
    assert page.locator("#diff-list .diff-row-added", has_text=new_id).count() == 1
    assert page.locator("#diff-files .diff-badge-added").all_inner_texts() == ["citizen_meeting_legal.json"]
    assert page.locator(f"#diff-new [data-element-id='{new_id}'].diff-added").count() == 1
    screenshot(page, "designer-diff")

    # A new instance gets the new task after the review.
    fresh = start(ctx, "citizen_meeting", dict(REQUEST), public=True)
    refer(ctx, fresh.id)
    assert [t["element_id"] for t in open_tasks(ctx, fresh.id)] == [new_id]

    # The old instance: preview, then migrate, from the versions page.
    page.goto(f"{live_server.url}/designer/citizen_meeting/versions")
    page.check(f"input[name='instance'][value='{old.id}']")
    page.select_option("#target", label="نسخه ۲")
    page.click("#btn-preview")
    row = page.locator(f"#migration-plan tr[data-instance='{old.id}']")
    assert "بله" in row.inner_text() and "review_request" in row.inner_text()
    screenshot(page, "designer-migration-preview")
    page.click("#btn-migrate")
    assert "منتقل شد" in page.locator(f"#migration-results tr[data-instance='{old.id}']").inner_text()
    screenshot(page, "designer-migration-done")
    assert show(ctx, old.id)["version"] == 2
    refer(ctx, old.id)
    (legal,) = open_tasks(ctx, old.id)
    assert (legal["element_id"], legal["name"], legal["form_key"]) == (
        new_id,
        "بازبینی حقوقی",
        "citizen_meeting_legal.json",
    )
    complete(ctx, legal["id"], {}, user="coord.expert")
    assert {t["element_id"] for t in open_tasks(ctx, old.id)} == {"schedule_unit"}

    # And the staff member sees it in the inbox.
    page.context.clear_cookies()
    login(page, "coord.expert")
    page.goto(f"{live_server.url}/inbox/?view=group")
    assert re.search("بازبینی حقوقی", page.content())


def test_check_marks_problems_on_the_diagram_and_a_stale_save_is_refused(
    live_server, page, login, screenshot
):
    ctx = live_server.ctx
    draft = drafts.create_draft(ctx, "legal_review", "بازبینی حقوقی", "admin", role="coord_expert")
    xml = draft.files["legal_review.bpmn"].replace(
        'value="legal_review_request.json"', 'value="missing.json"'
    )
    drafts.save_draft(ctx, "legal_review", {**draft.files, "legal_review.bpmn": xml}, draft.revision, "admin")
    login(page, "designer")
    page.goto(f"{live_server.url}/designer/legal_review/")
    page.wait_for_selector("#designer-studio[data-ready='1']", timeout=30000)
    assert "missing.json" in page.locator("#lint-issues li[data-element='review']").inner_text()
    page.click("#btn-check")
    page.wait_for_selector("#designer-studio[data-checked='1']")
    assert "missing.json" in page.locator("#check-problems li[data-element='review']").inner_text()
    assert page.locator(".djs-overlay-ravand-problem").count() == 1
    screenshot(page, "designer-check-problems")

    # Someone else saves meanwhile: this designer's save is refused and says who.
    current = drafts.get_draft(ctx, "legal_review")
    drafts.save_draft(ctx, "legal_review", current.files, current.revision, "admin")
    page.click("#btn-save")
    page.wait_for_selector("#designer-status.alert-warning")
    assert "admin" in page.locator("#designer-status").inner_text()
    assert drafts.get_draft(ctx, "legal_review").updated_by == "admin"


def test_lane_role_select_and_trying_a_decision_table(live_server, page, login, screenshot):
    login(page, "designer")
    page.goto(f"{live_server.url}/designer/citizen_meeting/")
    page.wait_for_selector("#designer-studio[data-ready='1']", timeout=30000)
    page.evaluate(
        "window.ravandModeler.get('selection').select(window.ravandModeler.get('elementRegistry').get('lane_coord_expert'))"
    )
    page.select_option("#bio-properties-panel-ravand-lane-role", "social_expert")
    xml = page.evaluate("window.ravandModeler.saveXML().then((r) => r.xml)")
    assert 'id="lane_coord_expert" name="social_expert"' in xml

    page.click("#file-tabs [data-file='citizen_meeting_triage.dmn']")
    page.wait_for_selector("#dmn-try form")
    # The decision table's own words are Persian too (its column headers and toolbar).
    assert "هنگامی که" in page.locator("#dmn-editor").inner_text()
    assert "When" not in page.locator("#dmn-editor").inner_text()
    page.fill("#dmn-try input[name='topic']", '"pr_conduct"')
    page.fill("#dmn-try input[name='urgency']", "normal")
    page.click("#dmn-try button[type=submit]")
    wait_until(page, "document.querySelector('#dmn-try-result').textContent.includes('handler_role')")
    assert '"handler_unit": "dept_coord"' in page.locator("#dmn-try-result").inner_text()
    screenshot(page, "designer-decision-try")


def test_the_form_and_decision_editors_load_when_opened_and_speak_persian(
    live_server, page, login, screenshot
):
    login(page, "designer")
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(f"{live_server.url}/designer/citizen_meeting/")
    page.wait_for_selector("#designer-studio[data-ready='1']", timeout=30000)
    assert not [u for u in scripts if "/forms-" in u or "/decisions-" in u]  # the diagram alone
    page.click("#file-tabs [data-file='citizen_meeting_request.json']")
    page.wait_for_selector("#form-editor .fjs-palette")
    assert [u for u in scripts if "/forms-" in u] and not [u for u in scripts if "/decisions-" in u]
    wait_until(page, "document.querySelector('#form-editor .fjs-palette').innerText.includes('فیلد متنی')")
    palette = page.locator("#form-editor .fjs-palette").inner_text()
    assert "Text field" not in palette and "اجزای فرم" in palette
    screenshot(page, "designer-form-editor-persian")
    page.click("#file-tabs [data-file='citizen_meeting_triage.dmn']")
    page.wait_for_selector("#dmn-editor td.output-cell")
    assert [u for u in scripts if "/decisions-" in u]
