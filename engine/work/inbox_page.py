"""The inbox page in one read: a page of the user's tasks, how many each tab holds, the choices of its
filters and the notification badge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from engine.context import Context
from engine.models import HumanTask, Notification, OrgUnit, ProcessDefinition
from engine.notify.notices import NOTICE_GROUP
from engine.org.actors import load_actor
from engine.work.inbox import InboxPage, InboxQuery, inbox_in, view_condition

COUNTED_VIEWS = ("mine", "group")


@dataclass(frozen=True)
class Named:
    """Something a filter offers, by its key and its Persian and English names."""

    key: str | int
    name_fa: str
    name_en: str

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" else self.name_fa) or self.name_fa or str(self.key)


@dataclass(frozen=True)
class InboxView:
    """Everything the inbox page shows. ``counts``: the open tasks of each tab, unfiltered."""

    page: InboxPage
    counts: dict[str, int]
    processes: list[Named]
    departments: list[str]
    units: list[Named]
    unread: int


def inbox_page(ctx: Context, query: InboxQuery) -> InboxView:
    """The inbox page of ``query.user``: one read-only transaction."""
    catalog = ctx.catalog
    with ctx.db.read() as session:
        now = ctx.clock.now()
        actor = load_actor(session, query.user, now)
        page = inbox_in(ctx, session, actor, query, now)
        counted = [
            select(func.count()).select_from(HumanTask).where(view_condition(view, actor)).scalar_subquery()
            for view in COUNTED_VIEWS
        ]
        unread = (
            select(func.count(distinct(NOTICE_GROUP)))
            .select_from(Notification)
            .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
            .scalar_subquery()
        )
        *counts, unread_count = session.execute(select(*counted, unread)).one()
        latest = select(func.max(ProcessDefinition.id)).group_by(ProcessDefinition.key)
        definitions = session.execute(
            select(ProcessDefinition.key, ProcessDefinition.name).where(ProcessDefinition.id.in_(latest))
        ).all()
        units = session.execute(
            select(OrgUnit.id, OrgUnit.name_fa, OrgUnit.name_en).order_by(OrgUnit.id)
        ).all()
    processes = []
    for key, name in definitions:
        entry = catalog.get(key)
        processes.append(
            Named(key, (entry.name_fa if entry else "") or name, (entry.name_en if entry else "") or name)
        )
    return InboxView(
        page=page,
        counts=dict(zip(COUNTED_VIEWS, counts, strict=True)),
        processes=processes,
        departments=sorted({entry.department for entry in catalog.values() if entry.department}),
        units=[Named(unit_id, fa, en) for unit_id, fa, en in units],
        unread=unread_count,
    )
