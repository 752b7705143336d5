"""GUI event-loop latency during a 10,000-order sync and on every screen (issues 6, 19: never stall > 50 ms).

Setup: the built-in sandbox with N merchant-fulfilled orders in its own process (like Amazon: its JSON
work must not count against our GUI thread; ``--in-process`` to compare); a data dir that already holds
``--base-orders`` orders (200,000 by default, from ``tests/support/demo_data``; generated once into a cached
template, then copied for each run); the real ``JobRunner`` running the real orders job on its thread pool;
and the real main window (``fbm_desk.app.build_main_window``: all four tabs, sync-health widget, notifier),
shown on the Orders tab, so every tab reacts to ``job_started``/``job_progress``/``job_finished`` the way
it does in the app (``--bare`` for just a status bar). Start-up objects are frozen (``gc.freeze()``) as in
the app. A precise 5 ms ``QTimer`` ticks on the GUI thread the whole time, including the refreshes after
the job ends; a *stall* is how much later than scheduled a tick arrived. Reported: max / p99 / p95 stall,
ticks later than 50 ms, garbage-collector pauses, the sync duration and the orders imported.
Then (unless ``--bare`` / ``--no-tour``) the tour of ``bench/gui_tour.py``: every tab shown in turn (first load or
refresh after the sync), a SKU selected in the Inventory tab, the order detail panel, the pack dialog, the Warehouses page and the sync log (with a page of 500 runs:
the tour adds what the database lacks); the worst
stall of each screen is reported (``worst_by_screen``) — a stall is the time the event loop was blocked, i.e.
the GUI thread's reads. ``--data-dir DIR`` runs on an existing data folder (a copy, e.g. of the prebuilt
1,000,000-order folder: the bench adds a store and imports into it; its workspace key in its
``secrets-INSECURE.json``). Other processes competing for the CPUs show up as stalls too: ``--repeat N`` runs N fresh processes and
prints the spread (per screen: the worst, and the median of the runs with their spread); ``--trace-stalls FILE`` dumps every thread's stack whenever a tick is late.

    .venv/bin/python bench/bench_gui_latency.py [--orders 10000] [--base-orders 200000] [--speedup 600]
        [--data-dir DIR] [--tab Orders|Stores|Products|Inventory|Rules | --bare] [--no-tour] [--in-process]
        [--repeat N] [--trace-stalls FILE] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from bench.gui_tour import SqlOnGuiThread, Tour, add_sync_history, released_order_id, steps
from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.app import build_main_window
from fbm_desk.core import build_core
from fbm_desk.db.models import Order
from fbm_desk.db.stores import list_stores
from fbm_desk.domain.stores import StoreOptions, add_store, replace_token
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import start_sandbox
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.runner import JobRunner
from fbm_desk.ui.services import Services
from fbm_desk.ui.sync_health import SyncStatusWidget
from tests.support.demo_data import copy_template, template_database

TICK_MS = 5
BUDGET_MS = 50.0
AFTER_JOB_MS = 1500
DB_NAME = "fbm-desk.sqlite3"


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@contextmanager
def sandbox_for(orders: int, speedup: float, in_process: bool) -> Iterator[dict[str, str]]:
    """Connection info (``fbm-desk sandbox`` JSON) of a static sandbox holding ``orders`` FBM orders."""
    if in_process:
        sandbox = start_sandbox(order_count=0, speedup=speedup)
        sandbox.world.generate_orders(orders)
        try:
            yield sandbox.info.to_dict()
        finally:
            sandbox.stop()
        return
    cmd = [
        sys.executable,
        "-m",
        "fbm_desk",
        "sandbox",
        "--static",
        "--orders",
        "0",
        "--speedup",
        f"{speedup:g}",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        url = f"{info['endpoint']}/_sandbox/generate_orders"
        requests.post(url, json={"count": orders}, timeout=120).raise_for_status()
        yield info
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class StallTracer:
    """``--trace-stalls``: a sampler thread that explains GUI-thread stalls with stack samples.

    Every ``SAMPLE_MS`` it takes every thread's stack (``sys._current_frames``: safe, unlike faulthandler's
    watchdog, which crashed reading a running thread) into a short history. While the GUI thread is late
    it writes the samples; when a stall ends (``note``) it writes the samples just before and during it. A
    sampler that itself woke much later than planned could not get the GIL (held by C code that does not
    release it) or a CPU: the samples around the gap show who had it.
    """

    SAMPLE_MS = 10
    STACK_DEPTH = 9
    HISTORY = 40

    def __init__(self, path: Path, last_tick: list[float], started: float) -> None:
        self._file = path.open("w")
        self._last = last_tick
        self._started = started
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-tracer", daemon=True)
        self._history: deque[tuple[float, float, str]] = deque(maxlen=self.HISTORY)
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def note(self, stall_ms: float, text: str) -> None:
        """Called on the GUI thread when a stall ended: write it with the samples that cover it."""
        now = time.perf_counter()
        begin = now - stall_ms / 1000 - 0.05
        with self._lock:
            samples = [h for h in self._history if h[0] >= begin]
        lines = [text] + [
            f"  [{t - self._started:7.3f} s, sampler {late:4.0f} ms late] {stacks}"
            for t, late, stacks in samples
        ]
        print("\n".join(lines), file=self._file, flush=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._file.close()

    def _stacks(self) -> str:
        names = {t.ident: t.name for t in threading.enumerate()}
        parts = []
        for ident, frame in sys._current_frames().items():
            if ident == threading.get_ident():
                continue
            name = "GUI" if ident == threading.main_thread().ident else names.get(ident, "?")[:12]
            summary = traceback.extract_stack(frame)[-self.STACK_DEPTH :]
            where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(summary))
            parts.append(f"{name}: {where}")
        return " || ".join(parts)

    def _run(self) -> None:
        while not self._stop.is_set():
            planned = time.perf_counter() + self.SAMPLE_MS / 1000
            time.sleep(self.SAMPLE_MS / 1000)
            woke = time.perf_counter()
            with self._lock:
                self._history.append((woke, (woke - planned) * 1000, self._stacks()))


def template_db(base_orders: int) -> Path | None:
    """A database file holding ``base_orders`` demo orders, generated once and kept in the temp dir."""
    if base_orders <= 0:
        return None
    return template_database(base_orders)


def run(
    orders: int,
    speedup: float,
    in_process: bool = False,
    trace_stalls: Path | None = None,
    base_orders: int = 200_000,
    bare: bool = False,
    tab: str = "Orders",
    data_dir: Path | None = None,
    tour: bool = True,
) -> dict[str, object]:
    if data_dir is not None:  # an existing folder, used as it is
        os.environ["FBM_DESK_CREDENTIALS"] = "file"
        with sandbox_for(orders, speedup, in_process) as info:
            report = measure(info, data_dir, speedup, trace_stalls, bare=bare, tab=tab, tour=tour)
        return report | {
            "orders_in_sandbox": orders,
            "data_dir": str(data_dir),
            "window": "bare" if bare else f"main window, {tab} tab",
            "sandbox": "in-process" if in_process else "subprocess",
        }
    template = template_db(base_orders)
    data = Path(tempfile.mkdtemp(prefix="fbm-bench-gui-"))
    try:
        if template is not None:
            copy_template(template, data)
        with sandbox_for(orders, speedup, in_process) as info:
            report = measure(info, data, speedup, trace_stalls, bare=bare, tab=tab, tour=tour)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return report | {
        "orders_in_sandbox": orders,
        "base_orders": base_orders,
        "window": "bare" if bare else f"main window, {tab} tab",
        "sandbox": "in-process" if in_process else "subprocess",
    }


def measure(
    info: dict[str, str],
    data: Path,
    speedup: float,
    trace_stalls: Path | None = None,
    *,
    bare: bool = False,
    tab: str = "Orders",
    tour: bool = True,
) -> dict[str, object]:
    app = QApplication.instance() or QApplication([])
    config = SpApiConfig(
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        application_id=info["application_id"],
        lwa_token_url=info["lwa_token_url"],
        spapi_endpoint=info["endpoint"],
        seller_central_url=info["seller_central_url"],
        speedup=speedup,
    )
    core = build_core(AppPaths(data_dir=data, log_dir=data / "logs"), spapi_config=config)
    try:
        store = add_store(
            core,
            name=f"Bench US {time.strftime('%H%M%S')}",
            marketplace="US",
            selling_partner_id=info["selling_partner_id"],
            refresh_token=info["refresh_token"],
            options=StoreOptions(import_pending=True),
        )
    except InvalidInput:  # --data-dir used before: the same sandbox account, reconnected
        found = next(s for s in list_stores() if s.selling_partner_id == info["selling_partner_id"])
        store = replace_token(core, found.id, info["refresh_token"])
    orders_before = int(core.db.db.execute_sql("SELECT max(id) FROM orders").fetchone()[0] or 0)
    history = add_sync_history(core.db.db, store.id) if tour and not bare else 0
    runner = JobRunner(core)
    window: QMainWindow
    main = None
    if bare:
        window = QMainWindow()
        window.setCentralWidget(QLabel("bench"))
        window.statusBar().addPermanentWidget(SyncStatusWidget(runner))
    else:
        main = build_main_window(Services(core=core, runner=runner))
        main.tabs.setCurrentIndex(main.tab_titles().index(tab))
        window = main
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    pack_order = released_order_id(main) if main is not None else None
    gc.collect()
    gc.freeze()  # as the app does after start-up

    stalls: list[float] = []
    last = [time.perf_counter()]
    gc_pauses: list[tuple[int, float]] = []  # (generation, ms): the collector stops every thread
    gc_started = [0.0]

    def on_gc(phase: str, gc_info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append((gc_info["generation"], (time.perf_counter() - gc_started[0]) * 1000))

    gc.callbacks.append(on_gc)

    tracer: StallTracer | None = None

    job_ended = [0.0]  # perf_counter when job_finished/job_failed arrived on the GUI thread
    late: list[tuple[float, float, str]] = []  # (seconds since start, stall ms, "sync" | "after" | screen)
    phase = ["sync"]  # "sync", "after sync", then the tour's screens
    by_phase: dict[str, float] = {}
    sql = SqlOnGuiThread(core.db.db, phase)

    def tick() -> None:
        now = time.perf_counter()
        stall = max(0.0, (now - last[0]) * 1000 - TICK_MS)
        stalls.append(stall)
        last[0] = now
        if phase[0] == "sync" and job_ended[0]:
            phase[0] = f"after sync ({tab} on screen)"
        by_phase[phase[0]] = max(by_phase.get(phase[0], 0.0), stall)
        if stall > BUDGET_MS:
            late.append((round(now - started, 2), round(stall, 1), phase[0]))
            if tracer is not None:
                tracer.note(stall, f"# stall of {stall:.0f} ms ({phase[0]}) ended at {now - started:.3f} s")

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    results: list[SyncResult] = []

    def ended(_store: int, _kind: str, result: SyncResult) -> None:
        results.append(result)
        job_ended[0] = time.perf_counter()

    # Connected after the window's tabs: their job_finished slots run first, so a stall caused by their
    # refresh ends at a tick that already sees job_ended and counts as "after".
    runner.job_finished.connect(ended)
    runner.job_failed.connect(ended)
    progress_signals = [0]
    runner.job_progress.connect(lambda *_: progress_signals.__setitem__(0, progress_signals[0] + 1))

    loop = QEventLoop()
    # Keep ticking a little after the job ends: the tabs refresh on job_finished, on the GUI thread.
    if main is not None and tour:
        the_tour = Tour(steps(main, pack_order), phase, loop.quit)
        runner.idle.connect(lambda: QTimer.singleShot(AFTER_JOB_MS, the_tour.start))
    else:
        runner.idle.connect(lambda: QTimer.singleShot(AFTER_JOB_MS, loop.quit))
    started = time.perf_counter()
    last[0] = started
    if trace_stalls is not None:
        tracer = StallTracer(trace_stalls, last, started)
        tracer.start()
    timer.start()
    runner.enqueue(store.id, JobKind.ORDERS)
    loop.exec()
    duration = time.perf_counter() - started
    timer.stop()
    gc.callbacks.remove(on_gc)
    if tracer is not None:
        tracer.stop()
    imported = Order.select().where(Order.id > orders_before).count()
    runner.shutdown(timeout=30)
    window.close()
    window.deleteLater()
    app.processEvents()
    core.close()
    gc.unfreeze()
    result = results[0] if results else None
    return {
        "orders_imported": imported,
        "sync_runs_added": history,
        "sync_status": result.status if result else "none",
        "sync_error": result.error if result else "",
        "sync_seconds": round((job_ended[0] or started + duration) - started, 2),
        "api_calls": result.api_calls if result else 0,
        "ticks": len(stalls),
        "progress_signals": progress_signals[0],
        "stall_max_ms": round(max(stalls, default=0.0), 1),
        "stall_p99_ms": round(percentile(stalls, 99), 1),
        "stall_p95_ms": round(percentile(stalls, 95), 1),
        "stall_mean_ms": round(statistics.fmean(stalls), 2) if stalls else 0.0,
        "ticks_over_budget": len(late),
        "stall_max_sync_ms": max((ms for _, ms, where in late if where == "sync"), default=0.0),
        "stall_max_after_ms": max((ms for _, ms, where in late if where.startswith("after")), default=0.0),
        "worst_by_screen": {name: round(ms, 1) for name, ms in by_phase.items()},
        "gui_sql_by_screen": {
            name: {
                "worst_ms": round(ms, 1),
                "total_ms": round(sql.total.get(name, 0.0), 1),
                "sql": text,
                "at": at,
                "slowest": [(round(m, 1), w, t) for m, w, t in sql.slowest(name)],
            }
            for name, (ms, text, at) in sql.worst.items()
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "late_ticks": late,
        "budget_ms": BUDGET_MS,
        "gc_collections": len(gc_pauses),
        "gc_max_ms": round(max((ms for _, ms in gc_pauses), default=0.0), 1),
        "gc_gen2_max_ms": round(max((ms for g, ms in gc_pauses if g == 2), default=0.0), 1),
    }


def repeat(args: argparse.Namespace) -> dict[str, object]:
    """Run the bench ``args.repeat`` times, each in a fresh process, and summarize the spread."""
    cmd = [sys.executable, __file__, "--json", "--orders", str(args.orders), "--speedup", f"{args.speedup:g}"]
    cmd += ["--base-orders", str(args.base_orders)]
    cmd += ["--bare"] if args.bare else ["--tab", args.tab]
    cmd += ["--in-process"] if args.in_process else []
    cmd += ["--data-dir", str(args.data_dir)] if args.data_dir else []
    cmd += ["--no-tour"] if args.no_tour else []
    template_db(args.base_orders)  # once, before the timed runs
    runs: list[dict[str, object]] = []
    for i in range(args.repeat):
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        line = next((ln for ln in reversed(out.stdout.splitlines()) if ln.startswith("{")), "")
        if not line:
            print(f"run {i + 1} failed (exit {out.returncode}):\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        runs.append(json.loads(line))
        r = runs[-1]
        print(
            f"run {i + 1}: max {r['stall_max_ms']} ms, p99 {r['stall_p99_ms']} ms, "
            f"over budget {r['ticks_over_budget']}, sync {r['sync_seconds']} s, {r['sync_status']}",
            file=sys.stderr,
        )
    if not runs:
        return {"runs": 0, "sync_status": "none", "stall_max_ms": 0.0}
    summary: dict[str, object] = {"runs": len(runs), "sync_status": "ok"}
    if any(r["sync_status"] != "ok" for r in runs):
        summary["sync_status"] = "failed"
    for key in ("stall_max_ms", "stall_p99_ms", "stall_p95_ms", "ticks_over_budget", "sync_seconds"):
        values = [float(r[key]) for r in runs]  # type: ignore[arg-type]
        summary[key] = max(values) if key == "stall_max_ms" else statistics.median(values)
        summary[f"{key}_median"] = statistics.median(values)
        summary[f"{key}_spread"] = f"{min(values):g}–{max(values):g}"
    for key in ("orders_imported", "window", "sandbox", "gc_max_ms"):
        summary[key] = runs[-1][key]
    per_run: dict[str, list[float]] = {}
    for r in runs:
        for screen, ms in dict(r.get("worst_by_screen", {})).items():  # type: ignore[call-overload]
            per_run.setdefault(screen, []).append(float(ms))
    summary["worst_by_screen"] = {screen: max(values) for screen, values in per_run.items()}
    # One busy moment of another process spoils a run's screen: the median of the runs says what is typical.
    summary["by_screen_median_spread"] = {
        screen: (round(statistics.median(values), 1), f"{min(values):g}–{max(values):g}")
        for screen, values in per_run.items()
    }
    return summary


def compile_package() -> None:
    """Bytecode for every module, as an installed app has (pip and the bundle write it): a dialog's module
    imported when it first opens would otherwise be compiled from source then, on the window's thread, in
    a shell that sets ``PYTHONDONTWRITEBYTECODE`` (~0.1 s for the pack dialog's)."""
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parents[1] / "fbm_desk", quiet=1, force=False)


def main() -> int:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument(
        "--base-orders", type=int, default=200_000, help="orders already in the database (0: empty)"
    )
    parser.add_argument("--speedup", type=float, default=600.0)
    parser.add_argument("--bare", action="store_true", help="a bare window with the sync widget only")
    parser.add_argument(
        "--tab",
        default="Orders",
        choices=("Stores", "Orders", "Products", "Inventory", "Rules"),
        help="tab on screen during the sync",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="an existing data folder (a copy: the bench writes to it)"
    )
    parser.add_argument("--no-tour", action="store_true", help="skip the tour of every screen after the sync")
    parser.add_argument("--in-process", action="store_true", help="run the sandbox inside this process")
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes to run; prints the spread")
    parser.add_argument("--trace-stalls", type=Path, metavar="FILE", help="dump all stacks at each stall")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.repeat > 1:
        report = repeat(args)
    else:
        report = run(
            args.orders,
            args.speedup,
            args.in_process,
            args.trace_stalls,
            args.base_orders,
            args.bare,
            args.tab,
            args.data_dir,
            not args.no_tour,
        )
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            if key == "gui_sql_by_screen":
                print(f"{'GUI-thread SQL':>20}: worst query / all queries of each screen")
                for screen, q in value.items():  # type: ignore[attr-defined]
                    print(f"{'':>22}{screen:<34} {q['worst_ms']:7.1f} / {q['total_ms']:7.1f} ms")
                    for ms, where, text in q["slowest"]:
                        print(f"{'':>26}{ms:7.1f} ms  {where}\n{'':>37}{text}")
            elif key == "by_screen_median_spread":
                print(f"{'stall by screen':>20}: median of the runs (spread)")
                for screen, (median, spread) in value.items():  # type: ignore[attr-defined]
                    print(
                        f"{'':>22}{screen:<34} {median:7.1f} ms  ({spread}){'  OVER' if median > BUDGET_MS else ''}"
                    )
            elif key == "worst_by_screen":
                print(f"{'worst stall by screen':>20}:")
                for screen, ms in value.items():  # type: ignore[attr-defined]
                    print(f"{'':>22}{screen:<34} {ms:7.1f} ms{'  OVER' if ms > BUDGET_MS else ''}")
            else:
                print(f"{key:>20}: {value}")
    ok = report["sync_status"] == "ok" and float(report["stall_max_ms"]) <= BUDGET_MS  # type: ignore[arg-type]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
