"""The studio as strict as its deploy: a check shows every problem at its element at once, the live lint
asks the server after each edit (so a broken expression shows up at once, and «۳» is a number), files
are imported and exported, a draft is discarded back to the deployed version, and who may start a
process is set in the studio and counts at once."""

from __future__ import annotations

import pytest

from engine.definitions import drafts, starters
from engine.definitions.bundle import collect_bundles
from tests.e2e.conftest import ROOT
from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.browser
KEY = "legal_review"


@pytest.fixture
def live_bundles():
    return [b for b in collect_bundles([ROOT / "processes"], ROOT / "forms") if b.key == "citizen_meeting"]


@pytest.fixture
def live_config():
    return {}


def _broken_draft(ctx) -> None:
    """The template with five problems at three elements of its diagram."""
    draft = drafts.create_draft(ctx, KEY, "بازبینی حقوقی", "admin", role="coord_expert")
    xml = (
        draft.files[f"{KEY}.bpmn"]
        .replace(f'value="{KEY}_request.json"', 'value="missing.json"')
        .replace('name="dueInWorkingDays" value="3"', 'name="dueInWorkingDays" value="3 روز"')
        .replace(
            "<bpmn:incoming>f_reviewed</bpmn:incoming>\n    </bpmn:endEvent>",
            "<bpmn:incoming>f_reviewed</bpmn:incoming>\n      <bpmn:timerEventDefinition />"
            "\n    </bpmn:endEvent>",
        )
        .replace(
            '<bpmn:sequenceFlow id="f_reviewed" sourceRef="review" targetRef="done" />',
            '<bpmn:sequenceFlow id="f_reviewed" sourceRef="review" targetRef="done">'
            "<bpmn:conditionExpression>review_note ==</bpmn:conditionExpression></bpmn:sequenceFlow>",
        )
    )
    drafts.save_draft(ctx, KEY, {**draft.files, f"{KEY}.bpmn": xml}, draft.revision, "admin")


def _open_studio(page, live_server, key: str = KEY) -> None:
    page.goto(f"{live_server.url}/designer/{key}/")
    page.wait_for_selector("#designer-studio[data-ready='1']", timeout=30000)


def test_a_check_marks_every_problem_at_its_element_and_the_live_lint_reads_expressions(
    live_server, page, login, screenshot
):
    _broken_draft(live_server.ctx)
    login(page, "designer")
    _open_studio(page, live_server)
    # Before any check, the live lint already has the server's problems.
    page.wait_for_selector("#designer-studio[data-server-linted]")
    server_lint = page.locator("#lint-server li")
    assert {li.get_attribute("data-element") for li in server_lint.all()} >= {"review", "done", "f_reviewed"}

    page.click("#btn-check")
    page.wait_for_selector("#designer-studio[data-checked]")
    checked = page.locator("#check-problems li")
    assert checked.count() >= 5
    texts = " ".join(checked.all_inner_texts())
    assert "فرم «missing.json» در بسته نیست." in texts
    assert "رویداد پایان می‌تواند" in texts and "شرط در محیط امن اجرا نمی‌شود" in texts
    badges = page.locator(".djs-overlay-ravand-problem .ravand-problem")
    assert sorted(b.get_attribute("data-element") for b in badges.all()) == ["done", "f_reviewed", "review"]
    assert page.locator(".ravand-problem[data-element='review']").inner_text() == "۲"
    screenshot(page, "designer-check-every-problem")

    # The due time typed in Persian digits is a number; typed as an expression that does not compile,
    # the live lint says so at once, without saving.
    page.evaluate(
        "window.ravandModeler.get('selection').select(window.ravandModeler.get('elementRegistry').get('review'))"
    )
    page.fill("#bio-properties-panel-ravand-due", "۳")
    wait_until(
        page,
        "![...document.querySelectorAll('#lint-server li')].some((li) => li.dataset.element === 'review'"
        " && li.dataset.rule === 'expressions-compile')",
    )
    page.fill("#bio-properties-panel-ravand-due", "working_days_later(")
    page.wait_for_selector("#lint-server li[data-element='review'][data-rule='expressions-compile']")
    assert (
        "مهلت (dueInWorkingDays) در محیط امن اجرا نمی‌شود"
        in page.locator(
            "#lint-server li[data-element='review'][data-rule='expressions-compile']"
        ).inner_text()
    )
    screenshot(page, "designer-live-lint-expression")

    # Deploying is refused while anything is wrong, and nothing is saved as a version.
    page.click("#btn-deploy-open")
    page.fill("#deploy-comment", "با خطا")
    page.click("#btn-deploy")
    page.wait_for_selector("#designer-status.alert-danger")
    assert drafts.get_draft(live_server.ctx, KEY).latest_version is None


def test_import_export_and_discard_back_to_the_deployed_version(
    live_server, page, login, screenshot, tmp_path
):
    login(page, "designer")
    _open_studio(page, live_server, "citizen_meeting")
    form = tmp_path / "legal_opinion.form"
    form.write_text(
        '{"type": "default", "components": [{"type": "textarea", "key": "opinion", "label": "نظر"}]}'
    )
    page.set_input_files("#import-files", str(form))
    page.wait_for_selector("#file-tabs [data-file='legal_opinion.json']")
    assert "وارد شد" in page.locator("#designer-status").inner_text()
    assert "legal_opinion.json" in drafts.get_draft(live_server.ctx, "citizen_meeting").files
    screenshot(page, "designer-imported")

    with page.expect_download() as download:
        page.click("#btn-export-zip")
    assert download.value.suggested_filename == "citizen_meeting.zip"
    with page.expect_download() as download:
        page.click("#btn-export-file")
    assert download.value.suggested_filename == "citizen_meeting.bpmn"

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#btn-discard")
    page.wait_for_selector("#file-tabs [data-file='legal_opinion.json']", state="detached")
    assert "دور انداخته شد" in page.locator("#designer-status").inner_text()
    assert drafts.get_draft(live_server.ctx, "citizen_meeting").revision == 0
    assert page.locator("#btn-discard").is_disabled()
    screenshot(page, "designer-discarded")


def test_who_may_start_it_is_set_in_the_studio_and_counts_at_once(live_server, page, login, screenshot):
    ctx = live_server.ctx
    assert "citizen_meeting" not in [p.key for p in starters.startable_processes(ctx, "social.expert")]
    login(page, "designer")
    _open_studio(page, live_server, "citizen_meeting")
    page.click("#btn-starters-open")
    # The box opens with a transition; a click while it is still collapsing can land on nothing.
    page.wait_for_selector("#starters-box.show")
    page.check("#starters input[value='social_expert']")
    with page.expect_response(lambda r: r.url.endswith("/starters") and r.request.method == "POST") as answer:
        page.click("#btn-starters")
    assert answer.value.status == 200, answer.value.text()
    page.wait_for_selector("#designer-studio[data-starters-saved]")
    assert "social_expert" in page.get_attribute("#designer-studio", "data-starters-saved")
    assert "citizen_meeting" in [p.key for p in starters.startable_processes(ctx, "social.expert")]
    screenshot(page, "designer-starters")

    page.click("#btn-archive")
    page.wait_for_selector("#archived-badge", state="attached")
    assert starters.startable_processes(ctx, "social.expert") == []
    screenshot(page, "designer-archived")


def test_an_edit_in_a_decision_table_marks_the_draft_unsaved_and_is_saved(live_server, page, login):
    login(page, "designer")
    _open_studio(page, live_server, "citizen_meeting")
    page.click("#file-tabs [data-file='citizen_meeting_triage.dmn']")
    page.wait_for_selector("#dmn-editor td.output-cell")
    assert page.locator("#save-state").inner_text() == ""
    cell = page.locator("#dmn-editor td.output-cell [contenteditable]").first
    cell.click()
    page.keyboard.press("End")
    page.keyboard.type(' + ""')
    wait_until(page, "document.querySelector('#save-state').textContent.length > 0")
    # Going to another file and back keeps the edit; saving stores it.
    page.click("#file-tabs [data-file='citizen_meeting.bpmn']")
    page.click("#btn-save")
    wait_until(page, "document.querySelector('#save-state').textContent === ''")
    saved = drafts.get_draft(live_server.ctx, "citizen_meeting")
    assert saved.revision == 1
    assert '"coord_expert" + ""' in saved.files["citizen_meeting_triage.dmn"]


def test_a_save_that_meets_a_newer_revision_offers_to_open_compare_or_overwrite(
    live_server, page, login, screenshot
):
    login(page, "designer")
    _open_studio(page, live_server, "citizen_meeting")
    ctx = live_server.ctx
    # Someone else saves the draft while the page is open.
    theirs = drafts.get_draft(ctx, "citizen_meeting")
    dmn = "citizen_meeting_triage.dmn"
    edited = theirs.files[dmn].replace('"coord_expert"', '"social_expert"', 1)
    drafts.save_draft(ctx, "citizen_meeting", {**theirs.files, dmn: edited}, theirs.revision, "admin")
    page.click("#file-tabs [data-file='citizen_meeting_triage.dmn']")
    cell = page.locator("#dmn-editor td.output-cell [contenteditable]").first
    cell.click()
    page.keyboard.press("End")
    page.keyboard.type(' + ""')
    wait_until(page, "document.querySelector('#save-state').textContent.length > 0")
    page.click("#btn-save")
    page.wait_for_selector("#designer-status[data-conflict] #conflict-compare-btn")
    assert "admin" in page.locator("#designer-status").inner_text()
    page.click("#conflict-compare-btn")
    page.wait_for_selector(f"#conflict-compare details[data-file='{dmn}'][data-changed]")
    # Re-serialised by the editors, every other file compares the same; in the table, the one cell.
    changed = page.locator("#conflict-compare details[data-changed]")
    assert changed.count() == 1
    assert changed.locator("li[data-kind='changed'] code").all_inner_texts() == ["rule_pr_conduct_role"]
    screenshot(page, "designer-save-conflict-compare")
    page.click("#conflict-overwrite-btn")
    wait_until(page, "document.querySelector('#save-state').textContent === ''")
    saved = drafts.get_draft(ctx, "citizen_meeting")
    assert saved.revision == 2 and '"coord_expert" + ""' in saved.files[dmn]
