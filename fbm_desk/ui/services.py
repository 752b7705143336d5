"""``Services``: everything the tabs and dialogs use, built by the composition root (``fbm_desk.app``).

It lives in ``ui/`` so the tabs can be typed with it without importing ``app.py`` (which imports the tabs):
the dependency runs one way, ``app -> ui``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fbm_desk.amazon.config import SpApiConfig
    from fbm_desk.core import CoreServices
    from fbm_desk.db import OpenedDatabase
    from fbm_desk.foundation.credentials import Credentials
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.foundation.settings import Settings
    from fbm_desk.sync.runner import JobRunner
    from fbm_desk.sync.scheduler import ConfirmSoon, SyncScheduler
    from fbm_desk.tools.demo import DemoHandle
    from fbm_desk.ui.live_updates import LiveUpdates

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the tabs use, built once by ``fbm_desk.app.build_services`` and passed to each tab.

    ``core`` holds the Qt-free services shared with the CLI. The GUI-only background machinery is attached
    by ``fbm_desk.app.attach_sync``: ``runner`` (the per-store job queue on a QThreadPool, a ``QObject`` with
    ``job_started / job_progress / job_finished / job_failed`` signals) and ``scheduler`` (APScheduler
    triggers that enqueue jobs on the runner). Tests build it with ``Services(core=core)`` (no background
    work) or with a real ``JobRunner``.
    """

    core: CoreServices
    runner: JobRunner | None = None
    scheduler: SyncScheduler | None = None
    confirm_soon: ConfirmSoon | None = None  # a saved package's tracking push within a minute
    demo: DemoHandle | None = None  # the built-in sandbox and demo store when started with --demo
    live: LiveUpdates | None = None  # changes saved by other stations/processes (tabs refresh)

    @property
    def paths(self) -> AppPaths:
        return self.core.paths

    @property
    def db(self) -> OpenedDatabase:
        return self.core.db

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def credentials(self) -> Credentials:
        return self.core.credentials

    @property
    def spapi_config(self) -> SpApiConfig:
        return self.core.spapi_config

    def close(self) -> None:
        """Stop background work first (it may still write), then close the database."""
        stops: list[tuple[object, Callable[[], object]]] = []
        if self.live is not None:
            stops.append((self.live, self.live.stop))
        if self.scheduler is not None:
            stops.append((self.scheduler, self.scheduler.shutdown))
        if self.runner is not None:
            stops.append((self.runner, self.runner.shutdown))
        if self.demo is not None:
            stops.append((self.demo, self.demo.stop))
        for part, stop in stops:
            try:
                stop()
            except Exception:
                log.exception("Error while stopping %s", type(part).__name__)
        self.core.close()
