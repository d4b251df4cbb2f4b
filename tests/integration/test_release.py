"""The release: a wheel built from the checkout holds everything Ravand needs, and installed into a
fresh virtualenv far from the checkout it migrates a database and serves pages under gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (ROOT / "web" / "static" / "dist" / "app.js").is_file():
        pytest.fail("the front-end assets are not built (make assets)")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("ravand-*.whl")
    return built


def test_the_wheel_holds_templates_assets_catalogs_migrations_and_processes(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    templates = sum(p.is_file() for p in (ROOT / "web" / "templates").rglob("*"))
    assert sum(n.startswith("web/templates/") for n in names) == templates
    assert "web/static/dist/app.js" in names and "web/static/dist/designer/designer.js" in names
    assert "web/translations/fa/LC_MESSAGES/messages.mo" in names
    assert any(n.startswith("ravand_data/migrations/versions/") for n in names)
    assert "ravand_data/processes/catalog.yaml" in names
    assert not any(n.endswith(".map") for n in names)  # no source maps shipped


def test_the_installed_wheel_serves_pages_under_gunicorn(wheel, tmp_path):
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=600, capture_output=True
    )
    work = tmp_path / "srv"  # far from the checkout: nothing may be read from it
    work.mkdir()
    env = {
        "PATH": f"{target / 'bin'}:/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{work / 'ravand.db'}",
        "RAVAND_ENV": "production",
        "RAVAND_SECRET_KEY": "release-test-" + "k" * 30,
    }
    subprocess.run([target / "bin" / "ravand", "db", "upgrade"], check=True, cwd=work, env=env, timeout=120)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [target / "bin" / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "web:create_app()"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = None
        for _ in range(60):
            try:
                with urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert page and 'dir="rtl"' in page and "ورود" in page
        with urlopen(f"http://127.0.0.1:{port}/static/dist/app.js", timeout=5) as response:
            assert response.status == 200
        assert not os.path.exists(work / "instance" / "secret_key")  # production: the secret is the env's
    finally:
        server.terminate()
        server.wait(timeout=20)
