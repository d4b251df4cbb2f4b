"""A real installation from the command line: its administrator and its organisation from a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.models import User


@pytest.fixture
def ravand(tmp_path):
    """The CLI on a fresh, empty installation (migrated, no demo data)."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"

    def run(*args: str, ok: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "engine.cli", "--database", url, *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).parents[2],
            env={**os.environ, **(env or {})},
        )
        assert (done.returncode == 0) == ok, done.stderr
        return done

    run("db", "upgrade")
    run.url = url
    return run


ORG = """
units:
  - {code: pr_deputy, name_fa: معاونت روابط عمومی, name_en: PR Deputy, kind: deputy}
  - {code: region-07, name_fa: منطقه ۷, name_en: Region 7, kind: region, parent: pr_deputy}
roles:
  - {code: unit_pr_manager, name_fa: مدیر روابط عمومی, name_en: PR manager}
users:
  - username: Leila.Karimi
    full_name: لیلا کریمی
    email: leila@example.ir
    password: a-strong-password
    positions: [{role: unit_pr_manager, unit: region-07}]
"""


def test_import_org_adds_then_updates_and_refuses_a_bad_file_whole(ravand, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    done = json.loads(ravand("import-org", str(org), "--json").stdout)
    assert done == {"units": 2, "roles": 1, "users": 1, "positions": 1}
    again = json.loads(ravand("import-org", str(org), "--json").stdout)
    assert again == {"units": 0, "roles": 0, "users": 0, "positions": 0}  # nothing twice
    bad = tmp_path / "bad.yaml"
    bad.write_text(ORG.replace("unit: region-07", "unit: nowhere") + "  - {username: x}\n", encoding="utf-8")
    refused = ravand("import-org", str(bad), ok=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "no role 'unit_pr_manager' or unit 'nowhere'" in refused.stderr and "users #2" in refused.stderr
    csv_file = tmp_path / "org.csv"
    csv_file.write_text("username,full_name,email,role,unit\nreza.n,رضا نوری,,unit_pr_manager,region-07\n")
    assert json.loads(ravand("import-org", str(csv_file), "--json").stdout)["positions"] == 1


def test_create_admin_makes_an_administrator(ravand):
    made = ravand(
        "create-admin", "--username", "root.admin", "--json", env={"RAVAND_ADMIN_PASSWORD": "long-enough-1"}
    )
    assert json.loads(made.stdout)["is_admin"] is True
    database = Database(ravand.url)
    with database.read() as session:
        user = session.scalar(select(User).where(User.username == "root.admin"))
        assert user.is_admin and user.password_hash.startswith("$argon2")
    database.dispose()
    short = ravand("create-admin", "--username", "x.y", ok=False, env={"RAVAND_ADMIN_PASSWORD": "short"})
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
