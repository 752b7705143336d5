"""The self-test's checks of the installation itself: package metadata and modules, Qt plugins, the schedule's
triggers, the keyring backend. Each raises ``SelfTestFailed`` naming its step (see ``fbm_desk.selftest``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import fbm_desk
from fbm_desk.foundation.errors import FbmError

# The desktop platform plugin each OS needs for a real window (the offscreen one is needed everywhere).
_NATIVE_PLATFORM = {"linux": "xcb", "win32": "windows", "darwin": "cocoa"}
# The keyring backend (entry point name) each OS uses, and the library it needs.
_NATIVE_KEYRING = {
    "linux": ("SecretService", "secretstorage"),
    "win32": ("Windows", ""),
    "darwin": ("macOS", ""),
}


class SelfTestFailed(Exception):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class StepProgress:
    """The step in flight, for error messages and the watchdog."""

    def __init__(self) -> None:
        self.step = "start"

    @contextmanager
    def step_of(self, name: str) -> Iterator[None]:
        self.step = name
        try:
            yield
        except SelfTestFailed:
            raise
        except FbmError as exc:
            raise SelfTestFailed(name, exc.user_message) from exc
        except Exception as exc:
            raise SelfTestFailed(name, f"{type(exc).__name__}: {exc}") from exc


# --- the checks ------------------------------------------------------------------------------------------


def check_version() -> str:
    """The version must come from the installed package metadata (a bundle without it falls back silently)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version(fbm_desk.APP_ID)
    except PackageNotFoundError:
        raise SelfTestFailed("version", "the fbm-desk package metadata is missing") from None
    if installed != fbm_desk.__version__:
        raise SelfTestFailed("version", f"package metadata {installed} != app version {fbm_desk.__version__}")
    return installed


def check_modules() -> int:
    """Import every module of the ``fbm_desk`` package; return how many there are."""
    names = sorted(
        info.name
        for info in pkgutil.walk_packages(fbm_desk.__path__, prefix="fbm_desk.")
        if info.name != __name__
    )
    for name in names:
        importlib.import_module(name)
    if len(names) < 10:  # the package has dozens; a handful means the bundle's module index is broken
        raise SelfTestFailed("modules", f"only {len(names)} fbm_desk modules found")
    return len(names) + 1


def check_qt() -> str:
    """Plugins present, a QApplication running offscreen, the app icon loadable; returns the platform."""
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QWidget

    from fbm_desk.foundation.resources import resource_path

    plugin_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    present = {p.name for p in plugin_dir.glob("*")} if plugin_dir.is_dir() else set()
    wanted = ["offscreen"]
    native = _NATIVE_PLATFORM.get(sys.platform)
    if native:
        wanted.append(native)
    for name in wanted:
        if not any(f"q{name}." in file for file in present):
            raise SelfTestFailed("qt", f"the Qt platform plugin '{name}' is missing from {plugin_dir}")
    # A missing platform plugin aborts the process inside Qt; the file check above catches that first.
    app = QApplication.instance()
    if app is None:
        app = QApplication(["fbm-desk", "-platform", "offscreen"])
    widget = QWidget()
    widget.resize(120, 80)
    widget.show()
    app.processEvents()
    widget.close()
    widget.deleteLater()
    icon_file = resource_path("icons", "fbm-desk.png")
    if QIcon(str(icon_file)).isNull():
        raise SelfTestFailed("qt", f"the app icon {icon_file} cannot be loaded")
    return str(QApplication.platformName())


def check_triggers() -> int:
    """Build every trigger of the app's schedule (real and demo-scaled), compute its next fire time and hand
    it to a (never started) scheduler. Returns the number of triggers checked."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from fbm_desk.sync.schedule import SCHEDULE

    now = datetime.now(UTC)
    scheduler = BackgroundScheduler(timezone=UTC)
    checked = 0
    for time_scale in (1.0, 60.0):  # 60: the demo's sped-up schedule uses other trigger types
        for entry in SCHEDULE:
            trigger = entry.trigger(now=now, time_scale=time_scale)
            if trigger.get_next_fire_time(None, now) is None:
                raise SelfTestFailed("scheduler", f"the trigger of '{entry.kind}' never fires")
            scheduler.add_job(_noop, trigger, id=f"selftest-{checked}")
            checked += 1
    if checked == 0 or len(scheduler.get_jobs()) != checked:
        raise SelfTestFailed("scheduler", f"{len(scheduler.get_jobs())} of {checked} triggers were accepted")
    return checked


def _noop() -> None:
    """The job callable for the trigger check (the scheduler is never started)."""


def check_keyring_backends() -> str:
    """The system keyring backend of this OS is installed and loadable (keyring finds backends by entry point,
    so a bundle without keyring's metadata or modules silently falls back to the insecure file)."""
    from importlib.metadata import entry_points

    native = _NATIVE_KEYRING.get(sys.platform)
    if native is None:
        return "none"
    backend, module = native
    found = {ep.name: ep for ep in entry_points(group="keyring.backends")}
    if backend not in found:
        raise SelfTestFailed("credentials", f"the keyring backend '{backend}' is not installed")
    found[backend].load()
    if module:
        importlib.import_module(module)  # keyring imports it lazily and treats a missing one as "no keyring"
    return backend
