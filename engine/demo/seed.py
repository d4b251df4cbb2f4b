"""The demo organisation: the Center, the PR Deputy, its departments, the subsidiary units, roles and users.

Idempotent: running it again adds what is missing and changes nothing else.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.jalali import to_persian_digits
from engine.context import Context
from engine.models import OrgUnit, Position, Role, User
from engine.org.accounts import hash_password

DEMO_PASSWORD = "ravand-demo"

UNITS = [
    # code, kind, Persian name, English name, parent
    (
        "center",
        "center",
        "مرکز ارتباطات و امور بین‌الملل",
        "Center for Communications and International Affairs",
        None,
    ),
    ("pr_deputy", "deputy", "معاونت روابط عمومی", "Public Relations Deputy", "center"),
    (
        "dept_coord",
        "department",
        "اداره هماهنگی امور مناطق، معاونت‌ها، سازمان‌ها و شرکت‌ها",
        "Department of Coordination of Regions, Deputies, Organisations and Companies",
        "pr_deputy",
    ),
    (
        "dept_social",
        "department",
        "اداره ارتباطات اجتماعی",
        "Department of Social Communications",
        "pr_deputy",
    ),
    (
        "dept_opinion",
        "department",
        "اداره ارتباطات و افکار عمومی",
        "Department of Communications and Public Opinion",
        "pr_deputy",
    ),
    ("dept_protocol", "department", "اداره تشریفات", "Department of Protocol", "pr_deputy"),
    (
        "deputy_urban",
        "subsidiary_deputy",
        "معاونت شهرسازی و معماری",
        "Deputy of Urban Planning and Architecture",
        None,
    ),
    (
        "deputy_transport",
        "subsidiary_deputy",
        "معاونت حمل‌ونقل و ترافیک",
        "Deputy of Transport and Traffic",
        None,
    ),
    (
        "deputy_social",
        "subsidiary_deputy",
        "معاونت امور اجتماعی و فرهنگی",
        "Deputy of Social and Cultural Affairs",
        None,
    ),
    ("org_parks", "organisation", "سازمان بوستان‌ها و فضای سبز", "Parks and Green Space Organisation", None),
    (
        "org_fire",
        "organisation",
        "سازمان آتش‌نشانی و خدمات ایمنی",
        "Fire and Safety Services Organisation",
        None,
    ),
    ("org_beautification", "organisation", "سازمان زیباسازی", "Beautification Organisation", None),
    ("co_metro", "company", "شرکت بهره‌برداری متروی تهران", "Tehran Metro Operating Company", None),
    ("co_bus", "company", "شرکت واحد اتوبوسرانی تهران", "Tehran Bus Company", None),
] + [
    (f"region-{n:02d}", "region", f"منطقه {to_persian_digits(n)}", f"Region {n}", None) for n in range(1, 23)
]

ROLES = [
    # code, Persian name, English name, per unit
    ("deputy", "معاون روابط عمومی", "PR Deputy", False),
    ("coord_head", "رئیس اداره هماهنگی", "Head of Coordination", False),
    ("coord_expert", "کارشناس هماهنگی", "Coordination expert", False),
    ("social_head", "رئیس اداره ارتباطات اجتماعی", "Head of Social Communications", False),
    ("social_expert", "کارشناس ارتباطات اجتماعی", "Social communications expert", False),
    ("opinion_head", "رئیس اداره افکار عمومی", "Head of Public Opinion", False),
    ("opinion_expert", "کارشناس افکار عمومی", "Public opinion expert", False),
    ("protocol_head", "رئیس اداره تشریفات", "Head of Protocol", False),
    ("protocol_expert", "کارشناس تشریفات", "Protocol expert", False),
    ("legal_expert", "کارشناس حقوقی", "Legal expert", False),
    ("unit_pr_manager", "مدیر روابط عمومی واحد", "PR manager of a unit", True),
    ("unit_pr_expert", "کارشناس روابط عمومی واحد", "PR expert of a unit", True),
    ("supervisor", "ناظر", "Supervisor", False),
    ("designer", "طراح فرایند", "Process designer", False),
]

# Where a referral goes up (to the head of the unit) or down (to its experts).
RANKS = {
    **dict.fromkeys(("deputy", "coord_head", "social_head", "opinion_head", "protocol_head"), "head"),
    "unit_pr_manager": "head",
    **dict.fromkeys(("coord_expert", "social_expert", "opinion_expert", "protocol_expert"), "expert"),
    **dict.fromkeys(("legal_expert", "unit_pr_expert"), "expert"),
}

USERS = (
    [
        # username, full name, [(role, unit)], admin
        ("deputy", "مریم احمدی", [("deputy", "pr_deputy"), ("supervisor", "pr_deputy")], False),
        ("coord.head", "علی رضایی", [("coord_head", "dept_coord"), ("supervisor", "dept_coord")], False),
        ("coord.expert", "زهرا محمدی", [("coord_expert", "dept_coord")], False),
        ("social.head", "حسین کریمی", [("social_head", "dept_social"), ("supervisor", "dept_social")], False),
        ("social.expert", "فاطمه حسینی", [("social_expert", "dept_social")], False),
        (
            "opinion.head",
            "رضا موسوی",
            [("opinion_head", "dept_opinion"), ("supervisor", "dept_opinion")],
            False,
        ),
        ("opinion.expert", "نرگس جعفری", [("opinion_expert", "dept_opinion")], False),
        (
            "protocol.head",
            "مهدی صادقی",
            [("protocol_head", "dept_protocol"), ("supervisor", "dept_protocol")],
            False,
        ),
        ("protocol.expert", "سارا نوری", [("protocol_expert", "dept_protocol")], False),
        ("legal.expert", "امیر قاسمی", [("legal_expert", "pr_deputy")], False),
        ("designer", "نازنین طاهری", [("designer", "pr_deputy")], False),
        ("admin", "مدیر سامانه", [("designer", "pr_deputy"), ("supervisor", "pr_deputy")], True),
    ]
    + [
        (
            f"region{n:02d}.manager",
            f"مدیر روابط عمومی منطقه {to_persian_digits(n)}",
            [("unit_pr_manager", f"region-{n:02d}")],
            False,
        )
        for n in range(1, 23)
    ]
    + [
        (f"{code}.manager", f"مدیر روابط عمومی {name_fa}", [("unit_pr_manager", code)], False)
        for code, kind, name_fa, _name_en, _parent in UNITS
        if kind in ("subsidiary_deputy", "organisation", "company")
    ]
    + [
        ("region01.expert", "کارشناس روابط عمومی منطقه ۱", [("unit_pr_expert", "region-01")], False),
    ]
)


def seed_demo(ctx: Context, password: str = DEMO_PASSWORD) -> dict:
    with ctx.db.transaction() as session:
        units = _ensure_units(session)
        roles = _ensure_roles(session)
        created_users = _ensure_users(session, units, roles, password)
    ctx.forget_roles()
    return {"units": len(units), "roles": len(roles), "users_created": created_users}


def _ensure_units(session: Session) -> dict[str, OrgUnit]:
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    for code, kind, name_fa, name_en, parent in UNITS:
        if code not in units:
            units[code] = OrgUnit(code=code, kind=kind, name_fa=name_fa, name_en=name_en)
            session.add(units[code])
        units[code].parent = units[parent] if parent else (units["center"] if code != "center" else None)
    session.flush()
    return units


def _ensure_roles(session: Session) -> dict[str, Role]:
    roles = {r.code: r for r in session.scalars(select(Role))}
    for code, name_fa, name_en, per_unit in ROLES:
        if code not in roles:
            roles[code] = Role(code=code, name_fa=name_fa, name_en=name_en, per_unit=per_unit)
            session.add(roles[code])
        if roles[code].rank is None:
            roles[code].rank = RANKS.get(code)
    session.flush()
    return roles


def _ensure_users(session: Session, units: dict, roles: dict, password: str) -> int:
    existing = {u.username for u in session.scalars(select(User))}
    hashed = hash_password(password)
    created = 0
    for username, full_name, positions, admin in USERS:
        if username in existing:
            continue
        user = User(username=username, full_name=full_name, password_hash=hashed, is_admin=admin, locale="fa")
        user.positions = [Position(role=roles[r], unit=units[u]) for r, u in positions]
        session.add(user)
        created += 1
    return created
