"""Scripts come from Ravand's own files only: no template holds an inline script or event handler, and
every answer says so in its Content-Security-Policy (``script-src 'self'``, no 'unsafe-inline')."""

from __future__ import annotations

import re
from pathlib import Path

from tests.integration.support import client_of

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def offences(source: str) -> list[str]:
    found = [m.group(0)[:80] for m in HANDLER.finditer(source)]
    found += [m.group(0)[:80] for m in JS_URL.finditer(source)]
    for match in SCRIPT.finditer(source):
        attributes, body = match.group(1), match.group(2)
        data = re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attributes)
        if body.strip() and not data:
            found.append(match.group(0)[:80])
    return found


def test_the_scan_finds_each_kind_of_inline_script():
    assert offences('<button type="button" onclick="window.print()">')
    assert offences('<select\n  name="x" onChange="this.form.submit()">')
    assert offences("<script>alert(1)</script>")
    assert offences('<a href="javascript:alert(1)">')
    assert not offences('<script type="application/json" id="d">{"a": 1}</script>')
    assert not offences('<script src="/static/dist/app.js"></script><button data-print>')


def test_no_template_holds_an_inline_script_or_handler():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 40
    found = {str(p.relative_to(TEMPLATES)): o for p in templates if (o := offences(p.read_text()))}
    assert found == {}


def test_every_answer_allows_scripts_from_ravand_only(app):
    for client, url in [(app.test_client(), "/login"), (client_of(app, "deputy"), "/monitor/")]:
        policy = client.get(url).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert directives["frame-ancestors"] == "'none'"
