"""Administration as engine services: only administrators, validated, audited, plain results."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.clock import SimulatedClock
from engine.context import Context
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.models import AuditEvent, Delegation, OrgUnit, Position, Role, User
from engine.org import administration as admin
from engine.org import directory
from engine.org.accounts import actor_for_token, authenticate
from engine.org.actors import load_actor
from engine.org.administration import Profile
from tests.conftest import add_org

# Saturday 1405/02/05, 09:00 in Tehran.
NOW = datetime(2026, 4, 25, 5, 30, tzinfo=UTC)


@pytest.fixture
def ctx(database):
    add_org(database)
    return Context(database, clock=SimulatedClock(NOW))


def ids(ctx, model, **where) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(model.id).filter_by(**where))


def events(ctx, kind: str) -> list[AuditEvent]:
    with ctx.db.read() as session:
        return session.scalars(
            select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
        ).all()


def test_only_administrators_may_administer(ctx):
    alice = ids(ctx, User, username="alice")
    for attempt in (
        lambda: admin.create_user(ctx, "alice", "eve", "long-enough", Profile("Eve")),
        lambda: admin.update_user(ctx, "alice", alice, Profile("Alice", is_admin=True)),
        lambda: admin.reset_password(ctx, "alice", alice, "long-enough"),
        lambda: admin.issue_token(ctx, "alice", alice),
        lambda: admin.add_position(ctx, "alice", alice, 1, 1),
        lambda: admin.add_delegation(ctx, "alice", 1, 2, "1405/02/05", "1405/02/06"),
        lambda: directory.users_overview(ctx, "alice"),
        lambda: directory.delegations_overview(ctx, "alice"),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert events(ctx, "user_created") == [] and events(ctx, "user_updated") == []


def test_a_new_user_is_validated_created_and_audited_without_the_password(ctx):
    with pytest.raises(InvalidData) as bad:
        admin.create_user(ctx, "root", "X", "short", Profile(" ", email="not-an-address"))
    assert set(bad.value.field_errors) == {"username", "full_name", "email", "password"}
    assert bad.value.template.startswith("A username is 2 to 64")
    with pytest.raises(InvalidData) as taken:
        admin.create_user(ctx, "root", "Alice", "long-enough", Profile("Another Alice"))
    assert taken.value.params == {"username": "alice"}

    created = admin.create_user(
        ctx, "root", " New.Expert ", "long-enough", Profile("کارشناس تازه", locale="en")
    )
    assert created["username"] == "new.expert"
    actor = authenticate(ctx, "new.expert", "long-enough")
    assert actor is not None and (actor.full_name, actor.locale, actor.is_admin) == (
        "کارشناس تازه",
        "en",
        False,
    )
    (event,) = events(ctx, "user_created")
    assert (event.actor, event.instance_id, event.at) == ("root", None, NOW)
    assert event.data == {"user": "new.expert", "is_admin": False}
    assert "long-enough" not in str(event.data)


def test_updates_record_what_changed_and_an_admin_cannot_lock_themselves_out(ctx):
    alice, root = ids(ctx, User, username="alice"), ids(ctx, User, username="root")
    admin.reset_password(ctx, "root", alice, "alice-secret")
    assert authenticate(ctx, "alice", "alice-secret") is not None
    done = admin.update_user(
        ctx, "root", alice, Profile("Alice A.", email="alice@example.org", is_active=False)
    )
    assert done["changed"] == ["email", "full_name", "is_active"]
    (event,) = events(ctx, "user_updated")
    assert event.data["changed"]["full_name"] == ["Alice", "Alice A."]
    assert authenticate(ctx, "alice", "alice-secret") is None  # inactive now
    assert (
        admin.update_user(ctx, "root", alice, Profile("Alice A.", "alice@example.org", is_active=False))[
            "changed"
        ]
        == []
    )
    assert len(events(ctx, "user_updated")) == 1  # nothing changed, nothing recorded
    for profile in (Profile("Root", is_admin=False), Profile("Root", is_active=False, is_admin=True)):
        with pytest.raises(InvalidData) as refused:
            admin.update_user(ctx, "root", root, profile)
        assert "is_admin" in refused.value.field_errors
    with pytest.raises(NotFound):
        admin.update_user(ctx, "root", 999_999, Profile("Nobody"))


def test_a_reset_password_and_a_new_token_work_at_once_and_are_audited(ctx):
    bob = ids(ctx, User, username="bob")
    with pytest.raises(InvalidData):
        admin.reset_password(ctx, "root", bob, "short")
    admin.reset_password(ctx, "root", bob, "a-new-secret")
    assert authenticate(ctx, "bob", "a-new-secret").username == "bob"
    token = admin.issue_token(ctx, "root", bob)
    assert actor_for_token(ctx, token).username == "bob"
    second = admin.issue_token(ctx, "root", bob)
    assert actor_for_token(ctx, token) is None and actor_for_token(ctx, second).username == "bob"
    assert [e.data for e in events(ctx, "password_reset")] == [{"user": "bob"}]
    assert len(events(ctx, "api_token_issued")) == 2
    assert token not in str([e.data for e in events(ctx, "api_token_issued")])


def test_positions_are_added_once_and_removed_only_from_their_holder(ctx):
    bob, alice = ids(ctx, User, username="bob"), ids(ctx, User, username="alice")
    head, region2 = ids(ctx, Role, code="head"), ids(ctx, OrgUnit, code="region-02")
    with pytest.raises(InvalidData) as missing:
        admin.add_position(ctx, "root", bob, None, region2)
    assert set(missing.value.field_errors) == {"role_id"}
    added = admin.add_position(ctx, "root", bob, head, region2)
    assert (added["role"], added["unit"]) == ("head", "region-02")
    with pytest.raises(Conflict):
        admin.add_position(ctx, "root", bob, head, region2)
    with ctx.db.read() as session:
        assert load_actor(session, "bob", NOW).holds("head", None)
    with pytest.raises(NotFound):
        admin.remove_position(ctx, "root", alice, added["id"])  # not hers
    admin.remove_position(ctx, "root", bob, added["id"])
    with ctx.db.read() as session:
        assert not load_actor(session, "bob", NOW).holds("head", None)
    assert [e.data for e in events(ctx, "position_removed")] == [
        {"user": "bob", "role": "head", "unit": "region-02"}
    ]


def test_a_delegation_covers_whole_tehran_days_and_ends_by_an_administrator(ctx):
    with ctx.db.read() as session:
        alices = session.scalar(select(Position.id).join(User).where(User.username == "alice"))
    dave = ids(ctx, User, username="dave")
    for first, last, field in [("فردا", "1405/02/06", "starts"), ("1405/02/06", "1405/02/05", "ends")]:
        with pytest.raises(InvalidData) as refused:
            admin.add_delegation(ctx, "root", alices, dave, first, last)
        assert field in refused.value.field_errors
    with pytest.raises(InvalidData) as own:
        admin.add_delegation(
            ctx, "root", alices, ids(ctx, User, username="alice"), "1405/02/05", "1405/02/05"
        )
    assert "substitute_id" in own.value.field_errors

    running = admin.add_delegation(ctx, "root", alices, dave, "۱۴۰۵/۰۲/۰۵", "۱۴۰۵/۰۲/۰۶", " مرخصی ")
    assert running["starts_at"] == datetime(2026, 4, 24, 20, 30, tzinfo=UTC)  # 00:00 Tehran, 1405/02/05
    assert running["ends_at"] == datetime(2026, 4, 26, 20, 30, tzinfo=UTC)  # the end of 1405/02/06
    coming = admin.add_delegation(ctx, "root", alices, dave, date(2026, 5, 2), date(2026, 5, 3))
    with ctx.db.read() as session:
        assert load_actor(session, "dave", NOW).holds("expert", ids(ctx, OrgUnit, code="region-01"))
    shown = directory.delegations_overview(ctx, "root")["delegations"]
    assert [(d["id"], d["active"], d["reason"]) for d in shown] == [
        (coming["id"], False, None),
        (running["id"], True, "مرخصی"),
    ]

    assert admin.end_delegation(ctx, "root", coming["id"])["withdrawn"] is True  # never began: withdrawn
    ended = admin.end_delegation(ctx, "root", running["id"])
    assert (ended["withdrawn"], ended["ends_at"]) == (False, NOW)
    with ctx.db.read() as session:
        assert session.get(Delegation, coming["id"]) is None
        assert session.get(Delegation, running["id"]).ends_at == NOW
        assert not load_actor(session, "dave", NOW + timedelta(seconds=1)).holds(
            "expert", ids(ctx, OrgUnit, code="region-01")
        )
    assert admin.end_delegation(ctx, "root", running["id"])["ends_at"] == NOW  # over already: unchanged
    assert [e.data["withdrawn"] for e in events(ctx, "delegation_ended")] == [True, False]
    (added, _) = events(ctx, "delegation_added")
    assert added.data["substitute"] == "dave" and added.data["holder"] == "alice"
    with pytest.raises(NotFound):
        admin.end_delegation(ctx, "root", 999_999)


def test_the_administrators_views(ctx):
    users = directory.users_overview(ctx, "root")
    alice = next(u for u in users if u["username"] == "alice")
    assert [(p["role_en"], p["unit_en"]) for p in alice["positions"]] == [("Expert", "Region 1")]
    detail = directory.user_detail(ctx, "root", alice["id"])
    assert detail["user"]["username"] == "alice" and {r["name_en"] for r in detail["roles"]} >= {"Expert"}
    with pytest.raises(NotFound):
        directory.user_detail(ctx, "root", 999_999)
    with ctx.db.read() as session:
        assert directory.names_of(session, ["alice", "nobody", None, "alice"]) == {"alice": "Alice"}
