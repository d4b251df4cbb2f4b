"""Who may start which process, and which processes are archived: set in the studio, effective at once.

The settings live in ``process_settings``; the catalog (``processes/catalog.yaml``) seeds them: a
process whose starters no designer has set takes the catalog's, and a process neither names can be
started by nobody until a designer says who may. An archived process is offered to nobody; its running
instances go on. ``startable_processes`` answers "which processes may this user start" for the start
page, the API and the public pages alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import Context
from engine.definitions.catalog import PUBLIC, CatalogEntry
from engine.errors import N_, Forbidden, InvalidData, Message, NotFound
from engine.models import ProcessDefinition, ProcessDraft, ProcessSettings, Role
from engine.org.actors import Actor, load_actor

EVERYONE = "*"


@dataclass(frozen=True)
class ProcessAccess:
    """A process's starters and archiving as the studio shows them."""

    key: str
    starters: tuple[str, ...]
    from_catalog: bool
    archived: bool
    archived_by: str | None = None
    archived_at: datetime | None = None

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "starters": list(self.starters),
            "from_catalog": self.from_catalog,
            "archived": self.archived,
            "archived_by": self.archived_by,
            "archived_at": self.archived_at.isoformat() if self.archived_at else None,
        }


@dataclass(frozen=True)
class StartableProcess:
    """The latest version of a process someone may start, with what the start page shows of it."""

    key: str
    definition_id: int
    version: int
    name_fa: str
    name_en: str
    department: str
    start_form: str | None
    public: bool
    starters: tuple[str, ...]
    form: dict | None = None  # the start form's form-js schema, as snapshotted with the version
    walk_in: tuple[str, ...] = ()  # staff roles who may start it for a citizen at the counter

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" else self.name_fa) or self.name_fa or self.key


def _catalog(ctx: Context, catalog: Mapping[str, CatalogEntry] | None) -> Mapping[str, CatalogEntry]:
    return ctx.catalog if catalog is None else catalog


def _access(key: str, row: ProcessSettings | None, entry: CatalogEntry | None) -> ProcessAccess:
    from_catalog = row is None or row.starters is None
    starters = tuple(entry.starters if entry else ()) if from_catalog else tuple(row.starters)
    archived = row is not None and row.archived_at is not None
    return ProcessAccess(
        key,
        starters,
        from_catalog,
        archived,
        row.archived_by if archived else None,
        row.archived_at if archived else None,
    )


def access(ctx: Context, key: str, catalog: Mapping[str, CatalogEntry] | None = None) -> ProcessAccess:
    """Who may start ``key`` and whether it is archived."""
    with ctx.db.read() as session:
        row = session.scalar(select(ProcessSettings).where(ProcessSettings.key == key))
        return _access(key, row, _catalog(ctx, catalog).get(key))


def _row(session: Session, key: str) -> ProcessSettings:
    known = session.scalar(select(ProcessDraft.id).where(ProcessDraft.key == key)) or session.scalar(
        select(ProcessDefinition.id).where(ProcessDefinition.key == key)
    )
    row = session.scalar(select(ProcessSettings).where(ProcessSettings.key == key).with_for_update())
    if row is None:
        if not known:
            raise NotFound(N_("There is no process model '{key}'."), key=key)
        row = ProcessSettings(key=key)
        session.add(row)
    return row


def set_starters(
    ctx: Context,
    key: str,
    starters: list[str],
    user: str | None,
    catalog: Mapping[str, CatalogEntry] | None = None,
) -> ProcessAccess:
    """Say who may start ``key``: role codes, ``*`` (all staff) and/or ``public``. Takes effect at once."""
    with ctx.db.transaction() as session:
        row = write_starters(session, key, starters, user, ctx.clock.now())
        return _access(key, row, _catalog(ctx, catalog).get(key))


def write_starters(
    session: Session, key: str, starters: list[str], user: str | None, now: datetime
) -> ProcessSettings:
    """Set the starters of ``key`` in the caller's transaction (a new model gets them with its draft)."""
    wanted = sorted({str(s).strip() for s in starters if str(s).strip()})
    roles = set(session.scalars(select(Role.code)))
    unknown = [s for s in wanted if s not in roles and s not in (EVERYONE, PUBLIC)]
    if unknown:
        message = Message(N_("These are no roles: {roles}."), {"roles": ", ".join(unknown)})
        raise InvalidData(field_errors={"starters": message})
    row = _row(session, key)
    row.starters = wanted
    row.updated_by, row.updated_at = user, now
    session.flush()
    return row


def set_archived(ctx: Context, key: str, archived: bool, user: str | None) -> None:
    """Archive a process (offered to nobody from now on; running instances go on), or bring it back."""
    with ctx.db.transaction() as session:
        row = _row(session, key)
        now = ctx.clock.now()
        row.archived_at, row.archived_by = (now, user) if archived else (None, None)
        row.updated_by, row.updated_at = user, now


def archived_keys(session: Session) -> set[str]:
    return set(session.scalars(select(ProcessSettings.key).where(ProcessSettings.archived_at.is_not(None))))


# --- who may start what ---------------------------------------------------------------------------------


def _offered(ctx: Context, session: Session, catalog: Mapping[str, CatalogEntry]) -> list[StartableProcess]:
    """The latest version of every deployed process that is not archived, with its starters."""
    latest = select(func.max(ProcessDefinition.id)).group_by(ProcessDefinition.key)
    rows = {r.key: r for r in session.scalars(select(ProcessSettings))}
    found = []
    for definition in session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.id.in_(latest)).order_by(ProcessDefinition.key)
    ):
        entry = catalog.get(definition.key)
        settings = _access(definition.key, rows.get(definition.key), entry)
        if settings.archived:
            continue
        start_form = entry.start_form if entry else None
        found.append(
            StartableProcess(
                key=definition.key,
                definition_id=definition.id,
                version=definition.version,
                name_fa=(entry.name_fa if entry else "") or definition.name,
                name_en=(entry.name_en if entry else "") or definition.name,
                department=entry.department if entry else "",
                start_form=start_form,
                public=PUBLIC in settings.starters,
                starters=settings.starters,
                form=ctx.form(session, definition.id, start_form) if start_form else None,
                walk_in=entry.walk_in if entry else (),
            )
        )
    return found


def offered_to(
    ctx: Context, session: Session, actor: Actor | None, catalog: Mapping[str, CatalogEntry] | None = None
) -> list[StartableProcess]:
    """The processes ``actor`` may start (``None``: a visitor of the public pages), in the caller's
    transaction: those whose starters hold a role the actor holds now (own position or delegation) or
    ``*``; administrators every staff process."""
    return _for_actor(_offered(ctx, session, _catalog(ctx, catalog)), actor)


def _for_actor(offered: list[StartableProcess], actor: Actor | None) -> list[StartableProcess]:
    if actor is None:
        return [p for p in offered if p.public]
    roles = actor.role_codes
    return [
        p
        for p in offered
        if (staff := set(p.starters) - {PUBLIC}) and (actor.is_admin or EVERYONE in staff or roles & staff)
    ]


def _for_walk_in(offered: list[StartableProcess], actor: Actor) -> list[StartableProcess]:
    return [p for p in offered if p.public and p.walk_in and actor.has_role(*p.walk_in)]


def offered_for_walk_in(
    ctx: Context, session: Session, actor: Actor, catalog: Mapping[str, CatalogEntry] | None = None
) -> list[StartableProcess]:
    """The public processes ``actor`` may start for a walk-in citizen: a role of the catalog's ``walk_in``."""
    return _for_walk_in(_offered(ctx, session, _catalog(ctx, catalog)), actor)


def walk_in_processes(
    ctx: Context, username: str, catalog: Mapping[str, CatalogEntry] | None = None
) -> list[StartableProcess]:
    """The public processes ``username`` may start at the counter for a citizen."""
    with ctx.db.read() as session:
        return offered_for_walk_in(ctx, session, load_actor(session, username, ctx.clock.now()), catalog)


def start_page(
    ctx: Context, username: str, catalog: Mapping[str, CatalogEntry] | None = None
) -> tuple[list[StartableProcess], list[StartableProcess]]:
    """What the start page offers ``username``, in one read: the processes they may start, and the
    public ones they may start for a walk-in citizen."""
    with ctx.db.read() as session:
        actor = load_actor(session, username, ctx.clock.now())
        offered = _offered(ctx, session, _catalog(ctx, catalog))
        return _for_actor(offered, actor), _for_walk_in(offered, actor)


def startable_processes(
    ctx: Context, username: str, catalog: Mapping[str, CatalogEntry] | None = None
) -> list[StartableProcess]:
    """The processes ``username`` may start from the start page or the API."""
    with ctx.db.read() as session:
        return offered_to(ctx, session, load_actor(session, username, ctx.clock.now()), catalog)


def public_processes(
    ctx: Context, catalog: Mapping[str, CatalogEntry] | None = None
) -> list[StartableProcess]:
    """The processes citizens, NGOs and inviting bodies may start without an account."""
    with ctx.db.read() as session:
        return offered_to(ctx, session, None, catalog)


def may_start(
    ctx: Context, username: str | None, key: str, catalog: Mapping[str, CatalogEntry] | None = None
) -> StartableProcess:
    """The process ``key`` if ``username`` may start it (``None``: a visitor of the public pages)."""
    offered = (
        public_processes(ctx, catalog) if username is None else startable_processes(ctx, username, catalog)
    )
    found = next((p for p in offered if p.key == key), None)
    if found is None:
        raise Forbidden(N_("You may not start this process."))
    return found
