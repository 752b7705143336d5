"""Rules benchmark: the cost of running 50 automation rules during the import of 10,000 orders.

The same sandbox pages are imported by the app's page writer (``apply_orders_page``) into fresh databases,
in rounds: without rules (the floor), with 50 rules of a typical mix (one rule per special product, a few
destination and order-shape rules: about two firings per order) and of a heavy mix (product-family prefixes and
broad service levels: about four firings per order); every firing writes its ``rule_firing`` row, its timeline
event and its tags / notes / priority. Target: rules add ≤ 20 % to the import time, judged on the typical mix
as the median over the rounds of each import with rules against the floor import right next to it (the
machine is shared: a single run, or best against best, swings by ±5 %).
Run: ``.venv/bin/python bench/bench_rules.py [--orders N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

from fbm_desk.amazon.client import SpApiClient
from fbm_desk.amazon.ratelimit import RateLimiter
from fbm_desk.amazon.types import AmazonOrder
from fbm_desk.db import open_database, order_import
from fbm_desk.db.models import database_proxy
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.rules import replace_rules
from fbm_desk.db.stores import insert_store
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sandbox import start_sandbox


def capture_pages(count: int) -> list[tuple[AmazonOrder, ...]]:
    with start_sandbox(speedup=1e6, alive=False, order_count=0) as sb:
        sb.world.generate_orders(count)
        sb.world.throttle.enabled = False
        client = SpApiClient(
            sb.spapi_config(),
            refresh_token=sb.info.refresh_token,
            selling_partner_id=sb.info.selling_partner_id,
            region="NA",
            limiter=RateLimiter(speedup=1e9),
        )
        now = datetime.now(UTC)
        window = {"last_updated_after": now - timedelta(days=30), "last_updated_before": now}
        return [p.orders for p in client.search_orders(["ATVPDKIKX0DER"], **window)]


def _rule(
    name: str, conditions: list[tuple[str, str, Any]], actions: list[tuple[str, str]]
) -> dict[str, Any]:
    return {
        "name": name,
        "enabled": True,
        "conditions": [{"field": f, "op": o, "value": v} for f, o, v in conditions],
        "actions": [{"type": t, "value": v} for t, v in actions],
    }


def fifty_rules(skus: list[str], *, heavy: bool) -> list[dict[str, Any]]:
    """50 rules. Typical: one rule per special product (exact SKU), a few destination and order-shape rules
    (about one firing per order on the sandbox's orders). Heavy: product-family prefixes and broad service
    levels instead (about four firings per order: every firing writes its row, tags and a timeline event)."""
    levels = ["Expedited", "NextDay", "SecondDay"] if heavy else ["NextDay"]
    rules = [
        _rule(
            "Prime first", [("is_prime", "equals", True)], [("set_priority", "high"), ("add_tag", "prime")]
        ),
        _rule(
            "Big orders by UPS",
            [("units", "greater_than", 5)],
            [("set_carrier", "UPS"), ("set_method", "Ground")],
        ),
        _rule("Alaska and Hawaii", [("ship_state", "in", ["AK", "HI"])], [("set_hold", "address")]),
        _rule(
            "Business invoices",
            [("is_business", "equals", True)],
            [("add_note", "Put the invoice in the box")],
        ),
        _rule("Multi-line", [("lines", "greater_than", 2)], [("add_tag", "multi")]),
        _rule("Fast service", [("service_level", "in", levels)], [("set_priority", "urgent")]),
        _rule("Not US", [("ship_country", "not_equals", "US")], [("add_tag", "export")]),
        _rule("Zip 9", [("ship_postal_code", "starts_with", "9" if heavy else "995")], [("add_tag", "west")]),
    ]
    for n, sku in enumerate(skus[:30]):
        prefix = heavy and n % 3 == 0
        condition = ("sku", "starts_with", sku[:6]) if prefix else ("sku", "equals", sku)
        rules.append(_rule(f"SKU rule {n}", [condition], [("add_tag", f"sku-{n}")]))
    for n in range(12):
        rules.append(
            _rule(
                f"Store rule {n}",
                [("store", "equals", "T"), ("marketplace", "equals", "US"), ("units", "equals", 20 + n)],
                [("notify", f"rare order {n}")],
            )
        )
    return rules[:50]


_inside = {"rules": 0.0, "routing": 0.0}  # CPU seconds inside the rules / the warehouse routing, this import


def _timed(kind: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            _inside[kind] += time.process_time() - started

    return timed


# the rules' share inside the same imports: planning on the new rows (before their INSERT) and writing
order_import.plan_new_orders = _timed("rules", order_import.plan_new_orders)
order_import.run_rules = _timed("rules", order_import.run_rules)
order_import.route_orders = _timed("routing", order_import.route_orders)


def import_once(
    pages: list[tuple[AmazonOrder, ...]], workdir: Path, name: str, rules: list[Any]
) -> tuple[float, int]:
    opened = open_database(workdir / f"{name}.sqlite3")
    attach_workspace(Credentials(MemoryStore()))  # buyer fields encrypted, as in the app
    try:
        store = insert_store(name="T", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S")
        if rules:
            replace_rules(rules)
        stamp = iso_utc(datetime.now(UTC))
        _inside.update(rules=0.0, routing=0.0)
        started = time.process_time()  # CPU time of this process: the machine is shared, wall time is noisy
        for page in pages:
            apply_orders_page(store, page, now=stamp)
        seconds = time.process_time() - started
        fired = int(database_proxy.execute_sql("SELECT count(*) FROM rule_firing").fetchone()[0])
        return seconds, fired
    finally:
        opened.close()


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    pages = capture_pages(args.orders)
    orders = sum(len(p) for p in pages)
    skus = sorted({i.seller_sku for p in pages for o in p for i in o.items})
    mixes = {"typical": fifty_rules(skus, heavy=False), "heavy": fifty_rules(skus, heavy=True)}
    workdir = Path(tempfile.mkdtemp(prefix="fbm-bench-rules-"))
    times: dict[str, list[float]] = {"none": [], "typical": [], "heavy": []}
    inside: dict[str, list[float]] = {"none": [], "typical": [], "heavy": []}
    routing: list[float] = []
    fired: dict[str, int] = {}
    try:
        for n in range(args.repeat):
            # interleaved, in turn forwards and backwards: each import with rules has its floor right next
            # to it (the same machine load), and neither side always goes first
            order = ["none", *mixes] if n % 2 == 0 else [*reversed(mixes), "none"]
            for mix in order:
                seconds, fired[mix] = import_once(pages, workdir, f"{mix}{n}", mixes.get(mix, []))
                times[mix].append(seconds)
                inside[mix].append(_inside["rules"])
                if mix == "none":
                    routing.append(_inside["routing"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    floor = times["none"]
    print(
        f"Import of {orders} orders ({len(pages)} pages): CPU seconds of the page writer, {args.repeat} rounds"
    )
    print(
        f"  no rules (floor)   : median {median(floor):6.3f} s, best {min(floor):.3f} s  (runs: {_runs(floor)})"
    )
    print(
        f"  {'':19}  of which warehouse routing (per-order writes of the import itself): "
        f"median {median(routing):.3f} s"
    )
    ok = True
    for mix in mixes:
        ratios = [t / f for t, f in zip(times[mix], floor, strict=True)]
        shares = [i / (t - i) for i, t in zip(inside[mix], times[mix], strict=True)]
        print(
            f"  50 rules, {mix:8} : median {median(times[mix]):6.3f} s, {fired[mix]} firings "
            f"({fired[mix] / orders:.1f}/order)  (runs: {_runs(times[mix])})"
        )
        print(
            f"  {'':19}  each run against its floor run: median {median(ratios) - 1:+.1%} "
            f"(runs: {', '.join(f'{r - 1:+.1%}' for r in ratios)}); best against best: "
            f"{min(times[mix]) / min(floor) - 1:+.1%}"
        )
        print(f"  {'':19}  time inside the rules / the rest of the same import: median {median(shares):+.1%}")
        ok = ok and (mix != "typical" or median(ratios) - 1 <= 0.20)
    print("target: typical mix <= +20% (median of the paired runs): " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
