"""The suite on PostgreSQL: ``FBM_DESK_TEST_DATABASE=postgresql`` runs every test that uses a data folder on a
fresh database of a throwaway server (``pg_server``) instead of an SQLite file.

The server starts once per session (as an unprivileged user when the suite runs as root); each test gets a new
database copied from a migrated template, named in ``FBM_DESK_DATABASE_URL`` so the commands a test starts as
subprocesses use it too. Tests of the SQLite file itself carry ``@pytest.mark.sqlite_only`` and are skipped.
Tests that are about the shared workspace use ``pg_server`` directly and run in both modes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fbm_desk.db import open_postgres
from fbm_desk.db.dialect import to_postgres
from fbm_desk.foundation.paths import ENV_DATABASE_URL, AppPaths
from tests.support.pg_server import PgServer, start_server

ON_POSTGRES = os.environ.get("FBM_DESK_TEST_DATABASE", "sqlite") == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="checks the SQLite file itself (suite runs on PostgreSQL)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A running PostgreSQL server for this test session (Debian's postgresql package)."""
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """The name of a migrated workspace database that new test databases are copied from."""
    url = pg_server.create_database(prefix="template_")
    open_postgres(url).close()
    return url.rsplit("/", 1)[1]


@pytest.fixture
def pg_workspace(pg_server: PgServer, pg_template: str) -> Iterator[str]:
    """The URL of a fresh, migrated shared workspace (dropped after the test)."""
    url = pg_server.create_database(template=pg_template)
    yield url
    pg_server.drop_database(url)


@pytest.fixture(autouse=True)
def database_url(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _isolated_env: None
) -> str | None:
    """This test's shared workspace when the suite runs on PostgreSQL (also in ``FBM_DESK_DATABASE_URL`` for
    subprocesses, which the CLI test helpers pass on); None on SQLite. Every test gets one, so a test that
    starts the app or a command in any way runs on the workspace."""
    if not ON_POSTGRES:
        return None
    url: str = request.getfixturevalue("pg_workspace")
    monkeypatch.setenv(ENV_DATABASE_URL, url)
    return url


class OtherConnection:
    """A second connection to the test's database, as another process or station has: SQLite-dialect SQL,
    translated on a workspace."""

    def __init__(self, db_file: Path, url: str | None) -> None:
        self.pg = url is not None
        self.conn: Any = psycopg.connect(url) if url else sqlite3.connect(db_file)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(to_postgres(sql) if self.pg else sql, tuple(params))

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def other_connection(app_paths: AppPaths) -> OtherConnection:
    return OtherConnection(app_paths.db_file, app_paths.database_url)
