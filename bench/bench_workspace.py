"""Several packing stations on one PostgreSQL workspace (issue 13): nothing shipped, packed or confirmed twice,
package-save latency next to SQLite, and the schedule's failover.

Starts its own throwaway PostgreSQL server (``tests/support/pg_server.py``) and the built-in Amazon sandbox.

1. Floors, one station each, 250 package saves on orders nobody else touches: SQLite (this computer's file)
   and PostgreSQL (the workspace, idle otherwise).
2. Contention: ``--stations`` station processes (own data folders, one workspace URL) each record
   ``--packages`` packages on a shared set of ``--orders`` orders (neighbouring stations share
   ``--overlap`` orders: both try to pack them, one is refused) while ``fbm-desk sync orders`` imports
   ``--more`` new orders. Then two stations run ``sync shipments`` at once. Counted from the workspace and from
   what the sandbox received: over-shipped units, duplicate packages, duplicate confirmations (expect 0 each).
3. Failover: two stations run the scheduler headless (``workspace_station.py schedule``, ``--scale`` times the
   real pace); the one that runs the store's schedule is killed (SIGKILL); the time until the other starts its
   first job of the store (target <= 60 s).

    .venv/bin/python bench/bench_workspace.py [--orders 1000] [--more 2000] [--stations 4] [--packages 250]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ["FBM_DESK_CREDENTIALS"] = "file"  # each station keeps the workspace key in its data folder
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import dialect
from fbm_desk.db.stores import get_store
from fbm_desk.db.workspace_secrets import WorkspaceCredentials
from fbm_desk.domain.stores import add_store
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox, start_sandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.pg_server import start_server

STATION = Path(__file__).with_name("workspace_station.py")


def settle(sb: RunningSandbox, minutes: float = 3.0) -> None:
    """Amazon lists changes ~2 min late: date every change back so the next import window holds it."""
    with sb.world.lock:
        for order in sb.world.orders.values():
            order.last_updated -= timedelta(minutes=minutes)
            order.created = min(order.created, order.last_updated)


def add_orders(sb: RunningSandbox, skus: list[str], count: int) -> list[str]:
    ids = [sb.world.add_order(skus={skus[n % len(skus)]: 2}) for n in range(count)]
    settle(sb)
    return ids


def env_for(sb: RunningSandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_")}
    env.update(sb.env())
    env["FBM_DESK_CREDENTIALS"] = "file"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def cli(sb: RunningSandbox, data: Path, url: str, *args: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "fbm_desk", "--data-dir", str(data), "--database", url, *args]
    return subprocess.Popen(argv, env=env_for(sb), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def station(sb: RunningSandbox, *args: str) -> subprocess.Popen[str]:
    argv = [sys.executable, str(STATION), *args]
    return subprocess.Popen(argv, env=env_for(sb), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def percentiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    cuts = statistics.quantiles(values, n=100)
    return statistics.median(values), cuts[94]


def open_station(sb: RunningSandbox, data: Path, url: str | None) -> CoreServices:
    paths = AppPaths(data_dir=data, log_dir=data / "logs", database_url=url).ensure()
    return build_core(paths, spapi_config=sb.spapi_config())


def connect(core: CoreServices, sb: RunningSandbox) -> int:
    store = add_store(
        core,
        name="Bench US",
        marketplace="US",
        selling_partner_id=sb.info.selling_partner_id,
        refresh_token=sb.info.refresh_token,
    )
    result = run_job(core, get_store(store.id), JobKind.PRODUCTS_FULL)
    assert result.status == "ok", result.error
    return store.id


def import_orders(core: CoreServices, store_id: int) -> None:
    result = run_job(core, get_store(store_id), JobKind.ORDERS)
    assert result.status == "ok", result.error


def pack_run(
    sb: RunningSandbox, tmp: Path, name: str, data: Path, url: str, orders: list[str], **opts: int
) -> subprocess.Popen[str]:
    order_file = tmp / f"{name}-orders.json"
    order_file.write_text(json.dumps(orders))
    out = tmp / f"{name}.json"
    args = ["pack", "--data", str(data), "--url", url, "--orders", str(order_file), "--out", str(out)]
    for key, value in opts.items():
        args += [f"--{key}", str(value)]
    return station(sb, *args)


def pack_result(tmp: Path, name: str, proc: subprocess.Popen[str]) -> dict[str, Any]:
    _out, err = proc.communicate(timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(f"station {name} failed:\n{err}")
    result: dict[str, Any] = json.loads((tmp / f"{name}.json").read_text())
    return result


def counts_on_workspace() -> dict[str, int]:
    over = dialect.execute(
        "SELECT coalesce(sum(packed - quantity), 0) FROM (SELECT i.id, i.quantity, sum(pi.quantity) AS packed "
        "FROM order_item i JOIN package_item pi ON pi.order_item_id = i.id GROUP BY i.id, i.quantity) t "
        "WHERE packed > quantity"
    ).fetchone()[0]
    dup = dialect.execute(
        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT order_id, count(*) AS n FROM package GROUP BY order_id) t "
        "WHERE n > 1"
    ).fetchone()[0]
    packages = dialect.execute("SELECT count(*) FROM package").fetchone()[0]
    return {"over_shipped_units": int(over), "duplicate_packages": int(dup), "packages": int(packages)}


def confirmations(sb: RunningSandbox) -> tuple[int, int]:
    sent = [s for s in sb.world.pushed()["shipments"] if not s["edit"]]
    per_order = Counter(s["order_id"] for s in sent)
    return len(sent), sum(n - 1 for n in per_order.values() if n > 1)


def failover(sb: RunningSandbox, url: str, a: Path, b: Path, scale: float) -> float:
    first = station(sb, "schedule", "--data", str(a), "--url", url, "--scale", str(scale))
    assert first.stdout is not None
    while json.loads(first.stdout.readline())["event"] != "job":  # A runs the store's schedule
        pass
    second = station(sb, "schedule", "--data", str(b), "--url", url, "--scale", str(scale))
    assert second.stdout is not None
    line = json.loads(second.stdout.readline())
    assert line["event"] == "ready", line
    killed = time.time()
    first.send_signal(signal.SIGKILL)
    first.wait()
    try:
        while True:
            text = second.stdout.readline()
            if not text:
                raise SystemExit(
                    "the second station stopped: " + (second.stderr.read() if second.stderr else "")
                )
            event = json.loads(text)
            if event["event"] == "job":
                return float(event["t"]) - killed
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
        for proc in (first, second):
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--more", type=int, default=2000)
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--packages", type=int, default=250)
    parser.add_argument("--overlap", type=int, default=20)
    parser.add_argument("--speedup", type=float, default=600.0)
    parser.add_argument("--scale", type=float, default=600.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-workspace-"))
    server = start_server()
    report: dict[str, Any] = {}
    try:
        url = server.create_database()
        with start_sandbox(speedup=args.speedup, order_count=0) as sb:
            skus = sorted(
                lst.sku for lst in sb.world.listings.values() if not lst.is_fba and lst.status == "Active"
            )[:20]
            floor_orders = add_orders(sb, skus, args.packages)

            local = open_station(sb, tmp / "sqlite", None)  # floor 1: this computer's SQLite file
            import_orders(local, connect(local, sb))
            local.close()
            proc = pack_run(sb, tmp, "sqlite", tmp / "sqlite", "", floor_orders, count=args.packages)
            sqlite_saves = pack_result(tmp, "sqlite", proc)["saves_ms"]

            shared = add_orders(sb, skus, args.orders)
            core = open_station(sb, tmp / "station-1", url)  # the workspace; station 1 connects the store
            store_id = connect(core, sb)
            import_orders(core, store_id)
            proc = pack_run(sb, tmp, "pg-alone", tmp / "station-1", url, floor_orders, count=args.packages)
            pg_alone = pack_result(tmp, "pg-alone", proc)["saves_ms"]

            assert isinstance(core.credentials, WorkspaceCredentials)
            key = core.credentials.export_key_text()
            for n in range(2, args.stations + 1):
                join = cli(sb, tmp / f"station-{n}", url, "workspace-key", "join", key)
                _o, err = join.communicate(timeout=120)
                assert join.returncode == 0, err
            add_orders(sb, skus, args.more)
            stride = args.packages - args.overlap
            started = time.perf_counter()
            sync = cli(sb, tmp / "station-1", url, "sync", "orders", "--json")
            stations = [
                pack_run(sb, tmp, f"s{n}", tmp / f"station-{n + 1}", url, shared, start=n * stride,
                         count=args.packages, station=n + 1)
                for n in range(args.stations)
            ]  # fmt: skip
            results = [pack_result(tmp, f"s{n}", p) for n, p in enumerate(stations)]
            packing_s = time.perf_counter() - started
            sync_out, _sync_err = sync.communicate(timeout=1800)
            sync_result = json.loads(sync_out.strip().splitlines()[-1])
            confirm = [cli(sb, tmp / f"station-{n}", url, "sync", "shipments", "--json") for n in (1, 2)]
            confirm_ok = all(p.wait(timeout=1800) == 0 for p in confirm)
            for p in confirm:
                p.communicate()
            counts = counts_on_workspace()
            sent, duplicate_confirmations = confirmations(sb)
            contended = [s for r in results for s in r["saves_ms"]]
            report = {
                "over_shipped_units": counts["over_shipped_units"],
                "duplicate_packages": counts["duplicate_packages"],
                "duplicate_confirmations": duplicate_confirmations,
                "packages": counts["packages"],
                "confirmations_sent": sent,
                "recorded": sum(r["recorded"] for r in results),
                "refused_contended": sum(r["refused"] for r in results),
                "errors": [e for r in results for e in r["errors"]],
                "orders_sync": {k: sync_result.get(k) for k in ("status", "created", "updated", "error")},
                "shipments_syncs_exit_0": confirm_ok,
                "packing_wall_s": round(packing_s, 1),
                "save_ms": {
                    "sqlite_one_station": [round(v, 1) for v in percentiles(sqlite_saves)],
                    "postgresql_one_station": [round(v, 1) for v in percentiles(pg_alone)],
                    "postgresql_4_stations_with_sync": [round(v, 1) for v in percentiles(contended)],
                },
            }
            core.close()
            report["failover_s"] = round(
                failover(sb, url, tmp / "station-1", tmp / "station-2", args.scale), 1
            )
    finally:
        server.stop()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    save = report["save_ms"]
    print(f"over-shipped units: {report['over_shipped_units']}   duplicate packages: {report['duplicate_packages']}   "
          f"duplicate confirmations: {report['duplicate_confirmations']}")  # fmt: skip
    print(f"packages recorded: {report['recorded']} (refused, packed by another station first: "
          f"{report['refused_contended']}); confirmations sent: {report['confirmations_sent']}; "
          f"errors: {len(report['errors'])}")  # fmt: skip
    print(f"orders sync meanwhile: {report['orders_sync']}; two shipments syncs exit 0: "
          f"{report['shipments_syncs_exit_0']}")  # fmt: skip
    for label, key in (
        ("SQLite, one station (floor)", "sqlite_one_station"),
        ("PostgreSQL, one station", "postgresql_one_station"),
        (f"PostgreSQL, {args.stations} stations + orders sync", "postgresql_4_stations_with_sync"),
    ):
        p50, p95 = save[key]
        print(f"package save p50/p95 {label}: {p50:.1f} / {p95:.1f} ms")
    floor = save["sqlite_one_station"][0] or 1.0
    print(f"ratio PostgreSQL one station / SQLite p50: {save['postgresql_one_station'][0] / floor:.2f}x")
    print(f"failover (kill the schedule's station -> first job on another): {report['failover_s']} s (<= 60)")
    for error in report["errors"][:5]:
        print("  error:", error)


if __name__ == "__main__":
    main()
