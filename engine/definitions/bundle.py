"""A deployable bundle: one main BPMN process with the BPMN, DMN and form files it needs.

A bundle is identified by its process key (the id of its main BPMN process) and its content hash;
the same content is the same version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from engine.definitions.model import BundleModel, read_model

FILE_KINDS = {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}


def file_kind(name: str) -> str | None:
    return next((kind for suffix, kind in FILE_KINDS.items() if name.endswith(suffix)), None)


@dataclass
class Bundle:
    key: str
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name] + b"\0")
        return digest.hexdigest()

    def names(self, kind: str) -> list[str]:
        return sorted(n for n in self.files if file_kind(n) == kind)

    @property
    def forms(self) -> dict[str, bytes]:
        return {n: self.files[n] for n in self.names("form")}


def collect_bundles(paths: list[Path], forms_root: Path | None = None) -> list[Bundle]:
    """Assemble one bundle per main BPMN file found under ``paths``.

    Each process of a BPMN file is a bundle's main process; a process that others call travels with
    its callers too (it may also be started on its own, as crisis communication is). Each bundle takes
    the BPMN files of the processes it calls, the DMN files of the decisions it names, and its forms:
    the ``.json`` files beside its BPMN file and those in ``<forms_root>/<key>/`` (``forms/`` beside
    the ``processes/`` folder by default). A file that is not well-formed XML is a bundle of its own,
    keyed by its name, so that the check reports it at its line.
    """
    bpmn_files = sorted({f for p in paths for f in _walk(p, ".bpmn")})
    dmn_files = sorted({f for p in paths for f in _walk(p, ".dmn")})
    contents = {f: f.read_bytes() for f in bpmn_files + dmn_files}
    model = read_model({str(f): content for f, content in contents.items()})
    owner = {pid: f for f in bpmn_files if str(f) in model.bpmn_files for pid in model.process_ids(str(f))}
    decisions = {d: f for f in dmn_files if str(f) in model.dmn_files for d in model.decision_ids(str(f))}
    bundles = [Bundle(f.stem, {f.name: contents[f]}) for f in bpmn_files if str(f) in model.unreadable]
    for main in (f for f in bpmn_files if str(f) in model.bpmn_files):
        members = _called_closure(main, model, owner)
        for key in model.process_ids(str(main)):
            bundle = Bundle(key)
            for f in members:
                bundle.files[f.name] = contents[f]
                for ref in model.decision_refs(str(f)):
                    if (dmn := decisions.get(ref)) is not None:
                        bundle.files[dmn.name] = contents[dmn]
                for pid in model.process_ids(str(f)):
                    for form in _forms_for(f, pid, forms_root):
                        bundle.files.setdefault(form.name, form.read_bytes())
            bundles.append(bundle)
    return bundles


def _walk(path: Path, suffix: str) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix == suffix else []
    return sorted(path.rglob(f"*{suffix}"))


def _called_closure(main: Path, model: BundleModel, owner: dict[str, Path]) -> list[Path]:
    seen, queue = [main], [main]
    while queue:
        for ref in model.called_elements(str(queue.pop())):
            target = owner.get(ref)
            if target is not None and target not in seen:
                seen.append(target)
                queue.append(target)
    return seen


def _forms_for(main: Path, key: str, forms_root: Path | None) -> list[Path]:
    roots = [main.parent]
    default_root = next((p.parent / "forms" for p in main.resolve().parents if p.name == "processes"), None)
    for root in (forms_root, default_root):
        if root is not None:
            roots.append(root / key)
    # ``<form>.en.json`` is the form's English text overlay, not a form of its own.
    return [
        f
        for root in roots
        if root.is_dir()
        for f in sorted(root.glob("*.json"))
        if not f.name.endswith(".en.json")
    ]
