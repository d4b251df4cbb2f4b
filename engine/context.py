"""What every engine service needs: the database, the clock, the calendar, the script engine, the
catalog and the caches."""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.script_helpers import script_helpers
from engine.calendar.working import WorkingCalendar
from engine.clock import SYSTEM, Clock
from engine.db import Database
from engine.definitions.bundle import Bundle
from engine.definitions.catalog import PROCESSES_DIR, CatalogEntry, load_catalog
from engine.definitions.parsing import ParsedBundle, parse_bundle
from engine.duties.helpers import duty_helpers
from engine.models import CalendarClosure, DefinitionFile, ProcessDefinition, Role
from engine.sandbox.scripting import SandboxedScriptEngine, make_script_engine


class WorkflowCache:
    """Deserialized workflows keyed by (instance id, state version), handed out once.

    A workflow is taken out when an instance is loaded and put back only after the transaction that
    saved it has committed, so a rolled-back change can never be served from the cache.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, int], BpmnWorkflow] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int, version: int) -> BpmnWorkflow | None:
        with self._lock:
            return self._items.pop((instance_id, version), None)

    def put(self, instance_id: int, version: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._items[(instance_id, version)] = workflow
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass
class Context:
    """One per process (the web app, a worker, the CLI); shared by its threads.

    The working calendar holds the administrators' closures: it is read from the database when first
    needed and again when it is older than ``calendar_ttl`` seconds, so a closure added by another
    process changes the due dates this one computes without a restart.
    """

    db: Database
    clock: Clock = SYSTEM
    thursday: str = field(default_factory=lambda: os.environ.get("RAVAND_THURSDAY", "off"))
    catalog_path: Path = PROCESSES_DIR
    calendar_ttl: float = 60.0
    script_engine: SandboxedScriptEngine | None = None
    workflows: WorkflowCache = field(default_factory=WorkflowCache)
    _specs: dict[int, ParsedBundle] = field(default_factory=dict)
    _roles: dict[str, str] = field(default_factory=dict)
    _forms: dict[tuple[int, str], dict | None] = field(default_factory=dict)
    _calendar: WorkingCalendar | None = None
    _calendar_read_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.script_engine is None:
            helpers = script_helpers(lambda: self.calendar) | duty_helpers(self.db, lambda: self.calendar)
            self.script_engine = make_script_engine(helpers)

    @property
    def calendar(self) -> WorkingCalendar:
        read_at = self._calendar_read_at
        if read_at is None or (self.clock.now() - read_at).total_seconds() > self.calendar_ttl:
            self.refresh_calendar()
        return self._calendar

    def refresh_calendar(self) -> None:
        """Read the administrators' extra closures into the working calendar now."""
        with self.db.read() as session:
            closures = session.scalars(select(CalendarClosure.day)).all()
        self._calendar = WorkingCalendar(thursday=self.thursday, extra_closures=closures)
        self._calendar_read_at = self.clock.now()

    @property
    def catalog(self) -> dict[str, CatalogEntry]:
        """The process catalog (``processes/catalog.yaml``, or the file or folder ``catalog_path``)."""
        return load_catalog(self.catalog_path) if self.catalog_path.exists() else {}

    def departments(self) -> dict[str, str]:
        """Process key → department code, from the catalog."""
        return {key: entry.department for key, entry in self.catalog.items() if entry.department}

    def parsed(self, session: Session, definition_id: int) -> ParsedBundle:
        """The specs of a deployed definition, parsed once per process (definitions never change)."""
        parsed = self._specs.get(definition_id)
        if parsed is None:
            definition = session.get(ProcessDefinition, definition_id)
            rows = session.scalars(
                select(DefinitionFile).where(DefinitionFile.definition_id == definition_id)
            )
            bundle = Bundle(
                definition.key, {f.name: f.content.encode("utf-8") for f in rows if f.kind != "form"}
            )
            parsed = parse_bundle(bundle, validate=False)
            self._specs[definition_id] = parsed
        return parsed

    def form(self, session: Session, definition_id: int, form_key: str) -> dict | None:
        """A form as snapshotted with its definition version (cached: versions never change)."""
        key = (definition_id, form_key)
        if key not in self._forms:
            content = session.scalar(
                select(DefinitionFile.content).where(
                    DefinitionFile.definition_id == definition_id, DefinitionFile.name == form_key
                )
            )
            self._forms[key] = json.loads(content) if content is not None else None
        return self._forms[key]

    def role_for_lane(self, session: Session, lane: str | None) -> str | None:
        """The role code a lane names: by code, or by its Persian or English name."""
        if lane is None:
            return None
        if lane not in self._roles:
            for role in session.scalars(select(Role)):
                for name in (role.code, role.name_fa, role.name_en):
                    self._roles[name.strip()] = role.code
        return self._roles.get(lane.strip())

    def forget_roles(self) -> None:
        self._roles.clear()
