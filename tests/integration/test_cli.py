"""The ``ravand`` command line, run as a real process against a real SQLite file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES


@pytest.fixture
def ravand(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "engine.cli", "--database", url, *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).parents[2],
        )
        assert (done.returncode == 0) == ok, done.stderr
        return done

    run("db", "upgrade", "--json")
    run("seed-demo", "--json")
    return run


def _json(done) -> object:
    return json.loads(done.stdout)


def _bundle_with_roles(tmp_path: Path) -> Path:
    """The approval fixture with lanes naming demo roles."""
    folder = tmp_path / "approval"
    shutil.copytree(FIXTURES / "approval", folder)
    bpmn = folder / "approval.bpmn"
    bpmn.write_text(
        bpmn.read_text()
        .replace('name="expert"', 'name="coord_expert"')
        .replace('name="head"', 'name="coord_head"')
    )
    return folder


def test_deploy_start_list_complete_show(ravand, tmp_path):
    folder = _bundle_with_roles(tmp_path)
    deployed = _json(ravand("deploy", str(folder), "--json", "--user", "designer"))
    assert deployed == {"key": "approval", "version": 1, "id": 1, "created": True}
    assert _json(ravand("deploy", str(folder), "--json"))["created"] is False
    started = _json(
        ravand("start", "approval", "--data", '{"title": "آزمون"}', "--user", "coord.expert", "--json")
    )
    assert started["status"] == "running"
    (task,) = _json(ravand("tasks", "--user", "coord.expert", "--json"))
    assert (task["instance_id"], task["name"], task["lane"], task["form_key"]) == (
        started["instance_id"],
        "ثبت درخواست",
        "coord_expert",
        "request.json",
    )
    data = json.dumps({"amount": 250, "description": "چاپ بروشور"})
    ravand("complete", task["id"], "--data", data, "--user", "coord.expert", "--json")
    again = ravand("complete", task["id"], "--data", data, "--user", "coord.expert", "--json", ok=False)
    assert json.loads(again.stderr)["error"]["code"] == "conflict"
    assert "already completed by زهرا محمدی" in again.stderr
    shown = _json(ravand("show", str(started["instance_id"]), "--json"))
    assert shown["status"] == "running" and shown["data"]["total"] == 500
    assert [t["name"] for t in shown["open_tasks"]] == ["تأیید رئیس"]
    kinds = [h["kind"] for h in shown["history"] if h["kind"] != "element"]
    assert kinds == ["started", "task_completed"]


def test_bad_bundles_are_refused_with_file_and_line(ravand, tmp_path):
    folder = _bundle_with_roles(tmp_path)
    (folder / "decision.json").unlink()
    refused = ravand("deploy", str(folder), "--json", ok=False)
    (problem,) = json.loads(refused.stderr)["error"]["problems"]
    assert (problem["file"], problem["line"], problem["element"]) == ("approval.bpmn", 46, "approve")

    xxe = tmp_path / "xxe" / "evil.bpmn"
    xxe.parent.mkdir()
    xxe.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        '<process id="evil" isExecutable="true"><documentation>&x;</documentation></process></definitions>'
    )
    refused = ravand("deploy", str(xxe), ok=False)
    assert "evil.bpmn:2" in refused.stderr and "DTD" in refused.stderr
    assert "root:" not in refused.stderr
    assert _json(ravand("definitions", "--json")) == []


def test_start_validates_the_start_form_like_the_pages_do(ravand):
    root = Path(__file__).parents[2]
    ravand("deploy", str(root / "processes" / "coord"), "--json")
    refused = ravand("start", "citizen_meeting", "--data", '{"full_name": ""}', "--json", ok=False)
    error = json.loads(refused.stderr)["error"]
    assert error["code"] == "invalid_data" and {"full_name", "phone"} <= set(error["fields"])
    assert json.loads(ravand("show", "1", "--json", ok=False).stderr)["error"]["code"] == "not_found"


def test_deploy_check_reports_every_problem_located_and_never_a_traceback(ravand, tmp_path):
    folder = _bundle_with_roles(tmp_path)
    bpmn = folder / "approval.bpmn"
    bpmn.write_text(
        bpmn.read_text()
        .replace(
            "</bpmn:process>",
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
            "<bpmn:timeDate/></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent></bpmn:process>",
        )
        .replace("total &gt; 100", "total &gt;")
    )
    done = ravand("deploy", str(folder), "--check", ok=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "approval.bpmn:" in done.stderr and "[wait] The timer's timeDate is empty." in done.stderr
    assert "[flow_big] The condition does not run in the sandbox" in done.stderr
    as_json = json.loads(ravand("deploy", str(folder), "--check", "--json", ok=False).stderr)
    problems = as_json["error"]["problems"]
    assert {(p["element"], p["rule"]) for p in problems} >= {
        ("wait", "timer-values"),
        ("flow_big", "expressions-compile"),
    }
    timer = next(p for p in problems if p["element"] == "wait" and p["rule"] == "timer-values")
    assert timer["template"] == "The timer's {kind} is empty." and timer["params"] == {"kind": "timeDate"}
    assert timer["line"] and timer["file"] == "approval.bpmn"


@pytest.mark.parametrize("encoding", ["UTF-7", "UTF-16", "made-up"])
def test_a_bpmn_in_another_encoding_is_a_located_problem(ravand, tmp_path, encoding):
    folder = _bundle_with_roles(tmp_path)
    bpmn = folder / "approval.bpmn"
    text = bpmn.read_text()
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
    bpmn.write_bytes((declaration + body).encode("utf-8"))
    done = ravand("deploy", str(folder), "--check", ok=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"approval.bpmn:1: The file is encoded as {encoding}; it must be UTF-8." in done.stderr
