"""Connections and transactions. Every engine service runs inside one ``Database.transaction()``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_PATH = Path("instance") / "ravand.db"
READ_ONLY = "ravand_read_only"


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``DATABASE_URL``, else the SQLite file under ``instance/``."""
    url = url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH.resolve()}"
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def make_sqlalchemy_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return configure_engine(create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}))
    return create_engine(url, pool_pre_ping=True)


def configure_engine(engine: Engine) -> Engine:
    """Ravand's SQLite settings on an engine made elsewhere (Flask-SQLAlchemy's, say)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that a write
        # transaction takes the database lock up front (BEGIN IMMEDIATE): one writer at a time.
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _begin_immediate(conn) -> None:
    # Straight to the driver: it runs before every transaction, and SQLAlchemy's statement path costs
    # several times what SQLite takes to run it. A read-only transaction takes no write lock: readers
    # never wait for the one writer (WAL).
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.connection.dbapi_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """A SQLAlchemy engine and session factory for one database URL."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.engine = (
            configure_engine(engine) if engine is not None else make_sqlalchemy_engine(database_url(url))
        )
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        readers = self.engine.execution_options(**{READ_ONLY: True})
        if self.is_postgres:
            readers = readers.execution_options(postgresql_readonly=True)
        self.read_sessions = sessionmaker(readers, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back on any exception.

        Callables appended to ``session.info["after_commit"]`` run once the commit has succeeded.
        """
        from engine.audit import write_pending

        with self.sessions() as session:
            with session.begin():
                yield session
                write_pending(session)
            for callback in session.info.pop("after_commit", []):
                callback()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction, for pages and queries: a plain BEGIN on SQLite (no write lock),
        READ ONLY on PostgreSQL. Callables in ``session.info["after_commit"]`` run once it has ended.
        """
        with self.read_sessions() as session:
            with session.begin():
                yield session
            for callback in session.info.pop("after_commit", []):
                callback()

    def create_all(self) -> None:
        """Create the tables directly from the models (tests); production uses the Alembic migrations."""
        from engine.models import Base

        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
