"""Shared fixtures: offscreen Qt, an isolated environment, a per-test database *file*, memory credentials, the
app's services (``core``), and the built-in sandbox's fixtures (``tests.support.sandbox_fixtures``).

Every test gets its own data dir (``tmp_path``) and its own SQLite file: ``:memory:`` would be invisible to
the worker threads the sync runner uses. ``FBM_DESK_*`` variables from the developer's shell are removed so a
test never talks to a real Amazon endpoint or a real data dir.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# Must happen before anything imports Qt (pytest-qt imports it when its fixtures are first used).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import OpenedDatabase, open_database, open_postgres
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.foundation.credentials import Credentials, MemoryStore, open_credentials
from fbm_desk.foundation.paths import AppPaths

# sandbox, sandbox_env, spapi, quiet(_core), store_sandbox / store_core: see the module.
# pg_server, pg_workspace, database_url (the suite on PostgreSQL): see the module.
pytest_plugins = ["tests.support.sandbox_fixtures", "tests.support.pg_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No FBM_DESK_* settings leak in from the shell; secrets stay in memory unless a test says otherwise."""
    for name in list(os.environ):
        if name.startswith("FBM_DESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "memory")
    # platformdirs defaults must never point at the developer's real folders.
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture(autouse=True)
def _delete_closed_widgets() -> Iterator[None]:
    """pytest-qt closes a test's widgets and asks Qt to delete them *later*: only when an event loop next runs,
    in some later test, where a leftover window's timer (the Stores tab's minute clock) could fire first, on a
    database that is gone. Delete them at the end of their own test."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def _restore_logging_and_hooks() -> Iterator[None]:
    """``setup_logging`` / ``install_gui_excepthook`` change process-wide state; undo it after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = (sys.excepthook, threading.excepthook)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


def _settle_background_reads() -> None:
    """A count still read on the reader thread (``ui.background_reads``) uses the database: let it end first."""
    reads = sys.modules.get("fbm_desk.ui.background_reads")
    if reads is not None:
        reads.wait_for_background_reads()


@pytest.fixture
def data_dir(tmp_path: Path, database_url: str | None) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def app_paths(data_dir: Path, database_url: str | None) -> AppPaths:
    return AppPaths(data_dir=data_dir, log_dir=data_dir / "logs", database_url=database_url).ensure()


@pytest.fixture
def db(app_paths: AppPaths) -> Iterator[OpenedDatabase]:
    """A fresh, fully migrated database bound to the peewee models: a file, or a PostgreSQL workspace when the
    suite runs on PostgreSQL."""
    if app_paths.database_url:
        opened = open_postgres(app_paths.database_url)
    else:
        opened = open_database(app_paths.db_file, backup_dir=app_paths.backup_dir)
    attach_workspace(
        open_credentials(app_paths.data_dir, str(app_paths.data_dir)), backup_dir=app_paths.backup_dir
    )
    yield opened
    _settle_background_reads()
    opened.close()


@pytest.fixture
def core(app_paths: AppPaths) -> Iterator[CoreServices]:
    """The Qt-free services on this test's data dir, with no Amazon behind them (sandbox-backed: ``quiet_core``,
    ``store_core``)."""
    services = build_core(app_paths)
    yield services
    _settle_background_reads()
    services.close()


@pytest.fixture
def memory_credentials() -> Credentials:
    """Secrets in memory, reported as the insecure fallback (as when no keyring exists)."""
    return Credentials(MemoryStore())
