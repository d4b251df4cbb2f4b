"""The engine's context of this app (made once in ``create_app``), for every blueprint."""

from __future__ import annotations

from flask import current_app

from engine.context import Context


def engine() -> Context:
    return current_app.extensions["ravand"]
