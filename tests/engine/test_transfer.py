"""Files in and out of drafts (the bridge to Camunda Modeler), discarding a draft, and the studio's own
strictness: every element checked, Persian digits read as numbers, nothing deployed with a lint error."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from engine.definitions import drafts, transfer
from engine.errors import BundleInvalid, Conflict, InvalidData, NotFound

ROOT = Path(__file__).resolve().parents[2]
CAMUNDA_FORM = json.dumps(
    {"type": "default", "components": [{"type": "textfield", "key": "note", "label": "یادداشت"}]}
)


def _saved(ctx):
    draft = drafts.get_draft(ctx, "approval")
    return drafts.save_draft(ctx, "approval", draft.files, draft.revision, "designer")


def test_import_reads_camunda_forms_and_form_keys_and_replaces_the_main_file(ctx, approval):
    draft = _saved(ctx)
    camunda_bpmn = (
        draft.files["approval.bpmn"]
        .replace(
            "xmlns:spiffworkflow=", 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:spiffworkflow='
        )
        .replace(
            '<bpmn:userTask id="approve"',
            '<bpmn:userTask id="approve" camunda:formKey="camunda-forms:deployment:verdict.form"',
        )
    )
    # Camunda's own model keeps no Ravand property: the formKey is read from camunda:formKey.
    start = camunda_bpmn.index('<bpmn:userTask id="approve"')
    block = camunda_bpmn[start : camunda_bpmn.index("</bpmn:userTask>", start)]
    camunda_bpmn = camunda_bpmn.replace(
        block, block.replace('<spiffworkflow:property name="formKey" value="decision.json" />', "")
    )
    imported = transfer.import_files(
        ctx,
        "approval",
        {"approval_v2.bpmn": camunda_bpmn.encode(), "verdict.form": CAMUNDA_FORM.encode()},
        draft.revision,
        "designer",
    )
    assert "verdict.json" in imported.files and "approval_v2.bpmn" not in imported.files
    assert imported.revision == draft.revision + 1
    assert 'name="formKey" value="verdict.json"' in imported.files["approval.bpmn"]
    problems = drafts.check_draft(ctx, "approval")
    assert [p for p in problems if p.rule == "user-task-lane-and-form"] == []


def test_import_refuses_what_is_not_a_model_file_and_saves_nothing(ctx, approval):
    draft = _saved(ctx)
    with pytest.raises(InvalidData) as caught:
        transfer.import_files(
            ctx,
            "approval",
            {
                "notes.txt": b"hello",
                "broken.bpmn": b"<bpmn:definitions",
                "x.json": b"{",
                "big.dmn": b"<a/>" * 600_000,
            },
            draft.revision,
            "designer",
        )
    assert set(caught.value.field_errors) == {"notes.txt", "broken.bpmn", "x.json", "big.dmn"}
    assert drafts.get_draft(ctx, "approval").revision == draft.revision
    with pytest.raises(InvalidData):
        transfer.import_files(ctx, "approval", {}, draft.revision, "designer")


def test_export_gives_one_file_or_the_whole_draft_in_a_zip(ctx, approval):
    draft = drafts.get_draft(ctx, "approval")
    assert transfer.export_file(ctx, "approval", "approval.bpmn") == draft.files["approval.bpmn"]
    with pytest.raises(NotFound):
        transfer.export_file(ctx, "approval", "missing.bpmn")
    archive = zipfile.ZipFile(io.BytesIO(transfer.export_zip(ctx, "approval")))
    assert sorted(archive.namelist()) == sorted(draft.files)
    assert archive.read("request.json").decode() == draft.files["request.json"]


def test_a_draft_is_discarded_back_to_the_deployed_version(ctx, approval):
    draft = drafts.get_draft(ctx, "approval")
    changed = drafts.save_draft(ctx, "approval", {**draft.files, "note.json": "{}"}, 0, "alice")
    with pytest.raises(drafts.DraftConflict):
        drafts.discard_draft(ctx, "approval", 0, "bob")  # bob has not seen alice's save
    back = drafts.discard_draft(ctx, "approval", changed.revision, "alice")
    assert back.revision == 0 and "note.json" not in back.files and back.latest_version == 1
    with pytest.raises(Conflict):
        drafts.discard_draft(ctx, "approval", 0, "alice")  # nothing left to discard


def test_a_never_deployed_model_keeps_its_draft(ctx):
    drafts.create_draft(ctx, "legal_review", "بازبینی حقوقی", "designer", role="expert")
    with pytest.raises(Conflict):
        drafts.discard_draft(ctx, "legal_review", 1, "designer")


def test_persian_digits_in_expressions_are_saved_as_numbers(ctx, approval):
    draft = drafts.get_draft(ctx, "approval")
    xml = draft.files["approval.bpmn"].replace("total &gt; 100", "total &gt; ۱۰۰")
    saved = drafts.save_draft(ctx, "approval", {**draft.files, "approval.bpmn": xml}, 0, "designer")
    assert (
        "total &gt; 100" in saved.files["approval.bpmn"]
        and "total &gt; ۱۰۰" not in saved.files["approval.bpmn"]
    )
    assert 'name="بیش از ۱۰۰"' in saved.files["approval.bpmn"]  # names keep their digits
    assert drafts.check_draft(ctx, "approval") == []


def test_the_studio_checks_every_element_and_never_deploys_a_lint_error(ctx, approval):
    draft = drafts.get_draft(ctx, "approval")
    stray = (
        '<bpmn:userTask id="stray" name="بی‌راه" />'
        '<bpmn:scriptTask id="broken_script"><bpmn:script>if total\n  x = 1</bpmn:script></bpmn:scriptTask>'
    )
    xml = draft.files["approval.bpmn"].replace("</bpmn:process>", stray + "</bpmn:process>")
    saved = drafts.save_draft(ctx, "approval", {**draft.files, "approval.bpmn": xml}, 0, "designer")
    problems = drafts.check_draft(ctx, "approval")
    rules = {(p.element, p.rule) for p in problems}
    assert ("stray", "user-task-lane-and-form") in rules
    assert ("broken_script", "expressions-compile") in rules
    assert ("stray", "diagram-complete") in rules  # the lint's no-bpmndi, on the server
    with pytest.raises(BundleInvalid):
        drafts.deploy_draft(ctx, "approval", saved.revision, "designer", "با خطا")


def test_the_live_lint_checks_unsaved_files(ctx, approval):
    draft = drafts.get_draft(ctx, "approval")
    xml = draft.files["approval.bpmn"].replace("total = amount * 2", "total = amount *")
    problems = drafts.check_files(ctx, "approval", {**draft.files, "approval.bpmn": xml})
    assert [(p.element, p.rule) for p in problems] == [("compute", "expressions-compile")]
    assert drafts.get_draft(ctx, "approval").revision == 0  # nothing saved


def test_a_decision_tried_with_persian_digits_reads_them_as_numbers(ctx):
    from engine.definitions.trial import try_decision

    dmn = (ROOT / "processes" / "coord" / "manager_grade.dmn").read_text(encoding="utf-8")
    assert try_decision(ctx, {"g.dmn": dmn}, "manager_grade", {"total_score": "۹۵"})["grade"] == "A"
    assert try_decision(ctx, {"g.dmn": dmn}, "manager_grade", {"total_score": "۸۰٫۵"})["grade"] == "B"
    # and a cell typed with Persian digits in the editor is read the same way
    typed = dmn.replace("&gt;= 90", "&gt;= ۹۰")
    assert try_decision(ctx, {"g.dmn": typed}, "manager_grade", {"total_score": 95})["grade"] == "A"
