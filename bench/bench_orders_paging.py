"""Benchmark (not a test): page 10,000 merchant orders from the built-in sandbox, client vs a raw loop.

    .venv/bin/python bench/bench_orders_paging.py [--orders 10000] [--repeat 3] [--in-process]

The sandbox runs as its own process (``fbm-desk sandbox --static --orders 0 --no-rate-limits``; with
``--in-process`` on a thread of this one, sharing the GIL) and gets ``--orders`` merchant orders through its
control API. The client's own pacing is sped up so it never waits: what is measured is the client's per-call
work (headers, token cache, pacing bookkeeping, retry loop, logging, parsing into typed ``AmazonOrder``s) next
to the floor — a minimal ``requests`` + ``json`` loop over the same pages with the same query.
Prints API calls, wall time (best of N) and the ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbm_desk.amazon.client import DEFAULT_INCLUDED_DATA, SpApiClient
from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.ratelimit import RateLimiter
from fbm_desk.sandbox import start_sandbox

SINCE = datetime(2020, 1, 1, tzinfo=UTC)
US = "ATVPDKIKX0DER"
Info = dict[str, object]


@contextmanager
def sandbox_process() -> Iterator[Info]:
    cmd = [sys.executable, "-m", "fbm_desk", "sandbox", "--static", "--orders", "0", "--no-rate-limits"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def sandbox_thread() -> Iterator[Info]:
    with start_sandbox(seed=1, rate_limits=False, order_count=0) as sb:
        yield sb.info.to_dict()


def run_client(info: Info) -> tuple[int, int, float]:
    """(orders, api calls, seconds) through SpApiClient.search_orders."""
    config = SpApiConfig(
        client_id=str(info["client_id"]),
        client_secret=str(info["client_secret"]),
        lwa_token_url=str(info["lwa_token_url"]),
        spapi_endpoint=str(info["endpoint"]),
        speedup=1e9,
    )
    client = SpApiClient(
        config,
        refresh_token=str(info["refresh_token"]),
        selling_partner_id=str(info["selling_partner_id"]),
        region="NA",
        limiter=RateLimiter(speedup=1e9),
    )
    started = time.perf_counter()
    orders = 0
    for page in client.search_orders([US], created_after=SINCE):
        orders += len(page.orders)
    return orders, client.stats.api_calls, time.perf_counter() - started


def run_raw(info: Info) -> tuple[int, int, float]:
    """(orders, api calls, seconds) with nothing but requests + json (the floor)."""
    session = requests.Session()
    started = time.perf_counter()
    form = {k: str(info[k]) for k in ("refresh_token", "client_id", "client_secret")}
    grant = session.post(str(info["lwa_token_url"]), data={"grant_type": "refresh_token", **form}, timeout=60)
    headers = {"x-amz-access-token": grant.json()["access_token"], "accept": "application/json"}
    params = {
        "fulfilledBy": "MERCHANT",
        "marketplaceIds": US,
        "includedData": ",".join(DEFAULT_INCLUDED_DATA),
        "maxResultsPerPage": "100",
        "createdAfter": SINCE.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    url = f"{info['endpoint']}/orders/2026-01-01/orders"
    orders = calls = 0
    next_token = None
    while True:
        query = dict(params, paginationToken=next_token) if next_token else params
        body = json.loads(session.get(url, params=query, headers=headers, timeout=60).content)
        calls += 1
        orders += len(body["orders"])
        next_token = body.get("pagination", {}).get("nextToken")
        if not next_token:
            return orders, calls, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--in-process", action="store_true", help="run the sandbox on a thread of this process"
    )
    args = parser.parse_args()
    with (sandbox_thread if args.in_process else sandbox_process)() as info:
        control = f"{info['endpoint']}/_sandbox/generate_orders"
        body = {"count": args.orders, "fulfilled_by": "MERCHANT", "status": "UNSHIPPED"}
        requests.post(control, json=body, timeout=300).raise_for_status()
        results: dict[str, tuple[int, int, float]] = {}
        for name, fn in (("raw requests+json", run_raw), ("SpApiClient", run_client)):
            fn(info)  # warm-up (connections, imports, caches)
            runs = [fn(info) for _ in range(args.repeat)]
            results[name] = best = min(runs, key=lambda r: r[2])
            print(f"{name:18s} orders={best[0]:6d} api_calls={best[1]:4d} wall={best[2]:7.3f} s", end="")
            print(f" (best of {args.repeat})")
        raw, client = results["raw requests+json"], results["SpApiClient"]
        if raw[0] != client[0] or raw[0] != args.orders:
            print(f"WARNING: order counts differ ({raw[0]} raw, {client[0]} client, {args.orders} wanted)")
        print(f"ratio client/raw = {client[2] / raw[2]:.2f}x")


if __name__ == "__main__":
    main()
