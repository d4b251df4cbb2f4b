"""The heat map counts one way for each viewer: a region's PR manager sees their region's tasks and the
flow of their region's own cases only, never the whole of the central rollout; and each "waiting now"
opens the list of exactly those instances, at a task, a message or a timer alike."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from engine.org.access import scope_for_user
from engine.reporting.heatmap import element_stats
from engine.reporting.processes import definitions_in_scope
from tests.integration.support import token_for
from tests.integration.test_dashboard_links import worked  # noqa: F401  (the fixture)


@pytest.mark.parametrize("username", ["deputy", "region05.manager"])
def test_each_waiting_figure_opens_its_instances(worked, username):  # noqa: F811
    ctx, api = worked.extensions["ravand"], worked.test_client()
    headers, scope = token_for(worked, username), scope_for_user(ctx, username)
    followed = 0
    for definition in definitions_in_scope(ctx, scope):
        for element in element_stats(ctx, scope, definition["id"]).values():
            if not element["waiting_now"]:
                continue
            args = {
                "process": definition["key"],
                "version": definition["version"],
                "element": element["element_id"],
            }
            answer = api.get(f"/api/v1/monitor/instances?{urlencode(args)}&limit=1", headers=headers)
            assert (element["element_id"], answer.json["total"]) == (
                element["element_id"],
                element["waiting_now"],
            )
            followed += 1
    assert followed >= 1


def test_a_regions_map_of_the_central_rollout_is_the_regions_own(worked):  # noqa: F811
    ctx = worked.extensions["ravand"]
    region, everything = scope_for_user(ctx, "region05.manager"), scope_for_user(ctx, "deputy")
    (rollout,) = [d for d in definitions_in_scope(ctx, everything) if d["key"] == "policy_rollout"][:1]
    theirs, all_of_it = (
        element_stats(ctx, region, rollout["id"]),
        element_stats(ctx, everything, rollout["id"]),
    )
    with ctx.db.read() as session:
        from sqlalchemy import select

        from engine.models import HumanTask, OrgUnit

        region_tasks = session.scalars(
            select(HumanTask.element_id)
            .join(OrgUnit, OrgUnit.id == HumanTask.unit_id)
            .where(OrgUnit.code == "region-05", HumanTask.process_key == "policy_rollout")
        ).all()
    assert region_tasks, "the rollout gave region 5 tasks"
    assert set(theirs) == set(region_tasks), "only the region's own steps, no flow of the central case"
    assert any(all_of_it[e]["passed"] for e in all_of_it if e not in set(region_tasks))
    for element_id in set(region_tasks):
        mine = theirs[element_id]
        assert mine["passed"] + mine["waiting_now"] <= region_tasks.count(element_id)
