"""Importing files into a draft and exporting a draft: the bridge to Camunda Modeler and other tools.

Import takes BPMN, DMN and form files. Camunda Modeler's own conventions are read on the way in: a form
saved as ``.form`` (Camunda's name for a form-js schema) becomes a ``.json`` form, and a user task's
``camunda:formKey`` (``camunda-forms:deployment:request.form``, ``embedded:app:forms/request.json``,
or a plain name) becomes Ravand's ``formKey`` property. An imported BPMN file that holds the model's
process replaces the main file. Export hands back one file, or every file of the draft in a zip.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping

from lxml import etree

from engine.context import Context
from engine.definitions import drafts
from engine.definitions.model import BPMN, SPIFF, read_model
from engine.definitions.safe_xml import UnsafeXML, parse_xml
from engine.errors import N_, InvalidData, Message, NotFound

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
MAX_FILE_BYTES = 2_000_000


def import_files(
    ctx: Context,
    key: str,
    uploads: Mapping[str, bytes],
    revision: int,
    user: str | None,
    seed: Mapping[str, str] | None = None,
) -> drafts.Draft:
    """Add (or replace) files of the draft of ``key`` from uploads, as one new revision."""
    if not uploads:
        raise InvalidData(field_errors={"files": N_("Choose the files to import.")})
    current = drafts.get_draft(ctx, key, seed)
    files = dict(current.files)
    errors = {}
    for upload_name, content in uploads.items():
        try:
            name, text = _imported(key, upload_name, content, current.main_file)
        except InvalidData as exc:
            errors[upload_name] = exc.field_errors.get("file") or Message(exc.template, exc.params)
            continue
        files[name] = text
    if errors:
        raise InvalidData(field_errors=errors)
    return drafts.save_draft(ctx, key, files, revision, user)


def _imported(key: str, name: str, content: bytes, main: str | None) -> tuple[str, str]:
    """The draft's name and text for one uploaded file."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if len(content) > MAX_FILE_BYTES:
        raise InvalidData(field_errors={"file": N_("The file is larger than 2 MB.")})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidData(field_errors={"file": N_("The file is not UTF-8 text.")}) from None
    if base.endswith(".form"):
        base = base[: -len(".form")] + ".json"
    if base.endswith(".json"):
        try:
            json.loads(text)
        except json.JSONDecodeError:
            raise InvalidData(field_errors={"file": N_("The form is not valid JSON.")}) from None
        return base, text
    if not base.endswith((".bpmn", ".dmn")):
        raise InvalidData(field_errors={"file": N_("Import .bpmn, .dmn and form (.json or .form) files.")})
    try:
        root = parse_xml(text.encode("utf-8"))
    except UnsafeXML as exc:
        raise InvalidData(field_errors={"file": Message(exc.template, exc.params)}) from None
    if base.endswith(".bpmn"):
        if _from_camunda(root):
            text = etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
        if main is not None and key in read_model({base: text}).process_ids():
            base = main  # the model's own process: it replaces the main file
    return base, text


def _form_name(camunda_key: str) -> str:
    """Ravand's form file for a Camunda form key: its last path segment, a ``.form`` read as ``.json``."""
    name = camunda_key.rsplit(":", 1)[-1].rsplit("/", 1)[-1].strip()
    if name.endswith(".form"):
        name = name[: -len(".form")] + ".json"
    return name if name.endswith(".json") else f"{name}.json"


def _from_camunda(root) -> bool:
    """Give every user task or start event with a ``camunda:formKey`` Ravand's formKey property; whether
    anything changed."""
    changed = False
    for element in root.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}startEvent"):
        camunda_key = element.get(f"{{{CAMUNDA}}}formKey")
        if not camunda_key or any(p.get("name") == "formKey" for p in element.iter(f"{{{SPIFF}}}property")):
            continue
        extensions = element.find(f"{{{BPMN}}}extensionElements")
        if extensions is None:
            extensions = etree.Element(f"{{{BPMN}}}extensionElements")
            element.insert(0, extensions)
        properties = extensions.find(f"{{{SPIFF}}}properties")
        if properties is None:
            properties = etree.SubElement(
                extensions, f"{{{SPIFF}}}properties", nsmap={"spiffworkflow": SPIFF}
            )
        etree.SubElement(properties, f"{{{SPIFF}}}property", name="formKey", value=_form_name(camunda_key))
        changed = True
    return changed


def export_file(ctx: Context, key: str, name: str, seed: Mapping[str, str] | None = None) -> str:
    """One file of the draft (or of the model as deployed, if it has no draft)."""
    files = drafts.get_draft(ctx, key, seed).files
    if name not in files:
        raise NotFound(N_("The model '{key}' has no file '{name}'."), key=key, name=name)
    return files[name]


def export_zip(ctx: Context, key: str, seed: Mapping[str, str] | None = None) -> bytes:
    """Every file of the draft in one zip, as Camunda Modeler and other tools open them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(drafts.get_draft(ctx, key, seed).files.items()):
            archive.writestr(name, text)
    return buffer.getvalue()
