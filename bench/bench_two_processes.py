"""Two processes × each job on one store (issue 11 #3): nothing sent twice, nothing fails "busy".

Against the built-in sandbox (Amazon's rate limits, sped up alike for the app and the sandbox), for each job
(orders, shipments, inventory, products-full), N rounds of: set up fresh work, then start two
``fbm-desk sync JOB --json`` processes at the same moment on the same data folder. Counted from what the
sandbox received:

* duplicate confirmations: confirmShipment payloads received beyond one per package recorded (expect 0);
* pushes beyond one per change: stock pushes (listing patches or feeds) beyond one per changed SKU (expect 0);
* "busy" failures: runs that failed (or exited non-zero) at all, "busy" or not (expect 0);
* covered: second runs that reported ``"covered_by_other_run": true`` instead of running again;
* 429: throttled answers over both processes (one shared rate limiter per seller).

Timings: wall time of a pair next to one process alone (the floor, measured in the same run).

    .venv/bin/python bench/bench_two_processes.py [--rounds 20] [--speedup 600] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ["FBM_DESK_CREDENTIALS"] = "file"  # the subprocesses read the token the bench stores
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.stock import pending_pushes
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.domain.stores import add_store
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox, start_sandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job

JOBS = ("orders", "shipments", "inventory", "products-full")


def settle(sb: RunningSandbox, minutes: float = 3.0) -> None:
    """Amazon lists changes ~2 min late: date every change back so the next window holds it."""
    with sb.world.lock:
        for order in sb.world.orders.values():
            order.last_updated -= timedelta(minutes=minutes)
            order.created = min(order.created, order.last_updated)


class Bench:
    def __init__(self, sb: RunningSandbox, data: Path) -> None:
        self.sb = sb
        self.data = data
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_")}
        self.env.update(sb.env())
        self.env["FBM_DESK_CREDENTIALS"] = "file"
        self.core: CoreServices = build_core(AppPaths(data, data / "logs"), spapi_config=sb.spapi_config())
        self.store = add_store(
            self.core,
            name="Bench US",
            marketplace="US",
            selling_partner_id=sb.info.selling_partner_id,
            refresh_token=sb.info.refresh_token,
        )
        self.skus = [
            lst.sku for lst in sb.world.listings.values() if not lst.is_fba and lst.status == "Active"
        ][:40]
        self.tracking = 100000

    def start(self, job: str) -> subprocess.Popen[str]:
        argv = [sys.executable, "-m", "fbm_desk", "--data-dir", str(self.data), "sync", job, "--json"]
        return subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def runs(self, job: str, count: int) -> tuple[float, list[tuple[int, dict[str, Any], str]]]:
        began = time.perf_counter()
        procs = [self.start(job) for _ in range(count)]
        done = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            line = out.strip().splitlines()[-1] if out.strip() else "{}"
            done.append((proc.returncode, json.loads(line), err))
        return time.perf_counter() - began, done

    def prepare(self, job: str, round_no: int) -> int:
        """Fresh work for one round; returns the number of units a correct run sends (packages, changes)."""
        world = self.sb.world
        if job == "orders":
            for _ in range(3):
                world.add_order(skus={self.skus[round_no % len(self.skus)]: 1})
            settle(self.sb)
            return 0
        if job == "shipments":
            ids = [world.add_order(skus={self.skus[(round_no + k) % len(self.skus)]: 1}) for k in range(3)]
            settle(self.sb)
            assert run_job(self.core, get_store(self.store.id), JobKind.ORDERS).status == "ok"
            for order_id in ids:
                self.tracking += 1
                record_package(self.core, order_id, "UPS", f"1Z999AA1{self.tracking:010d}")
            return len(ids)
        if job == "inventory":
            changed = self.skus[(2 * round_no) % len(self.skus) : (2 * round_no) % len(self.skus) + 2]
            for k, sku in enumerate(changed):
                set_on_hand(sku, 100_000 + 10 * round_no + k, reason="bench")
            return len(pending_pushes(self.store.id))  # these and what packed orders took meanwhile
        return 0


def _pushed(sb: RunningSandbox) -> tuple[int, int, int]:
    pushed = sb.world.pushed()
    calls = sb.world.counters()["calls"]
    return len(pushed["shipments"]), len(pushed["listing_patches"]), int(calls.get("createFeed", 0))


def _throttled(sb: RunningSandbox) -> int:
    return sum(sb.world.counters()["throttled"].values())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--speedup", type=float, default=600.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, start_sandbox(speedup=args.speedup, order_count=0) as sb:
        bench = Bench(sb, Path(tmp) / "data")
        for job in ("products-full", "orders"):  # the store's products and a first order window
            assert run_job(bench.core, get_store(bench.store.id), JobKind(job)).status == "ok"
        for job in JOBS:
            floor: list[float] = []
            pair: list[float] = []
            dupes = beyond = failed = covered = 0
            throttled_before = _throttled(sb)
            for round_no in range(args.rounds):
                units = bench.prepare(job, round_no)
                ships0, patches0, feeds0 = _pushed(sb)
                if round_no % 5 == 0:  # the floor: one process alone (then the pair has nothing left)
                    seconds, _ = bench.runs(job, 1)
                    floor.append(seconds)
                    units = bench.prepare(job, round_no + 1000)
                    ships0, patches0, feeds0 = _pushed(sb)
                seconds, results = bench.runs(job, 2)
                pair.append(seconds)
                ships1, patches1, feeds1 = _pushed(sb)
                if job == "shipments":
                    dupes += max(0, (ships1 - ships0) - units)
                if job == "inventory":
                    pushes = (patches1 - patches0) + (feeds1 - feeds0)
                    beyond += max(0, pushes - units) if feeds1 == feeds0 else max(0, feeds1 - feeds0 - 1)
                for code, result, err in results:
                    if code != 0 or result.get("status") != "ok":
                        failed += 1
                        print(
                            f"  {job} round {round_no}: exit {code}: {result.get('error') or err}",
                            file=sys.stderr,
                        )
                    covered += bool(result.get("covered_by_other_run"))
            rows.append(
                {
                    "job": job,
                    "rounds": args.rounds,
                    "duplicate_confirmations": dupes,
                    "pushes_beyond_one_per_change": beyond,
                    "failed_runs_busy_or_other": failed,
                    "covered_by_other_run": covered,
                    "throttled_429": _throttled(sb) - throttled_before,
                    "one_process_s_median": round(statistics.median(floor), 2),
                    "two_processes_s_median": round(statistics.median(pair), 2),
                    "two_processes_s_max": round(max(pair), 2),
                }
            )
        bench.core.close()
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        head = f"{'job':<14}{'dup conf':>9}{'extra push':>11}{'failed':>7}{'covered':>8}{'429':>5}"
        print(head + f"{'1 proc s':>10}{'2 proc s':>10}{'max s':>7}")
        for r in rows:
            print(
                f"{r['job']:<14}{r['duplicate_confirmations']:>9}{r['pushes_beyond_one_per_change']:>11}"
                f"{r['failed_runs_busy_or_other']:>7}{r['covered_by_other_run']:>8}{r['throttled_429']:>5}"
                f"{r['one_process_s_median']:>10}{r['two_processes_s_median']:>10}{r['two_processes_s_max']:>7}"
            )
    bad = sum(
        r["duplicate_confirmations"] + r["pushes_beyond_one_per_change"] + r["failed_runs_busy_or_other"]
        for r in rows
    )
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
