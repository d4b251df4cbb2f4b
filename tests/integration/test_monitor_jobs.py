"""A retry that fails again says so (page and API, Persian and English) and keeps its one incident; the
jobs page and API show failed and overdue jobs, the retry offered only to who has authority."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.definitions.bundle import Bundle
from engine.definitions.deployment import deploy
from engine.models import Incident, Job
from engine.notify.fake_gateway import FakeGateway
from engine.runtime.jobs import MAX_ATTEMPTS, run_due_jobs
from engine.runtime.starting import start
from tests.engine.test_supervision import FAILING
from tests.integration.support import client_of, text, token_for


def _broken_case(app) -> tuple[int, int]:
    ctx = app.extensions["ravand"]
    deploy(ctx, Bundle("doubling", {"doubling.bpmn": FAILING}))
    broken = start(ctx, "doubling", {"value": None}, user="coord.expert").id
    with ctx.db.transaction() as session:
        return broken, session.scalar(select(Incident.id).where(Incident.instance_id == broken))


def _incidents(app, instance_id: int) -> list[tuple[int, int, bool]]:
    with app.extensions["ravand"].db.transaction() as session:
        rows = session.scalars(select(Incident).where(Incident.instance_id == instance_id)).all()
        return [(i.id, i.attempts, i.resolved_at is None) for i in rows]


def test_a_retry_that_fails_again_says_so_on_the_page_and_in_the_api(app):
    broken, incident_id = _broken_case(app)
    deputy = client_of(app, "deputy")
    page = text(
        deputy.post(
            f"/monitor/incidents/{incident_id}/retry",
            data={"reason": "دوباره", "instance": broken},
            follow_redirects=True,
        )
    )
    assert "اجرای دوباره باز هم ناموفق بود (تلاش ۲)" in page and "NoneType" in page
    assert "The incident was retried" not in page and "اجرای دوباره موفق" not in page
    assert _incidents(app, broken) == [(incident_id, 2, True)]

    answer = app.test_client().post(
        f"/api/v1/monitor/incidents/{incident_id}/retry?lang=en",
        json={"reason": "again"},
        headers=token_for(app, "deputy"),
    )
    assert answer.status_code == 200, answer.json
    retry = answer.json["retry"]
    assert retry["outcome"] == "failed_again" and retry["attempts"] == 3
    assert retry["message"].startswith("The retry failed again (attempt 3)")
    assert answer.json["status"] == "incident"
    assert [(i["id"], i["attempts"], i["resolved"]) for i in answer.json["incidents"]] == [
        (incident_id, 3, False)
    ]
    assert _incidents(app, broken) == [(incident_id, 3, True)]
    page = text(deputy.get(f"/monitor/instances/{broken}"))
    assert "تلاش‌ها: ۳" in page


@pytest.fixture
def gateway(monkeypatch):
    server = FakeGateway(fail={"09121234567"}).start()
    monkeypatch.setenv("RAVAND_SMS_SENDER", "kavenegar")
    monkeypatch.setenv("RAVAND_SMS_API_KEY", "test-key")
    monkeypatch.setenv("RAVAND_SMS_URL", server.url)
    yield server
    server.shutdown()


def _failed_jobs(app, clock, case_id: int) -> tuple[int, int]:
    """An SMS of the case whose gateway refuses it, tried until it failed, and a job of no case."""
    ctx = app.extensions["ravand"]
    with ctx.db.transaction() as session:
        sms = Job(
            kind="sms",
            due_at=clock.now() - timedelta(seconds=1),
            payload={"receptor": "09121234567", "message": "سلام", "from_instance": case_id},
        )
        orphan = Job(kind="no-such-kind", due_at=clock.now() - timedelta(seconds=1))
        late = Job(kind="overdue", due_at=clock.now() + timedelta(days=30), task_id="x")
        session.add_all([sms, orphan, late])
        session.flush()
        ids = sms.id, orphan.id
    for _ in range(MAX_ATTEMPTS):
        run_due_jobs(ctx)
        clock.advance(timedelta(minutes=2))
    return ids


def test_the_jobs_page_and_api_show_failed_jobs_with_a_scoped_retry(app, clock, gateway):
    broken, _incident = _broken_case(app)
    sms, orphan = _failed_jobs(app, clock, broken)
    deputy = client_of(app, "deputy")
    page = text(deputy.get("/monitor/jobs"))
    assert 'href="/monitor/jobs"' in text(deputy.get("/monitor/"))  # in the monitor's navigation
    assert f'data-job="{sms}"' in page and f'data-job="{orphan}"' in page
    assert "HTTP 500" in page and "no-such-kind" in page and "پیامک" in page
    assert f'action="/monitor/jobs/{sms}/retry"' in page
    assert f'action="/monitor/jobs/{orphan}/retry"' not in page  # a job of no case: administrators only
    assert f'href="/monitor/instances/{broken}"' in page
    assert "خارج از اختیار شما" in page

    api = app.test_client()
    listed = api.get("/api/v1/monitor/jobs?show=failed", headers=token_for(app, "deputy")).json
    rows = {row["id"]: row for row in listed["items"]}
    assert listed["total"] == 2 and listed["counts"]["failed"] == 2
    assert rows[sms]["instance_id"] == broken and rows[sms]["attempts"] == MAX_ATTEMPTS
    assert rows[sms]["may_retry"] and not rows[orphan]["may_retry"] and rows[orphan]["instance_id"] is None
    assert "HTTP 500" in rows[sms]["last_error"]
    refused = api.post(
        f"/api/v1/monitor/jobs/{orphan}/retry", json={"reason": "x"}, headers=token_for(app, "deputy")
    )
    assert refused.status_code == 403

    region = api.get("/api/v1/monitor/jobs?show=failed", headers=token_for(app, "region05.manager")).json
    assert region["items"] == [] and region["counts"]["failed"] == 0
    assert f'data-job="{sms}"' not in text(client_of(app, "region05.manager").get("/monitor/jobs"))
    assert (
        client_of(app, "region05.manager")
        .post(f"/monitor/jobs/{sms}/retry", data={"reason": "x"})
        .status_code
        == 404
    )

    retried = text(
        deputy.post(f"/monitor/jobs/{sms}/retry", data={"reason": "دوباره"}, follow_redirects=True)
    )
    assert "اجرای دوباره باز هم ناموفق بود (تلاش ۴)" in retried
    gateway.fail.clear()
    retried = text(
        deputy.post(f"/monitor/jobs/{sms}/retry", data={"reason": "درست شد"}, follow_redirects=True)
    )
    assert "اجرای دوباره موفق بود" in retried and f'data-job="{sms}"' not in retried

    admin = client_of(app, "admin")
    assert f'action="/monitor/jobs/{orphan}/retry"' in text(admin.get("/monitor/jobs"))
    answer = api.post(
        f"/api/v1/monitor/jobs/{orphan}/retry?lang=en", json={"reason": "x"}, headers=token_for(app, "admin")
    )
    assert answer.status_code == 200 and answer.json["retry"]["outcome"] == "failed_again"
    assert answer.json["retry"]["attempts"] == MAX_ATTEMPTS + 1


def test_jobs_past_due_that_nobody_ran_are_listed(app, clock):
    ctx = app.extensions["ravand"]
    with ctx.db.transaction() as session:
        session.add(Job(kind="no-such-kind", due_at=clock.now() - timedelta(hours=2)))
        session.add(Job(kind="no-such-kind", due_at=clock.now() + timedelta(hours=2)))
    listed = app.test_client().get("/api/v1/monitor/jobs?show=overdue", headers=token_for(app, "admin")).json
    assert listed["total"] == listed["counts"]["overdue"] >= 1
    assert all(row["overdue"] and row["status"] == "pending" for row in listed["items"])
    assert listed["counts"]["pending"] > listed["counts"]["overdue"]
    page = text(client_of(app, "admin").get("/monitor/jobs?show=overdue"))
    assert "گذشته از موعد" in page
