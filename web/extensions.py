"""Flask extensions, created once and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine.schema import METADATA

db = SQLAlchemy(metadata=METADATA)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()


def select_locale() -> str:
    """Persian unless the user chose English (the ?lang= switch is kept in the session)."""
    languages = current_app.config["RAVAND_LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
    return (
        session.get("lang")
        if session.get("lang") in languages
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    )
