"""Logging setup: one JSON object per line in production (RAVAND_LOG_FORMAT=json), plain text otherwise.

Fields passed with ``extra=`` (instance_id, task_id, job_id, route, status…) become keys of the line.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_format() -> str:
    default = "json" if os.environ.get("RAVAND_ENV") == "production" else "text"
    return os.environ.get("RAVAND_LOG_FORMAT", default)


def configure_logging(level: int = logging.INFO) -> None:
    """Ravand's loggers write to stderr in the configured format (idempotent)."""
    root = logging.getLogger("ravand")
    if getattr(root, "_ravand_configured", False):
        return
    handler = logging.StreamHandler()
    if log_format() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("ravand", "engine"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    root._ravand_configured = True
