"""The designer's drafts: process models being edited, saved apart from the deployed versions.

A draft holds every file of a bundle (the main BPMN file, the BPMN files of the processes it calls,
its DMN files and forms) as text. A model that has no draft yet is shown from its latest deployed
version (or from the catalog files the caller supplies); the first save creates the draft, and
discarding it goes back to the deployed version.

Saves are optimistic: each names the revision it started from, and a save over a newer revision
(someone else saved meanwhile) raises ``DraftConflict`` naming who and when, never overwriting. Every
save writes the Persian digits of expressions as Latin digits (a due time «۳» is the number 3). The
studio's checks and deploys run the deploy rules together with those of the studio's lint.
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

from engine.context import Context
from engine.definitions import starters
from engine.definitions.bundle import Bundle, file_kind
from engine.definitions.catalog import CatalogEntry
from engine.definitions.deployment import DeployResult, deploy
from engine.definitions.deployment import check as check_bundle
from engine.definitions.expressions import with_latin_digits
from engine.definitions.model import read_model
from engine.definitions.safe_xml import parse_xml
from engine.definitions.template import template_files
from engine.errors import N_, Conflict, InvalidData, NotFound, Problem
from engine.models import ProcessDefinition, ProcessDraft, Role

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,120}$")


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
    return read_model(files).process_file(key)


def process_name(key: str, files: Mapping[str, str]) -> str:
    return read_model(files).process_name(key) or key


# --- reading ------------------------------------------------------------------------------------------


def list_models(ctx: Context, seeds: Mapping[str, str] | None = None) -> list[ModelSummary]:
    """Every model: deployed, drafted, or offered by the catalog (``seeds``: key → name)."""
    with ctx.db.read() as session:
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
        for key in starters.archived_keys(session):
            if key in models:
                models[key].archived = True
        return sorted(models.values(), key=lambda m: (m.archived, m.key))


def get_draft(ctx: Context, key: str, seed: Mapping[str, str] | None = None) -> Draft:
    """The draft of ``key``; without one, the latest deployed version's files (else ``seed``'s)."""
    with ctx.db.read() as session:
        return _draft_in(session, key, seed)


def _draft_in(session: Session, key: str, seed: Mapping[str, str] | None = None) -> Draft:
    latest = session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
    )
    latest_version = latest.version if latest is not None else None
    archived = key in starters.archived_keys(session)
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
            archived=archived,
            latest_version=latest_version,
        )
    if latest is not None:
        files = {f.name: f.content for f in latest.files}
        return Draft(key, latest.name, files, archived=archived, latest_version=latest_version)
    if seed:
        return Draft(key, process_name(key, seed), dict(seed), archived=archived)
    raise NotFound(N_("There is no process model '{key}'."), key=key)


def _roles(session: Session) -> list[dict]:
    return [
        {"code": r.code, "name_fa": r.name_fa, "name_en": r.name_en}
        for r in session.scalars(select(Role).order_by(Role.code))
    ]


def role_choices(ctx: Context) -> list[dict]:
    """The roles lanes and starters may name."""
    with ctx.db.read() as session:
        return _roles(session)


def studio(
    ctx: Context,
    key: str,
    seed: Mapping[str, str] | None = None,
    catalog: Mapping[str, CatalogEntry] | None = None,
) -> dict:
    """What the studio loads: the draft, the roles lanes and starters may name, the processes a call
    activity may call (deployed, drafted or in the catalog), the draft's decisions, and who may start it."""
    draft = get_draft(ctx, key, seed)
    with ctx.db.read() as session:
        roles = _roles(session)
        processes = sorted(
            set(session.scalars(select(ProcessDefinition.key)).all())
            | set(session.scalars(select(ProcessDraft.key)).all())
            | set(catalog or ())
        )
    return {
        "draft": draft.to_dict(),
        "roles": roles,
        "processes": processes,
        "decisions": sorted(set(read_model(draft.files).decision_ids())),
        "access": starters.access(ctx, key, catalog).to_dict(),
    }


# --- writing ------------------------------------------------------------------------------------------


def save_draft(ctx: Context, key: str, files: Mapping[str, str], revision: int, user: str | None) -> Draft:
    """Save the files as the next revision of the draft, if nobody saved since ``revision``."""
    check_file_names(files)
    with ctx.db.transaction() as session:
        return _save(session, key, files, revision, user, ctx.clock.now())


def _save(
    session: Session, key: str, files: Mapping[str, str], revision: int, user: str | None, now: datetime
) -> Draft:
    files = with_latin_digits(files)
    row = _locked_row(session, key)
    if (row is None and revision != 0) or (row is not None and row.revision != revision):
        _raise_conflict(session, key, row)
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
    """A new model from the template: a pool with one lane, a start, one user task with its form, an end.
    The holders of the lane's role may start it until a designer says otherwise."""
    _check_new_key(ctx, key)
    if not name.strip():
        raise InvalidData(field_errors={"name": N_("Give the process a name.")})
    with ctx.db.transaction() as session:
        draft = _save(session, key, template_files(key, name.strip(), role), 0, user, ctx.clock.now())
        starters.write_starters(session, key, [role], user, ctx.clock.now())
        return draft


def copy_draft(
    ctx: Context,
    source: str,
    key: str,
    user: str | None,
    seed: Mapping[str, str] | None = None,
    catalog: Mapping[str, CatalogEntry] | None = None,
) -> Draft:
    """A new model with a copy of ``source``'s files (the main process takes the new key as its id) and
    the same starters."""
    _check_new_key(ctx, key)
    original = get_draft(ctx, source, seed)
    files = dict(original.files)
    main = original.main_file
    if main is None:
        raise InvalidData(N_("The model '{key}' has no main BPMN file."), key=source)
    files.pop(main)
    files[f"{key}.bpmn"] = _rekey(files_text=original.files[main], old=source, new=key)
    copied = list(starters.access(ctx, source, catalog).starters)
    with ctx.db.transaction() as session:
        draft = _save(session, key, files, 0, user, ctx.clock.now())
        starters.write_starters(session, key, copied, user, ctx.clock.now())
        return draft


def discard_draft(ctx: Context, key: str, revision: int, user: str | None) -> Draft:
    """Throw the draft away: the model is its latest deployed version again. ``revision`` is the draft the
    designer is looking at; a newer one (someone else's) is not discarded unseen."""
    with ctx.db.transaction() as session:
        row = _locked_row(session, key)
        if row is None:
            raise Conflict(N_("There is no draft of '{key}' to discard."), key=key)
        if row.revision != revision:
            _raise_conflict(session, key, row)
        deployed = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key))
        if deployed is None:
            raise Conflict(N_("'{key}' was never deployed: there is no version to go back to."), key=key)
        session.delete(row)
        session.flush()
        return _draft_in(session, key)


def check_draft(ctx: Context, key: str, seed: Mapping[str, str] | None = None) -> list[Problem]:
    """The engine's deploy-time checks and the studio's lint on the draft, without saving anything."""
    return check_bundle(ctx, get_draft(ctx, key, seed).bundle(), studio=True)


def check_files(ctx: Context, key: str, files: Mapping[str, str]) -> list[Problem]:
    """The same checks on files not saved yet (the studio's live lint sends what is in the editor)."""
    check_file_names(files)
    bundle = Bundle(key, {name: text.encode("utf-8") for name, text in with_latin_digits(files).items()})
    return check_bundle(ctx, bundle, studio=True)


def deploy_draft(ctx: Context, key: str, revision: int, user: str | None, comment: str) -> DeployResult:
    """Deploy the draft as the next version, recording who and why; only if every check passes, the
    studio's lint included.

    ``revision`` is the draft revision the designer is looking at: a newer one is not deployed unseen.
    """
    if not (comment or "").strip():
        raise InvalidData(field_errors={"comment": N_("Say why you deploy this version.")})
    draft = get_draft(ctx, key)
    if draft.revision != revision:
        with ctx.db.read() as session:
            _raise_conflict(session, key, session.scalar(select(ProcessDraft).where(ProcessDraft.key == key)))
    return deploy(ctx, draft.bundle(), user=user, comment=comment.strip(), studio=True)


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
        at=row.updated_at,  # shown in the reader's calendar and digits
        revision=row.revision,
    )


def check_file_names(files: Mapping[str, str]) -> None:
    """Refuse file names that are not plain, files that are not text, forms that are not JSON."""
    errors = {}
    for name, text in files.items():
        if not FILE_NAME.match(name) or file_kind(name) is None:
            errors[name] = N_(
                "A file name may hold only Latin letters, digits, '_', '-' "
                "and '.', and end in .bpmn, .dmn or .json."
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
    with ctx.db.read() as session:
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
