"""E-mail: each notice is a job of kind ``email``, sent by the job runner over SMTP, never in a request.

The job carries the mail's address, subject and body, written in the reader's language when the notice
was made (``engine.notify.email``). A run of the queue keeps one SMTP connection for all the mail it
sends (``Outbox``); a failure drops the connection, and the queue retries the job and, after the last
attempt, opens an incident on the case.

Configured by the environment, read at each run: ``RAVAND_SMTP_HOST`` (e-mail is off without it),
``RAVAND_SMTP_PORT`` (25), ``RAVAND_SMTP_FROM``, ``RAVAND_SMTP_STARTTLS`` (on by default for port 587),
``RAVAND_SMTP_SSL`` (TLS from the first byte; on by default for port 465), ``RAVAND_SMTP_USER`` and
``RAVAND_SMTP_PASSWORD`` (login, only over TLS), ``RAVAND_SMTP_CA_FILE`` (certificates to trust
besides the system's), ``RAVAND_SMTP_TIMEOUT`` (seconds) and ``RAVAND_BASE_URL`` for the link.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from engine.errors import N_, RavandError

KIND = "email"
# Folding a Persian subject into several encoded words loses the space at the fold (CPython's encoder):
# long header lines keep each subject whole.
_UNFOLDED = policy.default.clone(max_line_length=998)


class MailFailed(RavandError):
    """The SMTP server refused the mail or could not be reached; the job queue retries it."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "ravand@localhost"
    starttls: bool = False
    ssl: bool = False
    user: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout: float = 10.0
    base_url: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The settings of ``RAVAND_SMTP_*``; None when no host is set (e-mail off)."""
        env = os.environ if env is None else env
        host = env.get("RAVAND_SMTP_HOST")
        if not host:
            return None
        port = int(env.get("RAVAND_SMTP_PORT") or 25)
        implicit_tls = _flag(env.get("RAVAND_SMTP_SSL"), port == 465)
        return cls(
            host=host,
            port=port,
            sender=env.get("RAVAND_SMTP_FROM") or "ravand@localhost",
            ssl=implicit_tls,
            starttls=not implicit_tls and _flag(env.get("RAVAND_SMTP_STARTTLS"), port == 587),
            user=env.get("RAVAND_SMTP_USER") or None,
            password=env.get("RAVAND_SMTP_PASSWORD") or None,
            ca_file=env.get("RAVAND_SMTP_CA_FILE") or None,
            timeout=float(env.get("RAVAND_SMTP_TIMEOUT") or 10),
            base_url=(env.get("RAVAND_BASE_URL") or "").rstrip("/"),
        )

    def tls_context(self) -> ssl.SSLContext:
        """The system's trusted certificates (and the CA file's), with host names checked."""
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        return context


def mail_enabled() -> bool:
    return bool(os.environ.get("RAVAND_SMTP_HOST"))


def compose(settings: SmtpSettings, payload: Mapping) -> EmailMessage:
    """The plain-text mail of an ``email`` job: its subject and body were written, in the reader's
    language, when it was queued (``engine.notify.email``)."""
    mail = EmailMessage(policy=_UNFOLDED)
    mail["Subject"] = payload["subject"]
    mail["From"] = settings.sender
    mail["To"] = payload["to"]
    mail.set_content(payload["body"])
    return mail


class Outbox:
    """One SMTP connection for the mail of one run of the job queue, opened at the first mail."""

    def __init__(self, settings: SmtpSettings | None = None):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, payload: Mapping) -> None:
        settings = self.settings or SmtpSettings.from_env()
        if settings is None:
            return  # e-mail was turned off after the job was queued
        self.settings = settings
        try:
            smtp = self._smtp or self._connect(settings)
            self._smtp = smtp
            smtp.send_message(compose(settings, payload))
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise MailFailed(
                N_("The mail server refused the e-mail: {code} {error}."),
                code=exc.smtp_code,
                error=_text(exc.smtp_error),
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailFailed(N_("The mail server could not be reached: {error}."), error=str(exc)) from exc

    def _connect(self, settings: SmtpSettings) -> smtplib.SMTP:
        if settings.ssl:
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=settings.tls_context()
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            if settings.starttls:
                smtp.starttls(context=settings.tls_context())
            if settings.user:
                if not (settings.ssl or settings.starttls):
                    raise MailFailed(
                        N_("E-mail login needs STARTTLS or SSL: the password would go in clear.")
                    )
                smtp.login(settings.user, settings.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self._smtp is None:
            return
        smtp, self._smtp = self._smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _text(error: bytes | str) -> str:
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
