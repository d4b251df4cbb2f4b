"""A citizen who comes to the counter: staff with a walk-in role start the public case for them."""

from __future__ import annotations

import pytest

from engine.cases.public_status import public_status
from engine.cases.show import show
from engine.cases.start import StartRequest, start_process
from engine.definitions.starters import walk_in_processes
from engine.errors import Forbidden, InvalidData
from tests.processes.test_citizen_meeting import REQUEST


@pytest.fixture
def ctx(catalog):
    catalog.deploy("citizen_meeting")
    return catalog.context


def test_a_coordination_expert_starts_a_meeting_request_and_gets_its_tracking_code(ctx):
    assert [p.key for p in walk_in_processes(ctx, "coord.expert")] == ["citizen_meeting"]
    started = start_process(
        ctx, StartRequest("citizen_meeting", dict(REQUEST), user="coord.expert", walk_in=True)
    )
    assert len(started.tracking_code) == 10 and started.started_by == "coord.expert"
    assert show(ctx, started.instance_id)["data"]["tracking_code"] == started.tracking_code
    assert public_status(ctx, started.tracking_code).state == "in_progress"


def test_walk_in_needs_the_role_and_a_valid_form(ctx):
    assert walk_in_processes(ctx, "region05.manager") == []
    with pytest.raises(Forbidden):
        start_process(
            ctx, StartRequest("citizen_meeting", dict(REQUEST), user="region05.manager", walk_in=True)
        )
    with pytest.raises(InvalidData) as bad:
        start_process(
            ctx,
            StartRequest("citizen_meeting", {**REQUEST, "phone": "12"}, user="coord.expert", walk_in=True),
        )
    assert "phone" in bad.value.field_errors
