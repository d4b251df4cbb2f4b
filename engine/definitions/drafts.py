"""The designer's drafts: process models being edited, saved apart from the deployed versions.

A draft holds every file of a bundle (the main BPMN file, the BPMN files of the processes it calls,
its DMN files and forms) as text. A model that has no draft yet is shown from its latest deployed
version (or from the catalog files the caller supplies); the first save creates the draft.

Saves are optimistic: each names the revision it started from, and a save over a newer revision
(someone else saved meanwhile) raises ``DraftConflict`` naming who and when, never overwriting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.calendar.jalali import to_jalali_str
from engine.context import Context
from engine.definitions.bundle import Bundle, file_kind
from engine.definitions.deployment import DeployResult, deploy
from engine.definitions.deployment import check as check_bundle
from engine.definitions.safe_xml import UnsafeXML, parse_xml
from engine.errors import N_, Conflict, InvalidData, NotFound, Problem
from engine.models import DefinitionFile, ProcessDefinition, ProcessDraft, ProcessInstance, utcnow

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,120}$")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
INSTRUCTIONS = "درخواست را بررسی و نتیجه را ثبت کنید."


class DraftConflict(Conflict):
    code = "draft_conflict"
    template = N_(
        "{user} saved this draft at {at} (revision {revision}) after you opened it; "
        "reload it to see their changes before saving yours."
    )


@dataclass
class Draft:
    """A model as the designer sees it; ``revision`` 0 means nothing is saved yet (it shows a version)."""

    key: str
    name: str
    files: dict[str, str]
    revision: int = 0
    created_by: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
    archived: bool = False
    latest_version: int | None = None

    @property
    def main_file(self) -> str | None:
        return main_bpmn_file(self.key, self.files)

    def bundle(self) -> Bundle:
        return Bundle(self.key, {name: text.encode("utf-8") for name, text in self.files.items()})

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "files": self.files,
            "main": self.main_file,
            "revision": self.revision,
            "created_by": self.created_by,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "archived": self.archived,
            "latest_version": self.latest_version,
        }


@dataclass
class ModelSummary:
    key: str
    name: str
    latest_version: int | None = None
    deployed_at: datetime | None = None
    draft_revision: int = 0
    draft_by: str | None = None
    draft_at: datetime | None = None
    archived: bool = False


def main_bpmn_file(key: str, files: Mapping[str, str]) -> str | None:
    """The BPMN file that holds the process ``key``."""
    pattern = re.compile(r"<(?:\w+:)?process\b[^>]*?\bid=\"" + re.escape(key) + '"')
    return next((n for n in sorted(files) if n.endswith(".bpmn") and pattern.search(files[n])), None)


def process_name(key: str, files: Mapping[str, str]) -> str:
    main = main_bpmn_file(key, files)
    if main is None:
        return key
    try:
        tree = parse_xml(files[main].encode("utf-8"))
    except UnsafeXML:
        return key
    found = tree.xpath("//*[local-name()='process' and @id=$key]/@name", key=key)
    return str(found[0]) if found else key


# --- reading ------------------------------------------------------------------------------------------


def list_models(ctx: Context, seeds: Mapping[str, str] | None = None) -> list[ModelSummary]:
    """Every model: deployed, drafted, or offered by the catalog (``seeds``: key → name)."""
    with ctx.db.transaction() as session:
        models: dict[str, ModelSummary] = {
            key: ModelSummary(key, name) for key, name in (seeds or {}).items()
        }
        latest_ids = select(func.max(ProcessDefinition.id)).group_by(ProcessDefinition.key)
        for definition in session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.id.in_(latest_ids))
        ):
            model = models.setdefault(definition.key, ModelSummary(definition.key, definition.name))
            model.name = definition.name or model.name
            model.latest_version = definition.version
            model.deployed_at = definition.deployed_at
        for draft in session.scalars(select(ProcessDraft)):
            model = models.setdefault(draft.key, ModelSummary(draft.key, draft.name))
            model.name = draft.name or model.name
            model.draft_revision = draft.revision
            model.draft_by, model.draft_at = draft.updated_by, draft.updated_at
            model.archived = draft.archived_at is not None
        return sorted(models.values(), key=lambda m: (m.archived, m.key))


def get_draft(ctx: Context, key: str, seed: Mapping[str, str] | None = None) -> Draft:
    """The draft of ``key``; without one, the latest deployed version's files (else ``seed``'s)."""
    with ctx.db.transaction() as session:
        return _draft_in(session, key, seed)


def _draft_in(session: Session, key: str, seed: Mapping[str, str] | None = None) -> Draft:
    latest = session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
    )
    latest_version = latest.version if latest is not None else None
    row = session.scalar(select(ProcessDraft).where(ProcessDraft.key == key))
    if row is not None:
        return Draft(
            key=row.key,
            name=row.name,
            files=dict(row.files),
            revision=row.revision,
            created_by=row.created_by,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
            archived=row.archived_at is not None,
            latest_version=latest_version,
        )
    if latest is not None:
        files = {f.name: f.content for f in latest.files}
        return Draft(key, latest.name, files, latest_version=latest_version)
    if seed:
        return Draft(key, process_name(key, seed), dict(seed))
    raise NotFound(N_("There is no process model '{key}'."), key=key)


def version_files(ctx: Context, key: str, version: int) -> dict[str, str]:
    """The files of one deployed version."""
    with ctx.db.transaction() as session:
        rows = session.scalars(
            select(DefinitionFile)
            .join(ProcessDefinition)
            .where(ProcessDefinition.key == key, ProcessDefinition.version == version)
        ).all()
        if not rows:
            raise NotFound(N_("Version {version} of '{key}' does not exist."), key=key, version=version)
        return {f.name: f.content for f in rows}


def versions(ctx: Context, key: str) -> list[dict]:
    """The version history of a process: who deployed each version, when, why, and its instances by status."""
    with ctx.db.transaction() as session:
        counts: dict[int, dict[str, int]] = {}
        for definition_id, status, count in session.execute(
            select(ProcessInstance.definition_id, ProcessInstance.status, func.count())
            .where(ProcessInstance.process_key == key)
            .group_by(ProcessInstance.definition_id, ProcessInstance.status)
        ):
            counts.setdefault(definition_id, {})[status] = count
        return [
            {
                "id": d.id,
                "version": d.version,
                "name": d.name,
                "deployed_at": d.deployed_at,
                "deployed_by": d.deployed_by,
                "comment": d.comment,
                "instances": counts.get(d.id, {}),
                "running": sum(
                    n for s, n in counts.get(d.id, {}).items() if s in ("running", "incident", "suspended")
                ),
            }
            for d in session.scalars(
                select(ProcessDefinition)
                .where(ProcessDefinition.key == key)
                .order_by(ProcessDefinition.version.desc())
            )
        ]


# --- writing ------------------------------------------------------------------------------------------


def save_draft(ctx: Context, key: str, files: Mapping[str, str], revision: int, user: str | None) -> Draft:
    """Save the files as the next revision of the draft, if nobody saved since ``revision``."""
    _check_files(files)
    with ctx.db.transaction() as session:
        row = _locked_row(session, key)
        if (row is None and revision != 0) or (row is not None and row.revision != revision):
            _raise_conflict(session, key, row)
        now = utcnow()
        if row is None:
            row = ProcessDraft(key=key, created_by=user, created_at=now, revision=0)
            session.add(row)
        row.files = dict(files)
        row.name = process_name(key, files)
        row.revision += 1
        row.updated_by, row.updated_at = user, now
        try:
            session.flush()
        except IntegrityError as exc:  # another first save of the same key won the race
            raise Conflict(N_("This was changed by someone else; reload and try again.")) from exc
        return _draft_in(session, key)


def create_draft(ctx: Context, key: str, name: str, user: str | None, role: str = "coord_expert") -> Draft:
    """A new model from the template: a pool with one lane, a start, one user task with its form, an end."""
    _check_new_key(ctx, key)
    if not name.strip():
        raise InvalidData(field_errors={"name": N_("Give the process a name.")})
    return save_draft(ctx, key, template_files(key, name.strip(), role), 0, user)


def copy_draft(
    ctx: Context, source: str, key: str, user: str | None, seed: Mapping[str, str] | None = None
) -> Draft:
    """A new model with a copy of ``source``'s files; the main process takes the new key as its id."""
    _check_new_key(ctx, key)
    original = get_draft(ctx, source, seed)
    files = dict(original.files)
    main = original.main_file
    if main is None:
        raise InvalidData(N_("The model '{key}' has no main BPMN file."), key=source)
    files.pop(main)
    files[f"{key}.bpmn"] = _rekey(files_text=original.files[main], old=source, new=key)
    return save_draft(ctx, key, files, 0, user)


def set_archived(ctx: Context, key: str, archived: bool, user: str | None) -> None:
    """Archive a model (hidden from the list's top, deployed versions keep running), or bring it back."""
    with ctx.db.transaction() as session:
        row = _locked_row(session, key)
        if row is None:
            draft = _draft_in(session, key)
            row = ProcessDraft(
                key=key, name=draft.name, files=draft.files, revision=1, created_by=user, updated_by=user
            )
            session.add(row)
        row.archived_at, row.archived_by = (utcnow(), user) if archived else (None, None)


def check_draft(ctx: Context, key: str, seed: Mapping[str, str] | None = None) -> list[Problem]:
    """The engine's deploy-time checks on the draft, without saving anything."""
    return check_bundle(ctx, get_draft(ctx, key, seed).bundle())


def deploy_draft(ctx: Context, key: str, revision: int, user: str | None, comment: str) -> DeployResult:
    """Deploy the draft as the next version, recording who and why; only if every check passes.

    ``revision`` is the draft revision the designer is looking at: a newer one is not deployed unseen.
    """
    if not (comment or "").strip():
        raise InvalidData(field_errors={"comment": N_("Say why you deploy this version.")})
    draft = get_draft(ctx, key)
    if draft.revision != revision:
        with ctx.db.transaction() as session:
            _raise_conflict(session, key, session.scalar(select(ProcessDraft).where(ProcessDraft.key == key)))
    return deploy(ctx, draft.bundle(), user=user, comment=comment.strip())


# --- helpers ------------------------------------------------------------------------------------------


def _locked_row(session: Session, key: str) -> ProcessDraft | None:
    return session.scalar(
        select(ProcessDraft)
        .where(ProcessDraft.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _raise_conflict(session: Session, key: str, row: ProcessDraft | None) -> None:
    if row is None:
        raise Conflict(N_("The draft of '{key}' was removed; reload the page."), key=key)
    raise DraftConflict(
        user=row.updated_by or "?",
        at=to_jalali_str(row.updated_at, with_time=True, persian_digits=False),
        revision=row.revision,
    )


def _check_files(files: Mapping[str, str]) -> None:
    errors = {}
    for name, text in files.items():
        if not FILE_NAME.match(name) or file_kind(name) is None:
            errors[name] = N_(
                "A file name may hold only Latin letters, digits, '_', '-' and '.', "
                "and end in .bpmn, .dmn or .json."
            )
        elif not isinstance(text, str):
            errors[name] = N_("The file's content must be text.")
        elif name.endswith(".json"):
            try:
                json.loads(text)
            except json.JSONDecodeError:
                errors[name] = N_("The form is not valid JSON.")
    if not any(name.endswith(".bpmn") for name in files):
        errors["files"] = N_("A process model needs a BPMN file.")
    if errors:
        raise InvalidData(field_errors=errors)


def _check_new_key(ctx: Context, key: str) -> None:
    if not KEY_PATTERN.match(key or ""):
        raise InvalidData(
            field_errors={
                "key": N_("The key is 3-64 lowercase Latin letters, digits and '_', starting with a letter.")
            }
        )
    with ctx.db.transaction() as session:
        taken = session.scalar(select(ProcessDraft.id).where(ProcessDraft.key == key)) or session.scalar(
            select(ProcessDefinition.id).where(ProcessDefinition.key == key)
        )
    if taken:
        raise Conflict(N_("A process with the key '{key}' already exists."), key=key)


def _rekey(files_text: str, old: str, new: str) -> str:
    """The main BPMN file with the process id ``old`` (and every reference to it) renamed to ``new``."""
    tree = parse_xml(files_text.encode("utf-8"))
    for element in tree.iter():
        for attribute, value in element.attrib.items():
            if value == old:
                element.set(attribute, new)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def template_files(key: str, name: str, role: str) -> dict[str, str]:
    """The files of a new process: laid out, with a lane naming ``role`` and a first form."""
    form_name = f"{key}_request.json"
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  id="{key}_definitions" targetNamespace="http://ravand.tehran.ir/bpmn">
  <bpmn:collaboration id="{key}_collaboration">
    <bpmn:participant id="{key}_participant" name="{_xml(name)}" processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{_xml(name)}" isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">
      <bpmn:lane id="lane_{role}" name="{role}">
        <bpmn:flowNodeRef>started</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="started" name="شروع">
      <bpmn:outgoing>f_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="review" name="بررسی درخواست">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>{INSTRUCTIONS}</spiffworkflow:instructionsForEndUser>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="{form_name}" />
          <spiffworkflow:property name="dueInWorkingDays" value="3" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_start</bpmn:incoming>
      <bpmn:outgoing>f_reviewed</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="done" name="پایان">
      <bpmn:incoming>f_reviewed</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="started" targetRef="review" />
    <bpmn:sequenceFlow id="f_reviewed" sourceRef="review" targetRef="done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}_collaboration">
      <bpmndi:BPMNShape id="{key}_participant_di" bpmnElement="{key}_participant" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="lane_{role}_di" bpmnElement="lane_{role}" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="started_di" bpmnElement="started">
        <dc:Bounds x="212" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review">
        <dc:Bounds x="350" y="140" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="done_di" bpmnElement="done">
        <dc:Bounds x="562" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f_start_di" bpmnElement="f_start">
        <di:waypoint x="248" y="180" />
        <di:waypoint x="350" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_reviewed_di" bpmnElement="f_reviewed">
        <di:waypoint x="450" y="180" />
        <di:waypoint x="562" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    form = {
        "type": "default",
        "id": f"{key}_request",
        "schemaVersion": 16,
        "components": [
            {
                "type": "textarea",
                "key": "review_note",
                "label": "نتیجه بررسی",
                "validate": {"required": True},
            },
        ],
    }
    return {f"{key}.bpmn": bpmn, form_name: json.dumps(form, ensure_ascii=False, indent=2)}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
