"""Who may start which process: set in the studio, effective at once, seeded by the catalog; archived
processes are offered to nobody; a new or copied process has starters from the moment it exists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.definitions import drafts, starters
from engine.definitions.catalog import CatalogEntry
from engine.errors import Forbidden, InvalidData, NotFound
from engine.models import Delegation, Position, User, utcnow

CATALOG = {
    "approval": CatalogEntry(key="approval", name_fa="تأیید", name_en="Approval", starters=("expert",))
}


def keys(ctx, user, catalog=CATALOG):
    return [p.key for p in starters.startable_processes(ctx, user, catalog)]


def test_the_catalog_seeds_the_starters_until_a_designer_sets_them(ctx, approval):
    assert keys(ctx, "alice") == ["approval"] and keys(ctx, "carol") == []
    assert starters.access(ctx, "approval", CATALOG).from_catalog
    starters.set_starters(ctx, "approval", ["head"], "designer", CATALOG)
    assert keys(ctx, "alice") == [] and keys(ctx, "carol") == ["approval"]  # at once, no restart
    access = starters.access(ctx, "approval", CATALOG)
    assert (access.starters, access.from_catalog) == (("head",), False)


def test_a_process_no_catalog_names_is_started_by_nobody_until_someone_says_who(ctx, approval):
    assert keys(ctx, "alice", {}) == [] and keys(ctx, "root", {}) == []
    starters.set_starters(ctx, "approval", ["*"], "designer", {})
    assert keys(ctx, "dave", {}) == ["approval"] and keys(ctx, "root", {}) == ["approval"]


def test_archived_processes_are_offered_to_nobody_and_restored_at_once(ctx, approval):
    starters.set_archived(ctx, "approval", True, "designer")
    assert keys(ctx, "alice") == [] and keys(ctx, "root") == []
    with pytest.raises(Forbidden):
        starters.may_start(ctx, "alice", "approval", CATALOG)
    starters.set_archived(ctx, "approval", False, "designer")
    assert starters.may_start(ctx, "alice", "approval", CATALOG).version == 1


def test_public_processes_are_those_open_to_the_public(ctx, approval):
    assert starters.public_processes(ctx, CATALOG) == []
    starters.set_starters(ctx, "approval", ["public"], "designer", CATALOG)
    (public,) = starters.public_processes(ctx, CATALOG)
    assert public.key == "approval" and public.public and public.name("en") == "Approval"
    assert keys(ctx, "root") == []  # the public alone: no member of staff starts it from the start page
    assert starters.may_start(ctx, None, "approval", CATALOG).key == "approval"


def test_a_delegation_lends_the_right_to_start_for_its_period(ctx, approval):
    starters.set_starters(ctx, "approval", ["head"], "designer", CATALOG)
    with ctx.db.transaction() as session:
        carol_position = session.query(Position).join(User).filter(User.username == "carol").one()
        dave = session.query(User).filter(User.username == "dave").one()
        now = utcnow()
        session.add(
            Delegation(
                position_id=carol_position.id,
                substitute_id=dave.id,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=1),
            )
        )
    assert keys(ctx, "dave") == ["approval"]


def test_unknown_roles_and_processes_are_refused(ctx, approval):
    with pytest.raises(InvalidData) as caught:
        starters.set_starters(ctx, "approval", ["expert", "janitor"], "designer")
    assert caught.value.field_errors["starters"].params == {"roles": "janitor"}
    with pytest.raises(NotFound):
        starters.set_starters(ctx, "no_such_process", ["expert"], "designer")
    with pytest.raises(NotFound):
        starters.startable_processes(ctx, "nobody")


def test_a_new_model_and_a_copy_have_starters_from_the_start(ctx, approval):
    drafts.create_draft(ctx, "legal_review", "بازبینی حقوقی", "designer", role="expert")
    assert starters.access(ctx, "legal_review", {}).starters == ("expert",)
    drafts.deploy_draft(ctx, "legal_review", 1, "designer", "نسخه نخست")
    assert "legal_review" in keys(ctx, "alice", {})
    starters.set_starters(ctx, "approval", ["head"], "designer", CATALOG)
    drafts.copy_draft(ctx, "approval", "approval_copy", "designer", catalog=CATALOG)
    assert starters.access(ctx, "approval_copy", CATALOG).starters == ("head",)
