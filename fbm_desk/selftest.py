"""``fbm-desk --self-test``: a smoke test of this installation (source install or PyInstaller bundle).

It touches nothing of the user's: a new temporary data folder holds the database, settings, secrets fallback
and log. It checks, in order:

1. the version comes from the package metadata, and every ``fbm_desk`` module imports (a frozen build that
   missed a module fails here, not in front of a user);
2. Qt: the offscreen and the desktop platform plugins are present, a ``QApplication`` starts offscreen and the
   app icon loads from the bundled resources;
3. APScheduler: every trigger of the app's schedule is constructed and computes its next fire time (frozen
   builds cannot look triggers up by name; the app passes instances);
4. the built-in Amazon sandbox starts in-process on loopback (sped up);
5. a fresh database is created and migrated to the latest schema; the credentials backend is probed
   (``keyring`` or the flagged ``insecure_fallback``);
6. a store is added with the sandbox's refresh token and one orders sync runs against it; orders must arrive;
7. the store is removed; the real main window (with the sync runner and scheduler) opens offscreen and closes.

Output: exactly one line on stdout, ``self-test ok: ...`` (exit 0) or ``self-test FAILED: <step>: <reason>``
(exit 1). On failure the temporary folder is kept and its log file is named in the line. The store's secret is
always deleted again, also on failure, so a keyring never keeps a self-test entry.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fbm_desk
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.tools.install_checks import (
    SelfTestFailed,
    StepProgress,
    check_keyring_backends,
    check_modules,
    check_qt,
    check_triggers,
    check_version,
)

SANDBOX_SPEEDUP = 200.0  # divides the sandbox's clock and the client's own waits
TIMEOUT_S = 240.0  # the whole self-test; a hang is reported as a failure instead of blocking a build
EXIT_OK = 0
EXIT_FAILED = 1


@dataclass(frozen=True)
class SelfTestReport:
    version: str
    frozen: bool
    modules: int
    qt_platform: str
    triggers: int
    schema_version: int
    secrets: str
    fetched: int
    created: int
    sync_seconds: float
    tabs: int

    def line(self) -> str:
        build = "bundle" if self.frozen else "source"
        return (
            f"self-test ok: fbm-desk {self.version} ({build}), {self.modules} modules, "
            f"qt {self.qt_platform} ok, {self.triggers} triggers ok, db schema {self.schema_version}, "
            f"secrets {self.secrets}, sandbox ok, orders sync fetched {self.fetched} created {self.created} "
            f"in {self.sync_seconds:.2f} s, main window {self.tabs} tabs ok"
        )


REQUIRED_TABS = ("Stores", "Orders", "Products", "Inventory")


def check_main_window(core: Any) -> int:
    """Open the real main window offscreen on ``core`` (with the sync runner and scheduler the app attaches),
    then close it and the services. Returns the number of tabs. Closes ``core`` in every case."""
    from PySide6.QtWidgets import QApplication

    from fbm_desk.app import attach_sync, build_tabs
    from fbm_desk.ui.main_window import MainWindow
    from fbm_desk.ui.services import Services

    app = QApplication.instance()
    if app is None:
        raise SelfTestFailed("main window", "no QApplication (the qt step did not run)")
    services = Services(core=core)
    try:
        attach_sync(services)
        window = MainWindow(services, build_tabs(services))
        window.show()
        app.processEvents()
        titles = window.tab_titles()
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        services.close()  # stops the scheduler and runner, then closes the database
    missing = [title for title in REQUIRED_TABS if title not in titles]
    if missing:
        raise SelfTestFailed("main window", f"tabs missing: {', '.join(missing)}")
    return len(titles)


@dataclass(frozen=True)
class _SyncOutcome:
    schema_version: int
    secrets: str
    fetched: int
    created: int
    seconds: float
    tabs: int


def check_sync(paths: AppPaths, progress: StepProgress) -> _SyncOutcome:
    """Sandbox, fresh database, credentials, a store and one orders sync."""
    with progress.step_of("sync setup"):  # a module missing from a bundle is named here
        from fbm_desk.amazon.marketplaces import by_id
        from fbm_desk.core import build_core
        from fbm_desk.db import LATEST_VERSION
        from fbm_desk.db.orders import count_orders
        from fbm_desk.domain.stores import add_store, remove_store
        from fbm_desk.sandbox import start_sandbox
        from fbm_desk.sync.base import JobKind
        from fbm_desk.sync.execute import run_job

    with progress.step_of("sandbox"):
        sandbox = start_sandbox(port=0, speedup=SANDBOX_SPEEDUP)
    core: Any = None
    store: Any = None
    try:
        with progress.step_of("sandbox"):
            info = sandbox.info
            market = next((m for m in map(by_id, info.marketplace_ids) if m is not None), None)
            if market is None:
                raise SelfTestFailed("sandbox", f"unknown sandbox marketplaces {info.marketplace_ids}")
            config = sandbox.spapi_config(speedup=SANDBOX_SPEEDUP)
        with progress.step_of("database"):
            core = build_core(paths, spapi_config=config)
            if core.db.version != LATEST_VERSION:
                raise SelfTestFailed("database", f"schema {core.db.version}, expected {LATEST_VERSION}")
            journal = core.db.journal_mode()
            if journal != "wal":
                raise SelfTestFailed("database", f"journal mode is {journal}, expected wal")
        with progress.step_of("credentials"):
            check_keyring_backends()
            secrets_kind = core.credentials.backend_kind
            store = add_store(
                core,
                name="Self-test store",
                marketplace=market.code,
                selling_partner_id=info.selling_partner_id,
                refresh_token=info.refresh_token,
            )
            if core.credentials.get_refresh_token(store.id) != info.refresh_token.strip():
                raise SelfTestFailed("credentials", f"{secrets_kind} did not return the stored token")
        with progress.step_of("orders sync"):
            started = time.monotonic()
            result = run_job(core, store, JobKind.ORDERS)
            seconds = time.monotonic() - started
            if result.status != "ok":
                raise SelfTestFailed("orders sync", result.error or result.summary or result.status)
            if result.fetched <= 0:
                raise SelfTestFailed("orders sync", "the sandbox returned no orders")
            stored = count_orders(store.id)
            if stored <= 0 or stored < result.created:
                raise SelfTestFailed("orders sync", f"{result.created} orders created, {stored} in the db")
        with progress.step_of("cleanup"):
            remove_store(core, store.id)
            store = None
        # After the cleanup: without a store, the scheduler the window attaches has nothing to run.
        with progress.step_of("main window"):
            tabs = check_main_window(core)
        return _SyncOutcome(LATEST_VERSION, str(secrets_kind), result.fetched, result.created, seconds, tabs)
    finally:
        if core is not None:
            if store is not None:  # never leave a self-test secret in the user's keyring
                with suppress(Exception):
                    core.credentials.delete_refresh_token(store.id)
            with suppress(Exception):
                core.close()
        with suppress(Exception):
            sandbox.stop()


# --- the command -----------------------------------------------------------------------------------------


def _self_test(workdir: Path, progress: StepProgress, *, verbose: bool) -> SelfTestReport:
    """Run every check in ``workdir`` (an empty folder); raise ``SelfTestFailed`` on the first problem."""
    from fbm_desk.foundation.logging_setup import setup_logging

    with progress.step_of("data folder"):
        paths = AppPaths(data_dir=workdir / "data", log_dir=workdir / "logs").ensure()
        setup_logging(paths, verbose=verbose, console=False)
    with progress.step_of("version"):
        check_version()
    with progress.step_of("modules"):
        modules = check_modules()
    with progress.step_of("qt"):
        _route_qt_messages()
        platform = check_qt()
    with progress.step_of("scheduler"):
        triggers = check_triggers()
    outcome = check_sync(paths, progress)
    return SelfTestReport(
        version=fbm_desk.__version__,
        frozen=bool(getattr(sys, "frozen", False)),
        modules=modules,
        qt_platform=platform,
        triggers=triggers,
        schema_version=outcome.schema_version,
        secrets=outcome.secrets,
        fetched=outcome.fetched,
        created=outcome.created,
        sync_seconds=outcome.seconds,
        tabs=outcome.tabs,
    )


def run_self_test(args: argparse.Namespace) -> int:
    """``fbm-desk --self-test``: print one report line; exit 0 when everything works, 1 otherwise."""
    try:
        workdir = Path(tempfile.mkdtemp(prefix="fbm-desk-selftest-"))
    except OSError as exc:
        print(f"self-test FAILED: data folder: cannot create a temporary folder ({exc.strerror})", flush=True)
        return EXIT_FAILED
    progress = StepProgress()
    log_file = workdir / "logs" / "fbm-desk.log"

    def on_timeout() -> None:
        print(
            f"self-test FAILED: {progress.step}: no answer after {TIMEOUT_S:.0f} s (log: {log_file})",
            flush=True,
        )
        os._exit(EXIT_FAILED)  # a hung worker thread must not keep the process (and a build) waiting

    watchdog = threading.Timer(TIMEOUT_S, on_timeout)
    watchdog.daemon = True
    watchdog.start()
    try:
        report = _self_test(workdir, progress, verbose=bool(getattr(args, "verbose", False)))
    except SelfTestFailed as exc:
        print(f"self-test FAILED: {exc} (log: {log_file})", flush=True)
        return EXIT_FAILED
    except Exception as exc:  # a bug in the self-test itself still gets the one-line contract
        print(f"self-test FAILED: {progress.step}: {type(exc).__name__}: {exc} (log: {log_file})", flush=True)
        return EXIT_FAILED
    finally:
        watchdog.cancel()
    _close_logging()
    shutil.rmtree(workdir, ignore_errors=True)
    print(report.line(), flush=True)
    return EXIT_OK


def _route_qt_messages() -> None:
    """Qt's own warnings go to the self-test's log file: stdout carries only the report line."""
    import logging

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("fbm_desk.qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO}

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(mode, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _close_logging() -> None:
    """Close the log file in the temporary folder before deleting it (Windows cannot delete open files)."""
    import logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
            handler.close()
