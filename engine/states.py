"""The states of instances, human tasks and jobs."""

from __future__ import annotations

ACTIVE = ("running", "incident")
ENDED = ("completed", "terminated", "failed")  # failed: an error nobody caught
