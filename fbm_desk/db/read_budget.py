"""A time budget for a read on the window's thread: past it, the read is stopped and the caller reads elsewhere.

Most pages of the Orders table are read in a few milliseconds, but at a million orders some filter × sort pairs
walk most of an index first (``page_plan``): half a second. The window must not wait that long, and whether a
page is slow is only known by reading it. So the window's thread reads under ``read_budget(ms)``: a read that
is still running after ``ms`` milliseconds is stopped, nothing of it is kept, and ``ReadOverBudget`` tells the
caller to read the page on the reader thread instead (``ui.table_models.paged_model``).

- SQLite: a progress handler on the thread's connection, called every ``_STEP`` virtual-machine steps, stops
  the statement (``SQLITE_INTERRUPT``) once the time is up **and** at least ``min_steps`` steps were run. The
  second condition makes the outcome depend on the work, not only on the clock: a small read (every read of a
  few thousand orders, every test database) runs to its end even on a machine too busy to give it the CPU.
- PostgreSQL: ``statement_timeout`` for the statements inside, reset afterwards; the server cancels a
  statement that runs longer (SQLSTATE 57014). The connection is in autocommit mode (peewee), so the cancel
  aborts nothing else.

Inside a transaction no budget is set (a stopped statement there could take the transaction with it): the read
runs to its end. Only reads belong inside: a stopped write would be rolled back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from fbm_desk.db import dialect
from fbm_desk.db.models import database_proxy

_STEP = 1000  # SQLite virtual-machine steps between two looks at the clock (~20-50 µs)
# Below this much work a read is never stopped: 10-20 ms of SQLite's work at 11,000-22,000 steps per ms (the
# Orders table's pages at 1M orders, this machine kind); a page read along an index takes ~30,000.
MIN_STEPS = 200_000
_QUERY_CANCELED = "57014"


class ReadOverBudget(Exception):
    """The read passed its time budget and was stopped; nothing of it was returned."""


@contextmanager
def read_budget(ms: float, *, min_steps: int | None = None) -> Iterator[None]:
    """Stop the reads inside once they have run ``ms`` milliseconds (and, on SQLite, ``min_steps`` steps,
    ``MIN_STEPS`` by default): raises ``ReadOverBudget``. Any other error passes through unchanged."""
    if database_proxy.obj is None or database_proxy.in_transaction():
        yield
        return
    if dialect.is_postgres():
        with _postgres_budget(ms):
            yield
        return
    with _sqlite_budget(ms, MIN_STEPS if min_steps is None else min_steps):
        yield


@contextmanager
def _sqlite_budget(ms: float, min_steps: int) -> Iterator[None]:
    conn = database_proxy.connection()
    deadline = time.perf_counter() + ms / 1000
    steps = 0
    stopped = False

    def look() -> int:
        nonlocal steps, stopped
        steps += _STEP
        stopped = steps >= min_steps and time.perf_counter() >= deadline
        return 1 if stopped else 0

    conn.set_progress_handler(look, _STEP)
    try:
        yield
    except Exception as exc:
        if stopped:  # SQLITE_INTERRUPT, raised by execute (wrapped by peewee) or by a later fetch
            raise ReadOverBudget(f"stopped after {steps:,} steps") from exc
        raise
    finally:
        conn.set_progress_handler(None, _STEP)


@contextmanager
def _postgres_budget(ms: float) -> Iterator[None]:
    database_proxy.execute_sql(f"SET statement_timeout = {max(1, round(ms))}")
    try:
        yield
    except Exception as exc:
        if _sqlstate(exc) == _QUERY_CANCELED:
            raise ReadOverBudget("canceled by statement_timeout") from exc
        raise
    finally:
        database_proxy.execute_sql("SET statement_timeout = 0")


def _sqlstate(exc: BaseException | None) -> str | None:
    """The SQLSTATE of ``exc`` or of the driver's error peewee wrapped in it."""
    seen = 0
    while exc is not None and seen < 5:
        state = getattr(exc, "sqlstate", None)
        if state:
            return str(state)
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None
