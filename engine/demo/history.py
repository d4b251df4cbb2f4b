"""A simulated month of the PR Deputy's work, for demos and for the monitor (``ravand seed-demo --history``).

The engine runs on a simulated clock that moves three hours at a time, so timers, reminders,
escalations and due dates behave as they would have. Every week the coordination department rolls a
policy out to the 22 regions; every working day citizens ask for meetings. Staff complete their tasks
with plausible form data, the regions at different speeds (higher region numbers are slower), so the
monitor has something to say: which region is slowest, which step holds requests longest, what is
overdue today.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import or_, select, update

from engine.clock import SimulatedClock
from engine.context import Context
from engine.definitions.bundle import collect_bundles
from engine.definitions.catalog import CATALOG_PATH, load_catalog
from engine.definitions.deployment import deploy, latest
from engine.definitions.forms import fields
from engine.errors import RavandError
from engine.models import HumanTask, Notification, OrgUnit, Position, ProcessInstance, Role, User
from engine.runtime import starting
from engine.runtime.jobs import run_due_jobs
from engine.states import HumanTaskState, InstanceStatus
from engine.work import tasks

NAMES = ["مریم رضایی", "علی محمدی", "زهرا کریمی", "حسین احمدی", "فاطمه موسوی", "رضا حسینی", "نرگس صادقی"]
TEXT = "این متن نمونه برای شبیه‌سازی یک ماه کار معاونت روابط عمومی نوشته شده است و جزئیات کافی دارد."


def national_id(rng: random.Random) -> str:
    """A ten-digit Iranian national code with a valid check digit."""
    digits = [rng.randint(0, 9) for _ in range(9)]
    check = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
    return "".join(map(str, digits)) + str(check if check < 2 else 11 - check)


def sample_value(component: dict, rng: random.Random, today: str):
    """A value a careful clerk would enter in a form field, within its rules."""
    kind, key, rules = component["type"], component["key"], component.get("validate") or {}
    options = [v["value"] for v in component.get("values") or [] if isinstance(v, dict)]
    if kind in ("select", "radio"):
        # Most work goes forward (a form's first choice: approve, refer, accept); the rest at random.
        if not options:
            return None
        return options[0] if rng.random() < 0.7 else rng.choice(options)
    if kind in ("checklist", "taglist"):
        return options if key in ("units", "regions") else rng.sample(options, k=min(len(options), 2))
    if kind == "checkbox":
        return True
    if kind == "number":
        low, high = rules.get("min", 1), rules.get("max", max(rules.get("min", 1), 100))
        return rng.randint(int(low), int(min(high, low + 100)))
    if kind == "datetime":
        return "10:30" if component.get("subtype") == "time" else today
    if kind in ("filepicker", "dynamiclist"):
        return None
    candidates = {
        "national_id": national_id(rng),
        "phone": f"0912{rng.randint(1000000, 9999999)}",
        "mobile": f"0912{rng.randint(1000000, 9999999)}",
        "email": "citizen@example.ir",
        "full_name": rng.choice(NAMES),
    }
    kinds = {
        "nationalId": candidates["national_id"],
        "mobile": candidates["mobile"],
        "phone": candidates["phone"],
        "postalCode": "1193653471",
        "sheba": "IR820540102680020817909002",
    }
    if rules.get("validationType") in kinds:
        return kinds[rules["validationType"]]
    if "email" in key or rules.get("validationType") == "email":
        return candidates["email"]
    pattern = rules.get("pattern")
    for value in (candidates.get(key), *candidates.values(), TEXT, "نمونه", "1234567890", "10:30"):
        if value is None:
            continue
        if pattern and not re.fullmatch(pattern, value):
            continue
        if len(value) < rules.get("minLength", 0):
            continue
        return value[: rules.get("maxLength", len(value))]
    return None


def sample_submission(form: dict | None, rng: random.Random, today: str) -> dict:
    if form is None:
        return {}
    values = {c["key"]: sample_value(c, rng, today) for c in fields(form) if "key" in c}
    return {k: v for k, v in values.items() if v is not None}


def simulate_month(ctx: Context, days: int = 30, seed: int = 1405) -> dict:
    """Deploy the catalog and run a month of work ending now (once: not on a database that has instances)."""
    with ctx.db.transaction() as session:
        if session.scalar(select(ProcessInstance.id).limit(1)) is not None:
            return {"skipped": "the database already has process instances"}
    rng = random.Random(seed)
    root = CATALOG_PATH.parent
    for bundle in collect_bundles([root], root.parent / "forms"):
        deploy(ctx, bundle, user="admin", comment="demo history")
    catalog = load_catalog()
    started = completed = 0
    clock = SimulatedClock(ctx.clock.now() - timedelta(days=days))
    ctx = replace(ctx, clock=clock)
    for day in range(days):
        today = clock.now().date().isoformat()
        if day % 7 == 0:
            started += _start(ctx, catalog["policy_rollout"], "coord.expert", "dept_coord", rng, today)
        if ctx.calendar.is_working_day(clock.now()):
            for _ in range(rng.randint(2, 4)):
                started += _start(ctx, catalog["citizen_meeting"], None, None, rng, today, public=True)
            completed += _work(ctx, rng, today)
        for _ in range(8):
            clock.advance(timedelta(hours=3))
            run_due_jobs(ctx)
    with ctx.db.transaction() as session:
        _read_as_people_did(session, clock.now())
        open_tasks = session.scalar(
            select(HumanTask.id).where(HumanTask.state == HumanTaskState.OPEN).limit(1)
        )
    return {
        "days": days,
        "instances_started": started,
        "tasks_completed": completed,
        "open_tasks_left": open_tasks is not None,
    }


def _read_as_people_did(session, now) -> None:
    """A month of work leaves its people's notices read, as they would have read them while working:
    all but the last day's about tasks still open. The past is not a digest's news either."""
    closed = select(HumanTask.id).where(HumanTask.state != HumanTaskState.OPEN)
    session.execute(
        update(Notification)
        .where(
            Notification.read_at.is_(None),
            or_(Notification.created_at < now - timedelta(days=1), Notification.task_id.in_(closed)),
        )
        .values(read_at=now)
    )
    session.execute(update(Notification).where(Notification.sent_at.is_(None)).values(sent_at=now))


def _start(ctx, entry, user, unit, rng, today, public=False) -> int:
    form = None
    if entry.start_form:
        with ctx.db.transaction() as session:
            form = ctx.form(session, latest(session, entry.key).id, entry.start_form)
    data = sample_submission(form, rng, today)
    try:
        starting.start(ctx, entry.key, data, user=user, unit=unit or data.get("region"), public=public)
    except RavandError:
        return 0
    return 1


def _work(ctx: Context, rng: random.Random, today: str) -> int:
    """Complete some of today's open tasks: older tasks first, slower regions less often."""
    done = 0
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(HumanTask, OrgUnit.code)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .outerjoin(OrgUnit, OrgUnit.id == HumanTask.unit_id)
            .where(HumanTask.state == HumanTaskState.OPEN, ProcessInstance.status == InstanceStatus.RUNNING)
            # A total order (task ids are random UUIDs): the same seed works the same tasks every run.
            .order_by(HumanTask.created_at, HumanTask.instance_id, HumanTask.element_id, HumanTask.unit_id)
        ).all()
        plans = [
            (task.id, task.form_key, task.instance_id, _doer(session, task), unit) for task, unit in rows
        ]
    for task_id, form_key, instance_id, user, unit in plans:
        if user is None or rng.random() > _pace(unit):
            continue
        with ctx.db.transaction() as session:
            definition_id = session.get(ProcessInstance, instance_id).definition_id
            form = ctx.form(session, definition_id, form_key) if form_key else None
        try:
            tasks.complete(ctx, task_id, sample_submission(form, rng, today), user=user)
            done += 1
        except RavandError:
            continue
    return done


def _pace(unit_code: str | None) -> float:
    """The chance that a task is done on a given day: region 1 is quick, region 22 slow."""
    if unit_code and unit_code.startswith("region-"):
        return 0.75 - int(unit_code[-2:]) * 0.025
    return 0.7


def _doer(session, task: HumanTask) -> str | None:
    if task.assignee:
        return task.assignee
    stmt = (
        select(User.username)
        .join(Position, Position.user_id == User.id)
        .join(Role, Role.id == Position.role_id)
        .where(Role.code == task.role_code)
    )
    role = session.scalar(select(Role).where(Role.code == task.role_code))
    if role is not None and role.per_unit:
        stmt = stmt.where(Position.unit_id == task.unit_id)
    return session.scalar(stmt.order_by(User.id).limit(1))
