"""The staff's pages: the inbox (کارتابل), a task, starting a process, my requests, and the
administration of users, positions and delegations. One blueprint; each module adds its routes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inbox", __name__)

from web.inbox import admin, labels, notices, referral, start, tasks  # noqa: E402, F401  (they register on bp)
