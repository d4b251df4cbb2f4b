"""Reading one's notices: grouped by case (one line per case, however many notices it brought), paged,
the badge counting the cases with something unread, and marking read (one, a case's, or all)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, true, update

from engine.context import Context
from engine.errors import N_, NotFound
from engine.models import HumanTask, Notification, NotificationSetting, ProcessInstance, User
from engine.notify.notices import NOTICE_GROUP, unread_in
from engine.notify.settings import SETTING_COLUMNS, setting_dict


def unread_count(ctx: Context, username: str) -> int:
    with ctx.db.read() as session:
        return unread_in(session, username)


def list_for(
    ctx: Context, username: str, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> list[dict]:
    """A user's notices one by one, newest first, with the task's name and the instance's title."""
    with ctx.db.read() as session:
        stmt = (
            select(Notification, HumanTask.name, HumanTask.state, ProcessInstance.title)
            .join(User, User.id == Notification.user_id)
            .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
            .outerjoin(ProcessInstance, ProcessInstance.id == Notification.instance_id)
            .where(User.username == username)
        )
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        stmt = (
            stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
        )
        return [
            _notice(n, task_name, task_state, title) | {"read": n.read_at is not None}
            for n, task_name, task_state, title in session.execute(stmt)
        ]


def _notice(n: Notification, task_name: str | None, task_state: str | None, title: str | None) -> dict:
    return {
        "id": n.id,
        "kind": n.kind,
        "task_id": n.task_id,
        "task_name": task_name,
        "task_open": task_state == "open",
        "instance_id": n.instance_id,
        "instance_title": title,
        "created_at": n.created_at.isoformat(),
    }


@dataclass(frozen=True)
class NoticePage:
    """One page of a user's notices by case: each group is the case's latest notice, with ``count``
    (all of the case's notices) and ``unread`` (those not read yet); ``settings`` are the user's
    (``engine.notify.settings.get_settings``)."""

    groups: list[dict]
    total: int
    page: int
    per_page: int
    unread: int
    settings: dict

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def notices_page(
    ctx: Context, username: str, page: int = 1, per_page: int = 20, unread_only: bool = False
) -> NoticePage:
    """The notifications page: a page of the cases the user was told about, newest first, how many
    there are, and the user's settings: one read, three statements."""
    page = max(1, page)
    user_id = select(User.id).where(User.username == username).scalar_subquery()
    not_read = func.sum(case((Notification.read_at.is_(None), 1), else_=0))
    groups = (
        select(
            func.count().label("count"),
            not_read.label("unread"),
            func.max(Notification.id).label("latest"),
            func.max(Notification.created_at).label("at"),
        )
        .where(Notification.user_id == user_id)
        .group_by(NOTICE_GROUP)
    )
    if unread_only:
        groups = groups.having(not_read > 0)
    listed = groups.subquery()
    # The counts and the user's settings in one statement: every group row joined to the user's.
    counted = (
        select(
            func.count(listed.c.latest),
            func.sum(case((listed.c.unread > 0, 1), else_=0)),
            *SETTING_COLUMNS,
        )
        .select_from(User)
        .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .outerjoin(listed, true())
        .where(User.username == username)
        .group_by(User.id, *SETTING_COLUMNS)
    )
    shown = groups.subquery()
    rows_stmt = (
        select(
            Notification,
            HumanTask.name,
            HumanTask.state,
            ProcessInstance.title,
            shown.c.count,
            shown.c.unread,
        )
        .join(shown, shown.c.latest == Notification.id)
        .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == Notification.instance_id)
        .order_by(shown.c.at.desc(), shown.c.latest.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    with ctx.db.read() as session:
        total, unread, *setting = session.execute(counted).one()
        rows = session.execute(rows_stmt).all()
    found = [
        _notice(n, name, state, title) | {"count": c, "unread": u} for n, name, state, title, c, u in rows
    ]
    return NoticePage(found, total or 0, page, per_page, unread or 0, setting_dict(*setting))


def mark_read(
    ctx: Context, username: str, notification_id: int | None = None, instance_id: int | None = None
) -> int:
    """Mark one notice, a case's notices, or (with neither) all of them read. Returns how many changed;
    not found for a notice or a case the user was not told about."""
    with ctx.db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        mine = select(Notification.id).where(Notification.user_id == user_id).limit(1)
        stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        if notification_id is not None:
            if session.scalar(mine.where(Notification.id == notification_id)) is None:
                raise NotFound(N_("Notification {id} does not exist."), id=notification_id)
            stmt = stmt.where(Notification.id == notification_id)
        if instance_id is not None:
            if session.scalar(mine.where(Notification.instance_id == instance_id)) is None:
                raise NotFound(N_("Process instance {id} does not exist."), id=instance_id)
            stmt = stmt.where(Notification.instance_id == instance_id)
        return session.execute(stmt.values(read_at=ctx.clock.now())).rowcount
