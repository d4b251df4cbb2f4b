"""Designer drafts: saved apart from deployed versions, optimistic revisions, templates, copies, deploys."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import show
from engine.definitions import drafts, starters, versions
from engine.errors import BundleInvalid, Conflict, InvalidData, NotFound
from engine.models import ProcessDefinition
from engine.runtime import starting
from tests.conftest import bundle_of


def _files(bundle):
    return {name: content.decode("utf-8") for name, content in bundle.files.items()}


def test_a_deployed_process_opens_as_its_latest_version_until_the_first_save(ctx, approval):
    draft = drafts.get_draft(ctx, "approval")
    assert draft.revision == 0 and draft.latest_version == 1
    assert draft.main_file == "approval.bpmn" and "request.json" in draft.files
    saved = drafts.save_draft(ctx, "approval", draft.files, 0, "designer")
    assert (saved.revision, saved.updated_by, saved.created_by) == (1, "designer", "designer")
    assert saved.name == "Approval request"
    with ctx.db.transaction() as session:
        assert session.scalars(select(ProcessDefinition)).all()[-1].version == 1  # nothing deployed


def test_a_save_over_someone_elses_newer_draft_is_refused(ctx, approval):
    files = drafts.get_draft(ctx, "approval").files
    drafts.save_draft(ctx, "approval", files, 0, "alice")
    drafts.save_draft(ctx, "approval", {**files, "note.json": '{"components": []}'}, 1, "alice")
    with pytest.raises(drafts.DraftConflict) as caught:
        drafts.save_draft(ctx, "approval", files, 1, "bob")
    assert caught.value.params["user"] == "alice" and caught.value.params["revision"] == 2
    assert "note.json" in drafts.get_draft(ctx, "approval").files  # alice's save stands
    with pytest.raises(Conflict):  # two first saves: the second is refused too
        drafts.save_draft(ctx, "approval", files, 0, "bob")


def test_file_names_and_json_are_checked_before_saving(ctx, approval):
    files = drafts.get_draft(ctx, "approval").files
    with pytest.raises(InvalidData) as caught:
        drafts.save_draft(ctx, "approval", {**files, "../evil.bpmn": "x", "bad.json": "{"}, 0, "alice")
    assert set(caught.value.field_errors) == {"../evil.bpmn", "bad.json"}


def test_create_from_the_template_checks_and_deploys_with_who_and_why(ctx):
    draft = drafts.create_draft(ctx, "legal_review", "بازبینی حقوقی", "designer", role="expert")
    assert draft.revision == 1 and draft.name == "بازبینی حقوقی"
    assert drafts.check_draft(ctx, "legal_review") == []
    with pytest.raises(InvalidData):
        drafts.deploy_draft(ctx, "legal_review", 1, "designer", "  ")
    result = drafts.deploy_draft(ctx, "legal_review", 1, "designer", "نسخه نخست")
    assert (result.version, result.created) == (1, True)
    (version,) = versions.versions(ctx, "legal_review")
    assert (version["deployed_by"], version["comment"], version["running"]) == ("designer", "نسخه نخست", 0)
    instance = starting.start(ctx, "legal_review", {}, user="alice", unit="region-01")
    assert versions.versions(ctx, "legal_review")[0]["instances"] == {"running": 1}
    assert show.show(ctx, instance.id)["open_tasks"][0]["element_id"] == "review"


def test_keys_must_be_new_and_well_formed(ctx, approval):
    with pytest.raises(InvalidData):
        drafts.create_draft(ctx, "Bad Key", "x", "designer")
    with pytest.raises(Conflict):
        drafts.create_draft(ctx, "approval", "x", "designer")


def test_deploy_refuses_a_draft_with_problems_and_a_stale_revision(ctx, approval):
    files = drafts.get_draft(ctx, "approval").files
    broken = files["approval.bpmn"].replace('value="decision.json"', 'value="missing.json"')
    drafts.save_draft(ctx, "approval", {**files, "approval.bpmn": broken}, 0, "alice")
    problems = drafts.check_draft(ctx, "approval")
    assert [(p.element, "missing.json" in p.text) for p in problems] == [("approve", True)]
    with pytest.raises(BundleInvalid):
        drafts.deploy_draft(ctx, "approval", 1, "alice", "fix")
    with pytest.raises(drafts.DraftConflict):
        drafts.deploy_draft(ctx, "approval", 0, "alice", "fix")
    assert [v["version"] for v in versions.versions(ctx, "approval")] == [1]


def test_copy_renames_the_process_and_archive_hides_it_at_the_end(ctx, approval):
    copy = drafts.copy_draft(ctx, "approval", "approval_copy", "designer")
    assert (
        copy.main_file == "approval_copy.bpmn" and 'processRef="approval_copy"' in copy.files[copy.main_file]
    )
    assert drafts.check_draft(ctx, "approval_copy") == []
    starters.set_archived(ctx, "approval", True, "designer")
    models = drafts.list_models(ctx, {"from_catalog": "از فهرست"})
    assert [(m.key, m.archived) for m in models] == [
        ("approval_copy", False),
        ("from_catalog", False),
        ("approval", True),
    ]
    starters.set_archived(ctx, "approval", False, "designer")
    assert not drafts.get_draft(ctx, "approval").archived


def test_a_catalog_model_without_deployment_opens_from_its_seed(ctx):
    seed = _files(bundle_of("approval"))
    draft = drafts.get_draft(ctx, "approval", seed)
    assert draft.revision == 0 and draft.latest_version is None and draft.name == "Approval request"
    with pytest.raises(NotFound):
        drafts.get_draft(ctx, "approval")
    with pytest.raises(NotFound):
        versions.version_files(ctx, "approval", 1)
