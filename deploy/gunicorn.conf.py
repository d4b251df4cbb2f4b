"""gunicorn's settings for Ravand, each overridable from the environment (see README, Production)."""

import os

bind = os.environ.get("RAVAND_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("RAVAND_WEB_WORKERS", "4"))
threads = int(os.environ.get("RAVAND_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
# Requests are logged by Ravand itself (one JSON line each, web/ops); gunicorn keeps its error log.
accesslog = None
errorlog = "-"
