"""Run one blocking call (connect flow, connection check) on a ``QThreadPool``, reporting on the GUI thread.

The task object lives on the GUI thread; the pool thread only emits its signals, which Qt queues to the GUI
thread. The owner keeps a reference until ``finished`` or ``failed`` (see ``TaskSet``), so the object outlives
the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from fbm_desk.db.transactions import close_thread_connection

log = logging.getLogger(__name__)


class _Runnable(QRunnable):
    def __init__(self, task: BackgroundTask) -> None:
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        task = self._task
        try:
            result = task.fn()
        except BaseException as exc:  # delivered to the GUI thread, which decides known error vs bug
            task.failed.emit(exc)
        else:
            task.finished.emit(result)
        finally:
            _close_thread_db()


def _close_thread_db() -> None:
    """peewee keeps one SQLite connection per thread: close this pool thread's one when the call is done."""
    try:
        close_thread_connection()
    except Exception:  # pragma: no cover - best effort
        log.debug("could not close the worker's database connection", exc_info=True)


class BackgroundTask(QObject):
    finished = Signal(object)  # the call's return value
    failed = Signal(object)  # the exception it raised

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn

    def start(self, pool: QThreadPool | None = None) -> BackgroundTask:
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))
        return self


class TaskSet:
    """Keeps running tasks alive and forgets them once they report."""

    def __init__(self) -> None:
        self._tasks: set[BackgroundTask] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> BackgroundTask:
        task = BackgroundTask(fn)
        self._tasks.add(task)

        def done(result: Any) -> None:
            self._tasks.discard(task)
            on_done(result)

        def error(exc: BaseException) -> None:
            self._tasks.discard(task)
            on_error(exc)

        task.finished.connect(done)
        task.failed.connect(error)
        return task.start()

    def __len__(self) -> int:
        return len(self._tasks)
