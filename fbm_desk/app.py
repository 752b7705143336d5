"""The GUI's composition root: the one place that builds services and wires them to the window.

paths → logging → QApplication → CoreServices (database, settings, credentials, Amazon config) → ``Services``
→ tabs → ``MainWindow`` → event loop. Nothing else in the UI creates services or looks them up globally: each
tab receives the ``Services`` object it needs.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from fbm_desk import APP_ID, APP_NAME, __version__
from fbm_desk.core import build_core
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.logging_setup import setup_logging
from fbm_desk.foundation.paths import AppPaths, resolve_paths
from fbm_desk.foundation.resources import resource_path
from fbm_desk.foundation.workspace_settings import workspace_status
from fbm_desk.tools.demo import demo_paths
from fbm_desk.ui.services import Services

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from fbm_desk.ui.integrity_watch import IntegrityWatch
    from fbm_desk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_AFTER_START_ENV = "FBM_DESK_EXIT_AFTER_START_MS"  # start-up benchmark hook, see _exit_after_start


def build_services(paths: AppPaths) -> Services:
    """Open the core services (raises ``DatabaseError`` and other ``FbmError``s) and wrap them for the GUI."""
    from fbm_desk.ui.live_updates import LiveUpdates

    services = Services(core=build_core(paths))
    attach_sync(services)
    services.live = LiveUpdates(services.db)  # started by run_gui once the window shows
    return services


def _migrate_first(paths: AppPaths) -> None:
    """This computer's database, when an update left it behind, is migrated first while a window says so."""
    from fbm_desk.core import encrypt_if_older, workspace_url
    from fbm_desk.foundation.settings import load_settings
    from fbm_desk.ui.upgrade_window import migrate_with_progress

    if workspace_url(paths, load_settings(paths.settings_file)) is None:
        migrate_with_progress(
            paths.db_file, paths.backup_dir, then=lambda progress: encrypt_if_older(paths, progress)
        )


def attach_sync(services: Services) -> None:
    """Create the job runner (QThreadPool) and the scheduler that feeds it; started by ``run_gui``."""
    from fbm_desk.sync.retention_job import run_retention
    from fbm_desk.sync.runner import JobRunner
    from fbm_desk.sync.scheduler import ConfirmSoon, SyncScheduler

    services.runner = runner = JobRunner(services.core)
    backups = services.core.paths.backup_dir

    def can_sync() -> (
        bool
    ):  # False on a workspace station without the workspace key: it leaves syncing to others
        return not runner.sync_blocked()

    services.scheduler = SyncScheduler(runner, maintenance=lambda: run_retention(backups), can_sync=can_sync)
    services.confirm_soon = ConfirmSoon(runner, can_sync=can_sync)


def start_demo(services: Services) -> bool:
    """``--demo``: start the built-in Amazon sandbox, point the Amazon config at it and connect the demo store.

    The handle is kept in ``services.demo`` so ``Services.close`` stops it; the scheduler runs at the demo's
    faster pace. Returns False (and logs why) when the sandbox cannot start.
    """
    from fbm_desk.tools.demo import start_demo as start_demo_world

    try:
        handle = start_demo_world(services.core)
    except (OSError, FbmError) as exc:
        log.error("The demo could not start: %s", exc)
        return False
    services.demo = handle
    if services.scheduler is not None:
        services.scheduler.time_scale = handle.time_scale
    if services.confirm_soon is not None:
        services.confirm_soon.time_scale = handle.time_scale
    return True


def _stores_tab(services: Services) -> QWidget:
    from fbm_desk.ui.stores_tab import StoresTab

    return StoresTab(services)


def _orders_tab(services: Services) -> QWidget:
    from fbm_desk.ui.orders_tab import OrdersTab

    return OrdersTab(services)


def _products_tab(services: Services) -> QWidget:
    from fbm_desk.ui.products_tab import ProductsTab

    return ProductsTab(services)


def _inventory_tab(services: Services) -> QWidget:
    from fbm_desk.ui.inventory_tab import InventoryTab

    return InventoryTab(services)


def _rules_tab(services: Services) -> QWidget:
    from fbm_desk.ui.rules_tab import RulesTab

    return RulesTab(services)


def build_tabs(services: Services) -> list[tuple[str, QWidget]]:
    """The tabs, in order; each factory imports its tab module and hands it the services."""
    factories: list[tuple[str, Callable[[Services], QWidget]]] = [
        ("Stores", _stores_tab),
        ("Orders", _orders_tab),
        ("Products", _products_tab),
        ("Inventory", _inventory_tab),
        ("Rules", _rules_tab),
    ]
    return [(title, factory(services)) for title, factory in factories]


def show_fatal_error(title: str, text: str) -> None:
    """A blocking message box before the main window exists (replaced in tests)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.exec()


def shared_workspace_problem(paths: AppPaths, problem: str) -> bool:
    """A station whose Settings → Workspace names a shared server that cannot be opened: the message with a way
    into those settings (replaced in tests). False when the problem is not that one."""
    from fbm_desk.core import workspace_url
    from fbm_desk.foundation.credentials import open_credentials
    from fbm_desk.foundation.settings import load_settings

    settings = load_settings(paths.settings_file)
    if paths.database_url or workspace_url(paths, settings) is None:
        return False  # this computer's file, or an address given on the command line (fix it there)
    from fbm_desk.ui.workspace_dialog import offer_workspace_settings

    offer_workspace_settings(settings, open_credentials(paths.data_dir, settings.instance_id), problem)
    return True


def _application(argv0: str) -> QApplication:

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([argv0])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    icon = QIcon()
    icons_dir = resource_path("icons")
    for icon_file in sorted(icons_dir.glob("fbm-desk*.png")) if icons_dir.is_dir() else []:
        icon.addFile(str(icon_file))  # every size, so the window manager can pick the sharpest
    if not icon.isNull():
        app.setWindowIcon(icon)
    return app


def _route_qt_messages() -> None:
    """Send Qt's own warnings into the log file instead of stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("fbm_desk.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(mode, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _close_on_signals(window: QWidget) -> QTimer:
    """Ctrl+C in the terminal or SIGTERM (logout, ``kill``) closes the window normally, saving its layout.

    Python runs signal handlers only when it gets control, so a timer hands it control twice a second.
    """
    from PySide6.QtCore import QTimer

    def close(_signum: int, _frame: object) -> None:
        log.info("Signal %d received: closing the window", _signum)
        window.close()

    signal.signal(signal.SIGINT, close)
    signal.signal(signal.SIGTERM, close)
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(500)
    return timer


def _attach_sync_ui(window: MainWindow, services: Services) -> None:
    """Sync health in the status bar and desktop notifications for failures, reconnects and rejections."""
    if services.runner is None:
        return
    from fbm_desk.ui.low_stock_alert import LowStockWatch
    from fbm_desk.ui.notifications import Notifier, make_tray_icon
    from fbm_desk.ui.sync_health import SyncStatusWidget

    status = SyncStatusWidget(services.runner)
    window.statusBar().addPermanentWidget(status)
    notifier = Notifier(
        services.runner, tray=make_tray_icon(window), status_bar=window.statusBar(), parent=window
    )
    low_stock = LowStockWatch(services.runner, notifier, parent=window)
    # Keep the Python wrappers (and their slots) alive.
    window.setProperty("fbm_sync_ui", (status, notifier, low_stock))


def _proc_status_mb(field: str) -> float:
    """``VmRSS`` / ``VmHWM`` (peak) of this process in MB from /proc (0 where there is no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _exit_after_start(app: QApplication) -> None:
    """``FBM_DESK_EXIT_AFTER_START_MS=N`` (used by ``bench/bench_startup.py``): measure the cold start.

    When the event loop has run its first timer with the window shown (the app answers input from then on),
    print one line to stderr: ``fbm-desk startup: interactive_wall=<time.time()> rss_mb=.. peak_rss_mb=..``,
    then quit N ms later and print ``fbm-desk exit: peak_rss_mb=..`` (the peak including whatever the
    first N ms loaded). Without the variable nothing happens.
    """
    value = os.environ.get(EXIT_AFTER_START_ENV, "").strip()
    if not value:
        return
    try:
        delay_ms = max(0, int(value))
    except ValueError:
        log.warning("Ignoring %s=%r: not a number of milliseconds", EXIT_AFTER_START_ENV, value)
        return
    from PySide6.QtCore import QTimer

    def quit_now() -> None:
        print(f"fbm-desk exit: peak_rss_mb={_proc_status_mb('VmHWM'):.1f}", file=sys.stderr, flush=True)
        app.quit()

    def report() -> None:
        print(
            f"fbm-desk startup: interactive_wall={time.time():.6f} rss_mb={_proc_status_mb('VmRSS'):.1f} "
            f"peak_rss_mb={_proc_status_mb('VmHWM'):.1f}",
            file=sys.stderr,
            flush=True,
        )
        QTimer.singleShot(delay_ms, app, quit_now)

    QTimer.singleShot(0, app, report)


AFTER_START_MS = 300  # the window paints and answers input before the background work starts


def _after_start(start: Callable[[], None], window: QWidget) -> None:
    from PySide6.QtCore import QTimer

    QTimer.singleShot(AFTER_START_MS, window, start)


def _start_background(services: Services, integrity: IntegrityWatch) -> None:
    """Once the window is interactive: other stations' changes, the scheduler (with its catch-up of runs missed
    while the app was closed), the demo's first syncs, and the database file's page check."""
    if services.live is not None:
        services.live.start()
    if services.scheduler is not None:
        services.scheduler.start()
    if services.demo is not None and services.runner is not None:
        services.demo.first_syncs(services.runner)
    integrity.start()  # a few seconds later still


def build_main_window(services: Services) -> MainWindow:
    """The main window with its four tabs, sync health, notifications and Help → Export diagnostics.

    Also used by ``bench/`` so the benchmarks measure the window the user gets.
    """
    from fbm_desk.ui.diagnostics_action import install_export_action
    from fbm_desk.ui.main_window import MainWindow

    window = MainWindow(services, build_tabs(services))
    _attach_sync_ui(window, services)
    install_export_action(window, services)
    if services.live is not None:  # the shared server going away and coming back, in the status bar
        services.live.reachability.connect(lambda ok, why: window.show_status(workspace_status(ok, why)))
    return window


def run_gui(args: argparse.Namespace) -> int:
    """Open the desktop app and run it until the window closes. Returns the process exit code."""
    demo = bool(getattr(args, "demo", False))
    paths = (
        demo_paths(args.data_dir)
        if demo
        else resolve_paths(getattr(args, "data_dir", None), getattr(args, "database", None))
    )
    try:
        paths.ensure()
    except OSError as exc:
        print(f"fbm-desk: cannot create the data folder {paths.data_dir}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    log_file = setup_logging(paths, verbose=bool(getattr(args, "verbose", False)))
    app = _application(sys.argv[0] if sys.argv else APP_ID)

    try:
        _migrate_first(paths)
        services = build_services(paths)
    except FbmError as exc:
        log.error("Cannot start: %s", exc.user_message)
        if not shared_workspace_problem(paths, exc.user_message):
            show_fatal_error(f"{APP_NAME} cannot start", exc.user_message)
        return EXIT_FAILED

    from fbm_desk.ui.error_dialog import install_gui_excepthook

    window: MainWindow | None = None
    integrity = None
    install_gui_excepthook(lambda: window, log_file=str(log_file or ""))
    _route_qt_messages()
    try:
        demo_running = demo and start_demo(services)
        window = build_main_window(services)
        if demo_running:
            window.show_status(
                f"Demo mode: the built-in Amazon sandbox runs at {services.spapi_config.spapi_endpoint}"
            )
        elif demo:
            window.show_status("Demo mode could not start; see the log file.")
        window.show()
        from fbm_desk.ui.integrity_watch import IntegrityWatch

        integrity = IntegrityWatch(services, window)
        _after_start(lambda: _start_background(services, integrity), window)
        _close_on_signals(window)
        gc.freeze()  # start-up objects are long-lived: keep them out of GC passes (fewer GUI stalls)
        log.info("Main window open (data dir %s)", paths.data_dir)
        _exit_after_start(app)
        return app.exec()
    finally:
        from fbm_desk.ui.background_reads import wait_for_background_reads
        from fbm_desk.ui.push_preview_loader import wait_for_reads

        if integrity is not None:
            integrity.stop()
        wait_for_reads()  # a push preview still being read uses the database
        wait_for_background_reads()  # so does a count
        services.close()
        log.info("FBM Desk closed")
