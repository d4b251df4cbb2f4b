"""Starting a case: the one service behind the start page, the API, the public forms and ``ravand start``.

It decides who may start which process (the catalog's starters), validates the data against the
start form, chooses the case's unit, stores the files sent with it, and answers with the first
steps that are the starter's own — all in one transaction, so a case never exists half-made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.attachments import AttachmentStore, attach_in_session, check_file
from engine.cases.show import task_dict
from engine.context import Context
from engine.definitions.catalog import CatalogEntry
from engine.definitions.deployment import latest
from engine.definitions.forms import validate_submission
from engine.definitions.starters import offered_for_walk_in, offered_to
from engine.errors import N_, FieldErrors, Forbidden, InvalidData, Message, NotFound
from engine.models import OrgUnit
from engine.org.actors import Actor, load_actor
from engine.runtime.starting import start_in_session, unit_id_of


@dataclass(frozen=True)
class Started:
    """The new case; ``open_steps`` names every step it waits at, ``next_tasks`` are the starter's own."""

    instance_id: int
    process_key: str
    title: str | None
    business_key: str | None
    status: str
    tracking_code: str | None
    started_by: str | None
    started_at: datetime
    open_steps: list[str] = field(default_factory=list)
    next_tasks: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class StartRequest:
    """What starting a case needs. ``public``: a request from outside (no user; the process must be
    public; the unit is the one its form asks for). With ``user``: staff, who must hold one of the
    process's starter roles, unless ``on_behalf`` (the engine's operator, the CLI, starts it for
    them). ``walk_in``: staff start a public process for a citizen at the counter (a role of the
    catalog's ``walk_in``); the case is public, with a tracking code to hand over, and records who
    registered it. ``files`` are ``(form field, file name, content)`` triples kept with the case."""

    key: str
    data: dict = field(default_factory=dict)
    user: str | None = None
    unit: str | None = None
    business_key: str | None = None
    title: str | None = None
    files: tuple[tuple[str, str, bytes], ...] = ()
    public: bool = False
    on_behalf: bool = False
    walk_in: bool = False


def start_process(ctx: Context, request: StartRequest, store: AttachmentStore | None = None) -> Started:
    """Start the latest version of the process and return the case with the first steps that are the
    starter's own. The data are validated against the start form whenever the catalog names one; a
    bad file and bad fields are reported together, and nothing is saved."""
    errors = FieldErrors()
    checked = []
    for form_field, name, content in request.files:
        try:
            checked.append((form_field, name, content, check_file(store, name, content)))
        except InvalidData as exc:
            errors.add(form_field, Message(exc.template, exc.params))
    written: list[Path] = []
    try:
        with ctx.db.transaction() as session:
            return _start(ctx, session, request, errors, checked, store, written)
    except Exception:
        for path in written:  # the case was not saved: neither are its files
            path.unlink(missing_ok=True)
        raise


def _start(ctx, session, request: StartRequest, errors: FieldErrors, checked, store, written) -> Started:
    now = ctx.clock.now()
    actor = load_actor(session, request.user, now) if request.user is not None else None
    checked_user = actor is not None and not request.on_behalf
    definition = _latest_or_404(session, request.key)
    entry = ctx.catalog.get(request.key)
    if request.walk_in:
        if actor is None:
            raise Forbidden(N_("You may not start this process for a citizen."))
        process = next((p for p in offered_for_walk_in(ctx, session, actor) if p.key == request.key), None)
        if process is None:
            raise Forbidden(N_("You may not start this process for a citizen."))
        form, public = process.form, True
    elif request.public or checked_user:
        offered = offered_to(ctx, session, actor if checked_user else None)
        process = next((p for p in offered if p.key == request.key), None)
        if process is None and request.public:
            raise NotFound(N_("No process '{key}' is deployed."), key=request.key)
        if process is None:
            raise Forbidden(N_("You may not start this process."))
        form, public = process.form, process.public
    else:  # the engine's operator starts what is deployed, with the catalog's start form
        form = ctx.form(session, definition.id, entry.start_form) if entry and entry.start_form else None
        public = bool(entry and entry.is_public)
    cleaned = dict(request.data)
    if form is not None:
        try:
            cleaned = validate_submission(form, request.data, ctx.clock.now())
        except InvalidData as exc:
            for name, message in exc.field_errors.items():
                errors.add(name, message)
    errors.raise_if_any()
    unit = request.unit
    if request.public or request.walk_in:
        unit = _unit_asked_for(session, cleaned)
    elif unit is None and actor is not None:
        unit = _starter_unit(actor, entry)
    step = start_in_session(
        ctx,
        session,
        definition,
        cleaned,
        request.user,
        unit_id_of(session, unit),
        request.business_key,
        request.title,
        public=request.public or public,
    )
    instance = step.instance
    written += attach_in_session(session, store, instance.id, checked, None, now)
    opened = [SimpleNamespace(completed_by=None, **row) for row in step.opened]
    return Started(
        instance.id,
        instance.process_key,
        instance.title,
        instance.business_key,
        instance.status,
        instance.tracking_code,
        instance.started_by,
        instance.started_at,
        [task.name for task in opened],
        [task_dict(task) for task in opened if actor is not None and actor.may_work_on(task)],
    )


def _latest_or_404(session, key: str):
    try:
        return latest(session, key)
    except NotFound:
        raise NotFound(N_("No process '{key}' is deployed."), key=key) from None


def _starter_unit(actor: Actor, entry: CatalogEntry | None) -> str | None:
    """The unit of the position the user starts the process from (else of their first position)."""
    starters = set(entry.starters) if entry else set()
    ordered = sorted(actor.positions, key=lambda p: p.role not in starters)
    return ordered[0].unit_code if ordered else None


def _unit_asked_for(session: Session, data: dict) -> str | None:
    """The unit a public request is for, when its form asks for one (a ``unit`` or ``region`` field)."""
    codes = [c for c in (data.get("unit"), data.get("region")) if isinstance(c, str)]
    if not codes:
        return None
    return session.scalar(select(OrgUnit.code).where(OrgUnit.code.in_(codes)).limit(1))
