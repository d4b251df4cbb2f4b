"""E-mail through the job queue: a real SMTP server (aiosmtpd) with STARTTLS and a login, a failing one."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from engine.clock import SimulatedClock
from engine.models import HumanTask, Incident, Job, User, utcnow
from engine.notify.mail import SmtpSettings
from engine.notify.notices import notify_assigned
from engine.runtime.jobs import run_due_jobs
from engine.runtime.starting import start
from engine.work import inbox, tasks

LOGIN, SECRET = "ravand", "s3cret-mail"


def self_signed(tmp_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


class Mailbox:
    """What the server received, how many logins it saw, and (if ``refuse``) a temporary failure."""

    def __init__(self, refuse: bool = False) -> None:
        self.messages: list = []
        self.logins: list[bytes] = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 mailbox temporarily unavailable"
        self.messages.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(auth_data.login)
        valid = (auth_data.login, auth_data.password) == (LOGIN.encode(), SECRET.encode())
        return AuthResult(success=valid, handled=False)  # not handled: the server answers 535 itself


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    """Starts a server requiring STARTTLS (or, ``implicit``, TLS from the first byte) and a login on a
    free port, with the environment that reaches it; returns its mailbox."""
    cert, key = self_signed(tmp_path)
    servers = []

    def serve(refuse: bool = False, implicit: bool = False) -> Mailbox:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
        mailbox, port = Mailbox(refuse), free_port()
        # aiosmtpd counts only STARTTLS as TLS for AUTH; over SMTPS the whole connection is TLS.
        security = (
            {"ssl_context": tls, "auth_require_tls": False}
            if implicit
            else {"tls_context": tls, "require_starttls": True}
        )
        controller = Controller(
            mailbox,
            hostname="127.0.0.1",
            port=port,
            auth_required=True,
            authenticator=mailbox.authenticate,
            **security,
        )
        controller.start()
        servers.append(controller)
        for name, value in {
            "RAVAND_SMTP_HOST": "127.0.0.1",
            "RAVAND_SMTP_PORT": str(port),
            "RAVAND_SMTP_FROM": "ravand@tehran.ir",
            "RAVAND_SMTP_STARTTLS": "0" if implicit else "1",
            "RAVAND_SMTP_SSL": "1" if implicit else "0",
            "RAVAND_SMTP_USER": LOGIN,
            "RAVAND_SMTP_PASSWORD": SECRET,
            "RAVAND_SMTP_CA_FILE": cert,
            "RAVAND_SMTP_TIMEOUT": "5",
            "RAVAND_BASE_URL": "https://ravand.example/",
        }.items():
            monkeypatch.setenv(name, value)
        return mailbox

    yield serve
    for controller in servers:
        controller.stop()


def with_addresses(ctx) -> None:
    with ctx.db.transaction() as session:
        for user in session.scalars(select(User).where(User.username.in_(["alice", "bob"]))):
            user.email = f"{user.username}@tehran.ir"
            user.locale = "en" if user.username == "bob" else "fa"


def email_jobs(ctx) -> list[Job]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Job).where(Job.kind == "email").order_by(Job.id)))


def soon(minutes: int = 1) -> datetime:
    return utcnow() + timedelta(minutes=minutes)


def given_to_both(ctx, **details):
    """A case whose first task is given to alice, then to bob: one mail each. (A group task itself
    mails nobody: its holders are told in the app and by the daily digest.)"""
    instance = start(ctx, "approval", {}, user="root", unit="region-01", **details)
    (task,) = inbox.list_tasks(ctx, inbox.TaskQuery(instance_id=instance.id))
    assert email_jobs(ctx) == []
    tasks.assign(ctx, task["id"], "alice", user="root", reason="her turn")
    tasks.assign(ctx, task["id"], "bob", user="root", reason="alice is on leave")
    return instance, task


def test_notices_are_mailed_by_the_job_runner_over_starttls_with_a_login(ctx, approval, smtp):
    mailbox = smtp()
    with_addresses(ctx)
    _instance, task = given_to_both(ctx, title="پرونده آزمون")
    assert mailbox.messages == [] and len(email_jobs(ctx)) == 2  # queued with the notices, not sent
    assert run_due_jobs(ctx, now=soon()) == {"fired": 2, "failed": 0}
    assert email_jobs(ctx) == []
    assert mailbox.logins == [LOGIN.encode()]  # one connection, one login, for both mails
    mails = {m.rcpt_tos[0]: message_from_bytes(m.content, policy=policy.default) for m in mailbox.messages}
    persian, english = mails["alice@tehran.ir"], mails["bob@tehran.ir"]
    assert persian["Subject"] == "روند: کار «ثبت درخواست» به شما واگذار شد"
    assert persian["From"] == "ravand@tehran.ir"
    body = persian.get_content()
    assert "پرونده آزمون" in body and f"https://ravand.example/inbox/tasks/{task['id']}" in body
    assert english["Subject"] == "Ravand: the task 'ثبت درخواست' was assigned to you"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # it is TLS: SMTPS
def test_smtps_sends_over_tls_from_the_first_byte(ctx, approval, smtp):
    mailbox = smtp(implicit=True)
    with_addresses(ctx)
    given_to_both(ctx)
    result = run_due_jobs(ctx, now=soon())
    assert result == {"fired": 2, "failed": 0}, [j.last_error for j in email_jobs(ctx)]
    assert sorted(m.rcpt_tos[0] for m in mailbox.messages) == ["alice@tehran.ir", "bob@tehran.ir"]


def test_a_failing_mail_server_is_retried_then_an_incident_and_the_work_stays(ctx, approval, smtp):
    mailbox = smtp(refuse=True)
    with_addresses(ctx)
    ctx.clock = clock = SimulatedClock(utcnow())
    instance, _task = given_to_both(ctx)
    outcomes = []
    for _attempt in range(3):
        clock.advance(timedelta(minutes=1))  # past the backoff of the last attempt (10 s, then 20 s)
        outcomes.append(run_due_jobs(ctx))
    assert outcomes == [{"fired": 0, "failed": 0}] * 2 + [{"fired": 0, "failed": 2}]
    jobs = email_jobs(ctx)
    assert [(j.status, j.attempts) for j in jobs] == [("failed", 3), ("failed", 3)]
    assert all("451" in j.last_error and "temporarily unavailable" in j.last_error for j in jobs)
    with ctx.db.read() as session:
        incidents = session.scalars(select(Incident).where(Incident.instance_id == instance.id)).all()
    assert sorted(i.job_id for i in incidents) == [j.id for j in jobs]
    assert mailbox.messages == [] and mailbox.logins == [LOGIN.encode()] * 6  # reconnects after a failure
    (task,) = inbox.list_tasks(ctx, inbox.TaskQuery(instance_id=instance.id))
    assert task["element_id"] == "submit" and task["assignee"] == "bob"


@pytest.mark.parametrize(
    ("variable", "value", "error"),
    [
        ("RAVAND_SMTP_PASSWORD", "wrong", "The mail server refused the e-mail: 535"),
        # Without the CA file the self-signed certificate is not trusted: the connection is dropped.
        ("RAVAND_SMTP_CA_FILE", "", "CERTIFICATE_VERIFY_FAILED"),
    ],
)
def test_a_wrong_password_or_an_untrusted_certificate_fails_the_job(
    ctx, approval, smtp, monkeypatch, variable, value, error
):
    mailbox = smtp()
    with_addresses(ctx)
    monkeypatch.setenv(variable, value)
    given_to_both(ctx)
    assert run_due_jobs(ctx, now=soon())["failed"] == 2
    assert [error in j.last_error for j in email_jobs(ctx)] == [True, True]
    assert mailbox.messages == []


def test_a_login_without_tls_is_refused_before_the_password_is_sent(ctx, approval, smtp, monkeypatch):
    mailbox = smtp()
    with_addresses(ctx)
    monkeypatch.setenv("RAVAND_SMTP_STARTTLS", "0")
    given_to_both(ctx)
    run_due_jobs(ctx, now=soon())
    assert all("STARTTLS or SSL" in j.last_error for j in email_jobs(ctx))
    assert mailbox.logins == []


def test_a_rolled_back_transaction_queues_no_mail(ctx, approval, smtp):
    mailbox = smtp()
    with_addresses(ctx)
    instance = start(ctx, "approval", {}, user="root", unit="region-01")
    (task,) = inbox.list_tasks(ctx, inbox.TaskQuery(instance_id=instance.id))
    with pytest.raises(RuntimeError), ctx.db.transaction() as session:
        row = session.get(HumanTask, task["id"])
        row.assignee = "alice"
        notify_assigned(session, row, utcnow())
        assert session.scalars(select(Job).where(Job.kind == "email")).all()  # queued in the transaction
        raise RuntimeError("the request failed after the task was given")
    assert email_jobs(ctx) == []
    run_due_jobs(ctx, now=soon())
    assert mailbox.messages == []


def test_without_a_host_no_mail_is_queued(ctx, approval, monkeypatch):
    monkeypatch.delenv("RAVAND_SMTP_HOST", raising=False)
    with_addresses(ctx)
    given_to_both(ctx)
    assert email_jobs(ctx) == []


def test_the_port_chooses_starttls_or_ssl_unless_told():
    assert SmtpSettings.from_env({}) is None
    submission = SmtpSettings.from_env({"RAVAND_SMTP_HOST": "mail", "RAVAND_SMTP_PORT": "587"})
    assert (submission.starttls, submission.ssl, submission.timeout) == (True, False, 10.0)
    smtps = SmtpSettings.from_env({"RAVAND_SMTP_HOST": "mail", "RAVAND_SMTP_PORT": "465"})
    assert (smtps.starttls, smtps.ssl) == (False, True)
    plain = SmtpSettings.from_env({"RAVAND_SMTP_HOST": "mail", "RAVAND_SMTP_STARTTLS": "0"})
    assert (plain.port, plain.starttls, plain.ssl) == (25, False, False)
    told = SmtpSettings.from_env(
        {"RAVAND_SMTP_HOST": "mail", "RAVAND_SMTP_PORT": "2525", "RAVAND_SMTP_SSL": "yes"}
    )
    assert (told.starttls, told.ssl) == (False, True)
