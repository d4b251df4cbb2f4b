"""Over HTTP: an assignment queues its e-mail and sends none; the job runner does."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from engine.models import Job, User, utcnow
from engine.runtime.jobs import run_due_jobs
from tests.integration.support import token_for
from tests.integration.test_api_tasks import start_request
from tests.unit.test_mail import smtp  # noqa: F401 (the fixture)


def _queued_mail(engine) -> int:
    with engine.db.read() as session:
        return session.scalar(select(func.count()).select_from(Job).where(Job.kind == "email"))


def test_an_assignment_queues_the_mail_and_the_job_runner_sends_it(app, smtp):  # noqa: F811
    mailbox = smtp()
    engine = app.extensions["ravand"]
    with engine.db.transaction() as session:
        session.execute(update(User).values(email=User.username + "@tehran.ir"))
    client = app.test_client()
    started = start_request(client, token_for(app, "coord.expert"))
    assert started.status_code == 201, started.get_json()
    assert _queued_mail(engine) == 0  # a task for the whole group mails nobody
    task_id = started.get_json()["next_task"]["id"]
    given = client.post(
        f"/api/v1/tasks/{task_id}/assign",
        json={"assignee": "coord.expert", "reason": "پیگیری"},
        headers=token_for(app, "coord.head"),
    )
    assert given.status_code == 200, given.get_json()
    assert _queued_mail(engine) == 1 and mailbox.messages == []  # the answer came before the mail
    assert run_due_jobs(engine, now=utcnow() + timedelta(minutes=1))["fired"] >= 1
    assert [m.rcpt_tos for m in mailbox.messages] == [["coord.expert@tehran.ir"]]
