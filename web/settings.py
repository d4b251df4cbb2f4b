"""Ravand's settings, read from the environment only: every ``RAVAND_*`` variable with its default.

The README's settings table is this list. Settings the engine reads itself (attachments, SMTP,
Thursday) are listed too so one place documents them all; ``load_settings`` puts the web ones in
the Flask config.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str], object] = str
    web: bool = True


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS = (
    Setting("RAVAND_ENV", "development", "`production` refuses to start without a secret and logs JSON"),
    Setting("RAVAND_SECRET_KEY", "(a file in instance/ outside production)", "signs sessions and forms"),
    Setting(
        "DATABASE_URL", "sqlite:///instance/ravand.db", "SQLAlchemy URL (postgresql+psycopg://…)", web=False
    ),
    Setting("RAVAND_BASE_URL", "", "public address used in e-mail links", web=False),
    Setting("RAVAND_SCHEDULER", "0", "1: run due jobs inside the web process (development)", _flag),
    Setting("RAVAND_SESSION_MINUTES", "480", "minutes of inactivity before a session ends", int),
    Setting("RAVAND_LOGIN_ATTEMPTS", "5", "failed logins per address before 429", int),
    Setting("RAVAND_LOGIN_WINDOW_SECONDS", "300", "window of the failed-login count", int),
    Setting("RAVAND_PUBLIC_SUBMIT_LIMIT", "5", "public form submissions per address and window", int),
    Setting("RAVAND_PUBLIC_STATUS_LIMIT", "30", "public status look-ups per address and window", int),
    Setting("RAVAND_PUBLIC_WINDOW_SECONDS", "600", "window of the public limits", int),
    Setting("RAVAND_ATTACHMENTS_DIR", "instance/attachments", "where uploaded files are kept", web=False),
    Setting("RAVAND_ATTACHMENT_MAX_MB", "10", "largest accepted upload", web=False),
    Setting("RAVAND_THURSDAY", "off", "Thursday as a working day: off, half or full", web=False),
    Setting("RAVAND_SMTP_HOST", "(none: e-mail off)", "SMTP server for notifications", web=False),
    Setting("RAVAND_SMTP_PORT", "25", "SMTP port", web=False),
    Setting("RAVAND_SMTP_FROM", "ravand@localhost", "sender address", web=False),
    Setting(
        "RAVAND_SMTP_STARTTLS", "1 on port 587, else 0", "1: upgrade the connection with STARTTLS", web=False
    ),
    Setting("RAVAND_SMTP_SSL", "1 on port 465, else 0", "1: TLS from the first byte (SMTPS)", web=False),
    Setting("RAVAND_SMTP_USER", "(none: no login)", "SMTP login (only over STARTTLS or SSL)", web=False),
    Setting("RAVAND_SMTP_PASSWORD", "(none)", "SMTP password", web=False),
    Setting(
        "RAVAND_SMTP_CA_FILE", "(the system's)", "PEM certificates to trust for the SMTP server", web=False
    ),
    Setting("RAVAND_SMTP_TIMEOUT", "10", "seconds before an SMTP connection or reply is given up", web=False),
    Setting("RAVAND_LOG_FORMAT", "json in production, text otherwise", "json or text", web=False),
    Setting("RAVAND_MAX_REQUEST_MB", "25", "largest request body; a larger one is answered 413", web=False),
    Setting(
        "RAVAND_PROXY_COUNT",
        "0",
        "reverse proxies in front (X-Forwarded-For is trusted that deep)",
        web=False,
    ),
    Setting("RAVAND_PUBLIC_URL", "http://127.0.0.1:5000", "public address in the links SMS carry", web=False),
    Setting("RAVAND_SMS_SENDER", "log", "log (write SMS to the log) or kavenegar", web=False),
    Setting("RAVAND_SMS_URL", "https://api.kavenegar.com", "the SMS gateway's address", web=False),
    Setting("RAVAND_SMS_API_KEY", "(none)", "the SMS gateway's API key", web=False),
    Setting("RAVAND_SMS_LINE", "(the gateway's default)", "the sender line number", web=False),
    Setting("RAVAND_READY_NEEDS_WORKER", "1", "0: /readyz does not wait for a worker heartbeat", _flag),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR",
        "(none)",
        "shared folder for metrics of several gunicorn workers",
        web=False,
    ),
)


class MissingSecret(RuntimeError):
    """Production without RAVAND_SECRET_KEY: sessions would not survive a restart or span workers."""


def is_production(environ: Mapping[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("RAVAND_ENV", "development") == "production"


def load_settings(environ: Mapping[str, str] | None = None) -> dict:
    """The Flask config taken from the environment: only variables that are set, parsed."""
    environ = os.environ if environ is None else environ
    config: dict = {}
    for setting in SETTINGS:
        if setting.web and setting.name in environ and setting.name != "RAVAND_SECRET_KEY":
            config[setting.name] = setting.parse(environ[setting.name])
    config["RAVAND_PRODUCTION"] = is_production(environ)
    secret = environ.get("RAVAND_SECRET_KEY")
    if secret:
        config["SECRET_KEY"] = secret
    elif config["RAVAND_PRODUCTION"]:
        raise MissingSecret("RAVAND_ENV=production needs RAVAND_SECRET_KEY (a long random string)")
    return config
