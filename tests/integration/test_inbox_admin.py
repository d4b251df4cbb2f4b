"""Administration of users, positions and delegations; who may open which staff page."""

from __future__ import annotations

from datetime import timedelta

import jdatetime
import pytest
from sqlalchemy import select

from engine.calendar.jalali import to_persian_digits
from engine.demo.seed import USERS
from engine.models import Delegation, OrgUnit, Position, Role, User, utcnow
from tests.integration.support import NO_CATALOG, client_of

STAFF_PAGES = ["/inbox/", "/inbox/?view=group", "/inbox/?view=completed", "/start/", "/my-requests/"]
ADMIN_PAGES = ["/admin/users/", "/admin/delegations/"]


@pytest.fixture
def app(make_app):
    return make_app(NO_CATALOG, RAVAND_LOGIN_ATTEMPTS=100)


@pytest.mark.parametrize("username", sorted({u[0] for u in USERS} - {"admin"}))
def test_every_demo_user_opens_the_staff_pages_and_no_admin_page(app, username):
    client = client_of(app, username)
    for page in STAFF_PAGES:
        assert client.get(page).status_code == 200, page
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 403, page
    assert client.post("/admin/users/", data={"username": "intruder"}).status_code == 403
    assert client.get("/admin/users/1").status_code == 403


def test_the_menu_shows_what_the_role_may_use(app):
    expert = client_of(app, "coord.expert").get("/inbox/").get_data(as_text=True)
    assert "/monitor/" not in expert and "/designer/" not in expert and "/admin/users/" not in expert
    head = client_of(app, "coord.head").get("/inbox/").get_data(as_text=True)
    assert "/monitor/" in head and "/designer/" not in head
    designer = client_of(app, "designer").get("/inbox/").get_data(as_text=True)
    assert "/designer/" in designer and "/monitor/" not in designer
    admin = client_of(app, "admin").get("/inbox/").get_data(as_text=True)
    assert all(link in admin for link in ("/monitor/", "/designer/", "/admin/users/"))


def test_anonymous_visitors_are_sent_to_log_in(app):
    client = app.test_client()
    for page in STAFF_PAGES + ADMIN_PAGES:
        response = client.get(page)
        assert response.status_code == 302 and response.location.startswith("/login"), page


def test_the_admin_creates_a_user_and_gives_them_a_position(app):
    admin = client_of(app, "admin")
    assert "کارشناس هماهنگی" in admin.get("/admin/users/").get_data(as_text=True)
    refused = admin.post("/admin/users/", data={"username": "x", "full_name": "", "password": "short"})
    assert "نام کاربری ۲ تا ۶۴" in refused.get_data(as_text=True)
    taken = admin.post(
        "/admin/users/", data={"username": "deputy", "full_name": "ت", "password": "long-enough"}
    )
    assert "گرفته شده" in taken.get_data(as_text=True)
    created = admin.post(
        "/admin/users/",
        data={"username": "new.expert", "full_name": "کارشناس تازه", "password": "long-enough"},
    )
    assert created.status_code == 302
    with app.extensions["ravand"].db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "new.expert"))
        role = session.scalar(select(Role.id).where(Role.code == "social_expert"))
        unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "dept_social"))
    page = f"/admin/users/{user.id}"
    admin.post(page, data={"action": "add_position", "role_id": role, "unit_id": unit})
    assert "کارشناس ارتباطات اجتماعی — اداره ارتباطات اجتماعی" in admin.get(page).get_data(as_text=True)
    token_page = admin.post(page, data={"action": "token"}).get_data(as_text=True)
    assert 'id="api-token"' in token_page
    newcomer = client_of(app, "new.expert", "long-enough")
    assert newcomer.get("/inbox/").status_code == 200
    admin.post(page, data={"action": "profile", "full_name": "کارشناس تازه", "locale": "fa"})  # not active
    assert newcomer.get("/inbox/").status_code == 302  # the session ends with the account
    assert (
        app.test_client()
        .post("/login", data={"username": "new.expert", "password": "long-enough"})
        .status_code
        == 401
    )


def _jalali(days_from_today: int) -> str:
    day = jdatetime.date.fromgregorian(date=(utcnow() + timedelta(days=days_from_today)).date())
    return to_persian_digits(f"{day.year}/{day.month:02d}/{day.day:02d}")


def test_a_delegation_gives_the_substitute_the_position_while_it_lasts(app):
    admin = client_of(app, "admin")
    with app.extensions["ravand"].db.transaction() as session:
        position = session.scalar(select(Position.id).join(User).where(User.username == "protocol.expert"))
        substitute = session.scalar(select(User.id).where(User.username == "opinion.expert"))
    bad = admin.post(
        "/admin/delegations/",
        data={"position_id": position, "substitute_id": substitute, "starts": "فردا", "ends": _jalali(3)},
        follow_redirects=True,
    )
    assert "تاریخ‌ها را شمسی وارد کنید" in bad.get_data(as_text=True)
    admin.post(
        "/admin/delegations/",
        data={
            "position_id": position,
            "substitute_id": substitute,
            "starts": _jalali(-1),
            "ends": _jalali(2),
            "reason": "مرخصی",
        },
    )
    page = admin.get("/admin/delegations/").get_data(as_text=True)
    assert "سارا نوری" in page and "نرگس جعفری" in page and "اکنون" in page
    with app.extensions["ravand"].db.transaction() as session:
        delegation = session.scalar(select(Delegation).where(Delegation.position_id == position))
        assert delegation.starts_at < utcnow() < delegation.ends_at
    assert "پایان اکنون" in page
    admin.post(f"/admin/delegations/{delegation.id}/end")
    with app.extensions["ravand"].db.transaction() as session:
        ended = session.get(Delegation, delegation.id)
        assert delegation.starts_at < ended.ends_at <= utcnow()  # kept, over: the history stays true
