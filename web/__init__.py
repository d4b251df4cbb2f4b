"""Ravand's Flask application: an app factory, one blueprint per kind of user, the engine behind them."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_babel import get_locale

from engine.db import database_url
from engine.schema import MIGRATIONS
from web.bounds import IdConverter
from web.case_access import pages_ask_first
from web.extensions import babel, csrf, db, migrate, select_locale
from web.incidents import incident_summary
from web.outages import install_outages
from web.scheduler import start_scheduler
from web.security import install_security
from web.settings import load_settings


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url(),
        # A connection the database dropped (restart, pg_terminate_backend) is replaced, not used.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE="fa",
        BABEL_DEFAULT_TIMEZONE="Asia/Tehran",
        RAVAND_LANGUAGES=("fa", "en"),
        RAVAND_SCHEDULER=False,
    )
    app.config.update(load_settings())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _dev_secret(app)
    app.url_map.converters["id"] = IdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["incident_summary"] = incident_summary
    csrf.init_app(app)
    install_security(app)
    install_outages(app)

    from engine.context import Context
    from engine.db import Database
    from engine.definitions.catalog import PROCESSES_DIR

    catalog = Path(app.config["RAVAND_CATALOG"]) if app.config.get("RAVAND_CATALOG") else PROCESSES_DIR
    with app.app_context():
        app.extensions["ravand"] = Context(Database(engine=db.engine), catalog_path=catalog)

    from web.api import register_api
    from web.auth import bp as auth_bp
    from web.calendar import bp as calendar_bp
    from web.designer import bp as designer_bp
    from web.home import bp as home_bp
    from web.inbox import bp as inbox_bp
    from web.monitor import register_monitor
    from web.ops import register_ops
    from web.polls import bp as polls_bp
    from web.printing import bp as printing_bp
    from web.public import bp as public_bp
    from web.scorecards import bp as scorecards_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(designer_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(polls_bp)
    app.register_blueprint(scorecards_bp)
    app.register_blueprint(printing_bp)
    app.before_request(pages_ask_first)
    register_api(app)
    register_monitor(app)
    register_ops(app)
    if app.config["RAVAND_SCHEDULER"]:
        start_scheduler(app)
    return app


def _dev_secret(app: Flask) -> str:
    """A random secret kept in instance/ for development; production sets RAVAND_SECRET_KEY."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
    return path.read_text().strip()
