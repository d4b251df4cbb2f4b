"""Text messages: a sender interface, Kavenegar's REST API, and a sender that only logs.

Configured by the environment: ``RAVAND_SMS_SENDER`` is ``kavenegar`` or ``log`` (the default: the
text is written to the log, nothing leaves the machine); for Kavenegar ``RAVAND_SMS_API_KEY``, the
line ``RAVAND_SMS_LINE`` (optional) and ``RAVAND_SMS_URL`` (default ``https://api.kavenegar.com``; the
fake gateway of ``engine/notify/fake_gateway.py`` in tests and the demo).
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from engine.definitions.identifiers import mobile
from engine.errors import N_, RavandError

log = logging.getLogger(__name__)


class SmsFailed(RavandError):
    """The gateway refused or could not be reached; the job queue retries, then opens an incident."""


class SmsSender(Protocol):
    def send(self, receptor: str, message: str) -> str:
        """Send one message; returns the gateway's message id."""


def normalize_mobile(text: str | None) -> str | None:
    """``09xxxxxxxxx`` from Persian or Latin digits, ``+98``/``0098`` prefixes; None when not a mobile."""
    try:
        return mobile(text or "")
    except ValueError:
        return None


class LogSender:
    """Writes the message to the log: the default where no gateway is configured."""

    def send(self, receptor: str, message: str) -> str:
        log.info("SMS to %s: %s", receptor, message)
        return "logged"


@dataclass(frozen=True)
class KavenegarSender:
    """Kavenegar's ``/v1/{API-KEY}/sms/send.json`` with ``receptor``, ``message`` and ``sender``."""

    api_key: str
    base_url: str = "https://api.kavenegar.com"
    line: str | None = None
    timeout: float = 10.0

    def send(self, receptor: str, message: str) -> str:
        fields = {"receptor": receptor, "message": message}
        if self.line:
            fields["sender"] = self.line
        url = f"{self.base_url.rstrip('/')}/v1/{urllib.parse.quote(self.api_key)}/sms/send.json"
        body = urllib.parse.urlencode(fields).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=self.timeout) as resp:
                answer = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise SmsFailed(
                N_("The SMS gateway refused the message: HTTP {status}."), status=exc.code
            ) from exc
        except (OSError, ValueError) as exc:
            raise SmsFailed(N_("The SMS gateway could not be reached: {error}."), error=str(exc)) from exc
        status = (answer.get("return") or {}).get("status")
        if status != 200:
            raise SmsFailed(N_("The SMS gateway refused the message: status {status}."), status=status)
        entries = answer.get("entries") or [{}]
        return str(entries[0].get("messageid", ""))


def sender_from_env(env: dict | None = None) -> SmsSender:
    """The sender the environment configures (read at each send, so a change needs no restart)."""
    env = os.environ if env is None else env
    if env.get("RAVAND_SMS_SENDER", "log") == "kavenegar":
        return KavenegarSender(
            api_key=env.get("RAVAND_SMS_API_KEY", ""),
            base_url=env.get("RAVAND_SMS_URL", "https://api.kavenegar.com"),
            line=env.get("RAVAND_SMS_LINE") or None,
        )
    return LogSender()
