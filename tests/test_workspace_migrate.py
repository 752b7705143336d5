"""Issue 13 item 1: ``fbm-desk workspace migrate --to URL`` copies this computer's database into an EMPTY
PostgreSQL workspace (every table's count checked, one transaction, ids continued); ``workspace test``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fbm_desk.cli import main
from fbm_desk.db import open_database, open_postgres
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.workspace_copy import _tables_in_fk_order
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.foundation.paths import ENV_DATABASE_URL
from tests.support.demo_data import generate
from tests.support.pg_server import PgServer


@pytest.fixture
def local(tmp_path: Path) -> Path:
    """A data folder whose SQLite database holds demo orders, packages, stock and events."""
    data = tmp_path / "station"
    opened = open_database(data / "fbm-desk.sqlite3")
    try:
        attach_workspace(Credentials(MemoryStore()))  # buyer data needs a workspace key
        generate(opened.db, orders=120)
    finally:
        opened.close()
    return data


def _counts(url: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}  # type: ignore[index]  # noqa: S608


def _sqlite_counts(data: Path) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(data / "fbm-desk.sqlite3")
    try:
        return {
            t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # noqa: S608
            for t in _tables_in_fk_order(conn)
        }
    finally:
        conn.close()


def test_migrate_copies_every_row_into_an_empty_database_and_continues_ids(
    local: Path, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    target = pg_server.create_database()  # brand new: not even a schema
    expected = _sqlite_counts(local)
    assert main(["--data-dir", str(local), "workspace", "migrate", "--to", target, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tables"] == expected
    assert out["rows"] == sum(expected.values()) > 1000
    assert _counts(target, list(expected)) == expected
    opened = open_postgres(target)  # the app opens it as it is (schema current) and new rows get new ids
    try:
        before = opened.db.execute_sql("SELECT max(id) FROM order_event").fetchone()[0]
        opened.db.execute_sql(
            "INSERT INTO order_event (order_id, at, kind, message) "
            "VALUES ((SELECT min(id) FROM orders), '2030-01-01T00:00:00Z', 'x', '')"
        )
        assert opened.db.execute_sql("SELECT max(id) FROM order_event").fetchone()[0] == before + 1
    finally:
        opened.close()
        pg_server.drop_database(target)


def test_migrate_refuses_a_workspace_in_use_and_writes_nothing(
    local: Path, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    target = pg_server.create_database()
    opened = open_postgres(target)
    try:
        attach_workspace(Credentials(MemoryStore()))  # buyer data needs a workspace key
        generate(opened.db, orders=3)
    finally:
        opened.close()
    tables = list(_sqlite_counts(local))
    before = _counts(target, tables)
    assert main(["--data-dir", str(local), "workspace", "migrate", "--to", target]) == 2
    err = capsys.readouterr().err
    assert "is not empty" in err
    assert "nothing was copied" in err
    assert _counts(target, tables) == before
    pg_server.drop_database(target)


def test_migrate_into_a_freshly_prepared_workspace_replaces_the_seeded_warehouse(
    local: Path, pg_workspace: str, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _sqlite_counts(local)
    assert main(["--data-dir", str(local), "workspace", "migrate", "--to", pg_workspace]) == 0
    assert "every count checked" in capsys.readouterr().out
    assert _counts(pg_workspace, list(expected)) == expected


def test_a_failed_copy_rolls_everything_back(
    local: Path, pg_server: PgServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fbm_desk.db import workspace_copy

    target = pg_server.create_database()
    real = workspace_copy._copy_table

    def copy_then_break(src: Any, dst: Any, table: str) -> None:
        real(src, dst, table)
        if table == "orders":
            dst.execute("SELECT 1/0")  # the server refuses something mid-way

    monkeypatch.setattr(workspace_copy, "_copy_table", copy_then_break)
    assert main(["--data-dir", str(local), "workspace", "migrate", "--to", target]) == 1
    assert "rolled back" in capsys.readouterr().err
    counts = _counts(target, ["store", "orders", "warehouse"])
    assert counts == {"store": 0, "orders": 0, "warehouse": 1}  # as the migrations left it
    pg_server.drop_database(target)


def test_bad_addresses_and_unreachable_servers_get_clear_messages(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(local), "workspace", "migrate", "--to", "/tmp/x.sqlite3"]) == 2
    assert "needs a PostgreSQL address" in capsys.readouterr().err
    dead = "postgresql://fbm@127.0.0.1:9/nowhere"
    assert main(["--data-dir", str(local), "workspace", "migrate", "--to", dead]) == 1
    err = capsys.readouterr().err
    assert "Cannot reach the shared workspace at 127.0.0.1:9/nowhere" in err
    assert "Traceback" not in err
    assert main(["--data-dir", str(local), "workspace", "test", "--database", dead, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


def test_workspace_test_prints_the_server_version(
    pg_workspace: str, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        main(["--data-dir", str(tmp_path / "d"), "workspace", "test", "--database", pg_workspace, "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True
    assert out["server_version"].startswith("PostgreSQL ")
    monkeypatch.delenv(
        ENV_DATABASE_URL, raising=False
    )  # no workspace named anywhere (the PostgreSQL run names one)
    assert main(["--data-dir", str(tmp_path / "d"), "workspace", "test"]) == 0
    assert "this computer's own database" in capsys.readouterr().out
