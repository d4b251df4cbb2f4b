"""Scripts that try to escape: deploy refuses them, or the task becomes an incident; nothing escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cases import show
from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.errors import BundleInvalid
from engine.runtime import starting
from engine.work import tasks
from engine.work.inbox import TaskQuery, list_tasks
from tests.conftest import bundle_of

REFUSED_AT_DEPLOY = [
    "import os\nos.system('touch {marker}')",
    "__import__('os').system('touch {marker}')",
    "x = ().__class__.__base__.__subclasses__()",
    "g = (i for i in [1]).gi_frame.f_globals",
    "with open('{marker}', 'w') as f:\n    f.write('x')",
]
FAIL_AT_RUN = [
    "open('{marker}', 'w')",
    "getattr(total, 'real')",
    "eval('1')",
    "exec('x = 1')",
    "f = '{{0.__class__}}'.format(1)",
    "x = 'a' * 10**10",
]


def _with_script(script: str) -> Bundle:
    bundle = bundle_of("approval")
    bundle.files["approval.bpmn"] = bundle.files["approval.bpmn"].replace(
        b"total = amount * 2", script.encode() + b"\ntotal = amount * 2"
    )
    return bundle


@pytest.mark.parametrize("script", REFUSED_AT_DEPLOY)
def test_escapes_are_refused_at_deploy(ctx, script, tmp_path: Path):
    marker = tmp_path / "escaped"
    with pytest.raises(BundleInvalid) as caught:
        deploy(ctx, _with_script(script.format(marker=marker)))
    assert any(p.element == "compute" for p in caught.value.problems)
    assert not marker.exists()


@pytest.mark.parametrize("script", FAIL_AT_RUN)
def test_escapes_that_compile_become_incidents(ctx, script, tmp_path: Path):
    marker = tmp_path / "escaped"
    source = script.format(marker=marker)
    try:
        deploy(ctx, _with_script(source))
    except BundleInvalid:
        assert not marker.exists()
        return
    instance = starting.start(ctx, "approval", {}, unit="region-01")
    (submit,) = list_tasks(ctx, TaskQuery(instance_id=instance.id))
    tasks.complete(ctx, submit["id"], {"amount": 10, "description": "x"}, user="alice")
    shown = show.show(ctx, instance.id)
    assert shown["status"] == "incident"
    assert shown["incidents"][0]["element"] == "compute"
    assert not marker.exists()
