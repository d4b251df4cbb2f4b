"""Setting up a real installation: its first administrator, and its organisation loaded from a file.

``import_org`` takes units, roles and users with their positions, from YAML or CSV. It adds what is new
and renames what exists (matched by code and username), never deletes, and checks the whole file first:
every problem is reported at once, with its place in the file, and nothing is saved unless all is right.
Users without a password in the file cannot log in until an administrator sets one.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from sqlalchemy import select

from engine import audit
from engine.context import Context
from engine.errors import N_, InvalidData
from engine.models import OrgUnit, Position, Role, User
from engine.org.accounts import hash_password
from engine.org.administration import MIN_PASSWORD, USERNAME

SYSTEM = "system"


def create_admin(ctx: Context, username: str, full_name: str, password: str) -> dict:
    """The installation's first (or another) administrator, made from the command line."""
    username = (username or "").strip().lower()
    problems = []
    if not USERNAME.match(username):
        problems.append("A username is 2 to 64 Latin letters, digits, dots, dashes or underscores.")
    if len(password or "") < MIN_PASSWORD:
        problems.append("The password must have at least 8 characters.")
    if not (full_name or "").strip():
        problems.append("The full name is required.")
    if problems:
        raise InvalidData(N_("The administrator was not created: {problems}"), problems=" ".join(problems))
    with ctx.db.transaction() as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise InvalidData(N_("The username '{username}' is taken."), username=username)
        now = ctx.clock.now()
        user = User(
            username=username,
            full_name=full_name.strip(),
            password_hash=hash_password(password),
            is_admin=True,
            created_at=now,
        )
        session.add(user)
        session.flush()
        audit.record(session, "user_created", None, SYSTEM, data={"user": username, "is_admin": True}, at=now)
        return {"id": user.id, "username": username, "is_admin": True}


def read_org_file(path: Path) -> dict:
    """The organisation in a file: YAML with ``units``, ``roles`` and ``users`` (each user with
    ``positions: [{role, unit}]``), or CSV with one position per row
    (``username, full_name, email, role, unit``) for units and roles that already exist."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        users: dict[str, dict] = {}
        for row in csv.DictReader(io.StringIO(text)):
            name = (row.get("username") or "").strip()
            user = users.setdefault(
                name, {"username": name, "full_name": row.get("full_name", ""), "positions": []}
            )
            user["email"] = row.get("email") or user.get("email")
            if row.get("role"):
                user["positions"].append(
                    {"role": row["role"].strip(), "unit": (row.get("unit") or "").strip()}
                )
        return {"users": list(users.values())}
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InvalidData(N_("The file is not valid YAML: {detail}"), detail=str(exc)) from exc
    if not isinstance(data, dict):
        raise InvalidData(N_("The file must hold units, roles and users."))
    return data


def import_org(ctx: Context, data: dict) -> dict:
    """Add or update units, roles, users and positions in one transaction; returns the counts."""
    with ctx.db.transaction() as session:
        problems: list[str] = []
        units = {u.code: u for u in session.scalars(select(OrgUnit))}
        roles = {r.code: r for r in session.scalars(select(Role))}
        added = {"units": 0, "roles": 0, "users": 0, "positions": 0}
        for i, item in enumerate(data.get("units") or [], 1):
            code = str(item.get("code") or "").strip()
            if not code or not item.get("name_fa"):
                problems.append(f"units #{i}: code and name_fa are required")
                continue
            unit = units.get(code)
            if unit is None:
                unit = units[code] = OrgUnit(code=code, kind=item.get("kind") or "unit")
                session.add(unit)
                added["units"] += 1
            unit.name_fa, unit.name_en = item["name_fa"], item.get("name_en") or item["name_fa"]
            if item.get("kind"):
                unit.kind = item["kind"]
        session.flush()
        for i, item in enumerate(data.get("units") or [], 1):
            parent = item.get("parent")
            if parent and parent not in units:
                problems.append(f"units #{i}: the parent unit '{parent}' does not exist")
            elif parent and item.get("code") in units:
                units[item["code"]].parent_id = units[parent].id
        for i, item in enumerate(data.get("roles") or [], 1):
            code = str(item.get("code") or "").strip()
            if not code or not item.get("name_fa"):
                problems.append(f"roles #{i}: code and name_fa are required")
                continue
            role = roles.get(code)
            if role is None:
                role = roles[code] = Role(code=code)
                session.add(role)
                added["roles"] += 1
            role.name_fa, role.name_en = item["name_fa"], item.get("name_en") or item["name_fa"]
            role.per_unit = bool(item.get("per_unit", True))
            if item.get("rank") in ("head", "expert"):
                role.rank = item["rank"]
        session.flush()
        for i, item in enumerate(data.get("users") or [], 1):
            _import_user(session, i, item, units, roles, problems, added, ctx.clock.now())
        if problems:
            raise InvalidData(N_("Nothing was imported: {problems}"), problems="; ".join(problems))
        audit.record(session, "org_imported", None, SYSTEM, data=added, at=ctx.clock.now())
        return added


def _import_user(session, i, item, units, roles, problems, added, now) -> None:
    username = str(item.get("username") or "").strip().lower()
    if not USERNAME.match(username) or not str(item.get("full_name") or "").strip():
        problems.append(f"users #{i}: a valid username and a full_name are required")
        return
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, created_at=now)
        session.add(user)
        added["users"] += 1
    user.full_name = str(item["full_name"]).strip()
    user.email = item.get("email") or user.email
    if item.get("password"):
        if len(str(item["password"])) < MIN_PASSWORD:
            problems.append(f"users #{i}: the password must have at least {MIN_PASSWORD} characters")
        user.password_hash = hash_password(str(item["password"]))
    session.flush()
    held = {
        (p.role_id, p.unit_id) for p in session.scalars(select(Position).where(Position.user_id == user.id))
    }
    for position in item.get("positions") or []:
        role, unit = roles.get(position.get("role")), units.get(position.get("unit"))
        if role is None or unit is None:
            problems.append(
                f"users #{i} ({username}): no role '{position.get('role')}' or unit '{position.get('unit')}'"
            )
            continue
        if (role.id, unit.id) not in held:
            session.add(Position(user_id=user.id, role_id=role.id, unit_id=unit.id))
            held.add((role.id, unit.id))
            added["positions"] += 1
