"""Every store test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from app.store.database import open_store
from app.store.tables import Base
from tests.pgserver import postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "sqlite":
        made = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        made = open_store(request.getfixturevalue("postgres_url"))
    yield made
    if request.param == "postgresql":  # one server per session: empty it after each test
        with made.begin() as session:
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
    made.kw["bind"].dispose()
