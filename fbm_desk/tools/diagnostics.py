"""Export diagnostics: one zip for support, without tokens or buyer PII. Qt-free (the GUI menu and scripts).

What support asks for (the seeds: "your Amazon marketplace, example order ID, SKU(s) affected") plus what
helps them debug: every store's marketplace and status, example order ids (problem orders first: push
rejected, needs mapping, late, held), affected SKUs (unmapped, push rejected, pushes with issues), recent sync
runs with Amazon request ids, versions (app, Python, Qt, OS) and the log.

Never included: refresh/access tokens and app secrets (not read at all; the log is redacted again with
``fbm_desk.foundation.logging_setup.redact``), buyer names, addresses and phone numbers (orders are exported without
them; names and street lines known from the database are also scrubbed from the log text).
"""

from __future__ import annotations

import json
import platform
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fbm_desk import APP_NAME, __version__
from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.db import support_queries as q
from fbm_desk.foundation.logging_setup import REDACTED, redact

if TYPE_CHECKING:
    from fbm_desk.core import CoreServices

MAX_EXAMPLE_ORDERS = 20
MAX_SYNC_RUNS = 200
MAX_LOG_BYTES = 5 * 1024 * 1024  # newest log text kept (all rotated files together)


@dataclass(frozen=True)
class DiagnosticsExport:
    path: Path
    files: tuple[str, ...]
    example_orders: tuple[str, ...]
    affected_skus: tuple[str, ...]


def default_file_name(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"fbm-desk-diagnostics-{stamp}.zip"


def versions() -> dict[str, str]:
    """App, Python, Qt/PySide6 and OS versions (Qt is read from package metadata: no Qt import here)."""
    out = {
        "app": f"{APP_NAME} {__version__}",
        "python": sys.version.split()[0],
        "os": platform.platform(),
        "machine": platform.machine(),
    }
    for dist in ("PySide6-Essentials", "PySide6", "peewee", "requests", "APScheduler", "keyring"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is not None:
        out["qt_runtime"] = str(qtcore.qVersion())
    return out


def stores_info() -> list[dict[str, Any]]:
    stores = []
    for r in q.stores():
        market = by_id(r[2])
        stores.append(
            {
                "name": r[1],
                "marketplace_id": r[2],
                "marketplace": market.name if market else "",
                "country": market.country_code if market else "",
                "region": r[3],
                "selling_partner_id": r[4],
                "status": r[5],
                "status_message": redact(r[6]),
                "import_pending": bool(r[7]),
                "starting_inventory": r[8],
                "download_products_orders": bool(r[9]),
                "remove_stock_external": bool(r[10]),
                "secret_storage": r[11],
                "created_at": r[12],
                "orders_by_state": q.orders_by_state(r[0]),
            }
        )
    return stores


def _mask_tracking(tracking: str) -> str:
    return ("…" + tracking[-4:]) if len(tracking) > 4 else tracking


def example_orders(limit: int = MAX_EXAMPLE_ORDERS) -> list[dict[str, Any]]:
    """Problem orders first, then the most recent; no buyer names or addresses (country only)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    picks = q.problem_orders(now, limit)
    out = []
    for order_id, reason in picks:
        o = q.order_summary(order_id)
        items = [
            {
                "order_item_id": i[0],
                "sku": i[1],
                "asin": i[2],
                "mapped_to": i[3],
                "quantity": i[4],
                "shipped": i[5],
            }
            for i in q.order_items(order_id)
        ]
        packages = [
            {
                "package": p[0],
                "carrier_code": p[1],
                "tracking_number": _mask_tracking(p[2]),
                "ship_date": p[3],
                "push_state": p[4],
                "amazon_message": redact(p[5]),
                "pushed_at": p[6],
            }
            for p in q.order_packages(order_id)
        ]
        events = [{"at": e[0], "kind": e[1], "message": redact(e[2])} for e in q.order_events(order_id)]
        out.append(
            {
                "why": reason,
                "amazon_order_id": o[0],
                "store": o[1],
                "marketplace_id": o[2],
                "state": o[3],
                "amazon_status": o[4],
                "payment_hold": bool(o[5]),
                "needs_mapping": bool(o[6]),
                "purchase_date": o[7],
                "amazon_updated_at": o[8],
                "latest_ship_date": o[9],
                "service_level": o[10],
                "ship_country": o[11],
                "imported_at": o[12],
                "updated_at": o[13],
                "items": items,
                "packages": packages,
                "events": events,
            }
        )
    return out


def affected_skus(limit: int = 500) -> list[dict[str, Any]]:
    """SKUs with a problem: on orders but not mapped, listings not mapped, pushes Amazon rejected."""
    out: list[dict[str, Any]] = []
    for sku, store, orders in q.unmapped_order_skus(limit):
        out.append(
            {
                "sku": sku,
                "store": store,
                "problem": "on orders, not mapped to a warehouse SKU",
                "orders": orders,
            }
        )
    for sku, store, asin, status in q.unmapped_listings(limit):
        out.append(
            {"sku": sku, "store": store, "asin": asin, "status": status, "problem": "listing not mapped"}
        )
    for sku, store, asin, pushed, at, issues in q.rejected_listing_pushes(limit):
        out.append(
            {
                "sku": sku,
                "store": store,
                "asin": asin,
                "problem": "inventory push rejected",
                "last_accepted_quantity": pushed,
                "pushed_at": at,
                "amazon_issues": redact(issues),
            }
        )
    return out


def sync_runs(limit: int = MAX_SYNC_RUNS) -> list[dict[str, Any]]:
    keys = [
        "store",
        "job",
        "trigger",
        "started_at",
        "finished_at",
        "status",
        "fetched",
        "created",
        "updated",
        "skipped",
        "rejected",
        "api_calls",
        "throttled",
        "throttle_wait_s",
        "request_ids",
        "summary",
        "error",
    ]
    rows = q.sync_runs(limit)
    out = []
    for r in rows:
        item = dict(zip(keys, r, strict=True))
        item["request_ids"] = [x for x in str(item["request_ids"]).replace(",", " ").split() if x]
        item["summary"] = redact(str(item["summary"]))
        item["error"] = redact(str(item["error"]))
        out.append(item)
    return out


def _known_pii() -> set[str]:
    """Buyer names and street lines stored locally, to scrub from free log text (defense in depth)."""
    values: set[str] = set()
    for column in q.PII_COLUMNS:
        for value in q.distinct_order_values(column):
            text = " ".join(str(value).split())
            if len(text) >= 5 and (" " in text or len(text) >= 8):
                values.add(text.casefold())
    return values


def scrub_known(text: str, values: set[str], max_words: int = 6) -> str:
    """Replace any run of up to ``max_words`` words found in ``values`` (case-insensitive) by [REDACTED]."""
    if not values:
        return text
    lines = []
    for line in text.splitlines(keepends=True):
        words = line.split(" ")
        i = 0
        out: list[str] = []
        while i < len(words):
            for n in range(min(max_words, len(words) - i), 0, -1):
                candidate = " ".join(words[i : i + n]).strip(" \t\r\n.,;:'\"()[]{}").casefold()
                if candidate and candidate in values:
                    tail = words[i + n - 1][len(words[i + n - 1].rstrip(" \t\r\n.,;:'\"()[]{}")) :]
                    out.append(REDACTED + tail)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        lines.append(" ".join(out))
    return "".join(lines)


def _log_files(log_file: Path) -> list[Path]:
    files = [log_file] + [log_file.with_name(f"{log_file.name}.{n}") for n in range(1, 10)]
    return [f for f in files if f.is_file()]


def _log_text(log_file: Path, pii: set[str], budget: int = MAX_LOG_BYTES) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in _log_files(log_file):
        if budget <= 0:
            break
        data = f.read_bytes()
        if len(data) > budget:
            data = data[-budget:]
        budget -= len(data)
        text = data.decode("utf-8", errors="replace")
        out[f"logs/{f.name}"] = scrub_known(redact(text), pii)
    return out


def export_diagnostics(core: CoreServices, target: Path) -> DiagnosticsExport:
    """Write the support zip to ``target`` and say what is inside. Reads the database and log only."""
    orders = example_orders()
    skus = affected_skus()
    runs = sync_runs()
    info = {
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": versions(),
        "database_schema": core.db.version,
        "secret_storage": core.credentials.backend_kind,
        "data_dir": "<data dir>",  # paths can contain the user's name
    }
    stores = stores_info()
    readme = _readme(stores, orders, skus, runs)
    files: dict[str, str] = {
        "README.txt": readme,
        "system.json": json.dumps(info, indent=2),
        "stores.json": json.dumps(stores, indent=2, ensure_ascii=False),
        "example_orders.json": json.dumps(orders, indent=2, ensure_ascii=False),
        "affected_skus.json": json.dumps(skus, indent=2, ensure_ascii=False),
        "sync_runs.json": json.dumps(runs, indent=2, ensure_ascii=False),
    }
    files.update(_log_text(core.paths.log_file, _known_pii()))
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    tmp.replace(target)
    return DiagnosticsExport(
        path=target,
        files=tuple(files),
        example_orders=tuple(o["amazon_order_id"] for o in orders),
        affected_skus=tuple(dict.fromkeys(s["sku"] for s in skus)),
    )


def _readme(
    stores: list[dict[str, Any]],
    orders: list[dict[str, Any]],
    skus: list[dict[str, Any]],
    runs: list[dict[str, Any]],
) -> str:
    lines = [
        f"{APP_NAME} diagnostics — for support. No tokens, no buyer names, addresses or phone numbers.",
        "",
        "Marketplaces:",
        *[f"  {s['name']}: {s['marketplace']} ({s['marketplace_id']}), status {s['status']}" for s in stores],
        "",
        "Example order ids (why):",
        *[f"  {o['amazon_order_id']} ({o['why']}, {o['state']})" for o in orders[:10]],
        "",
        "Affected SKUs:",
        *[f"  {s['sku']} ({s['store']}): {s['problem']}" for s in skus[:20]],
        "",
        "Latest sync runs:",
        *[
            f"  {r['started_at']} {r['store']} {r['job']}: {r['status']}"
            + (f" — {r['error']}" if r["error"] else "")
            + (f" [request ids: {' '.join(r['request_ids'])}]" if r["request_ids"] else "")
            for r in runs[:15]
        ],
        "",
        "Files: system.json (versions), stores.json, example_orders.json, affected_skus.json, "
        "sync_runs.json, logs/",
    ]
    return "\n".join(lines) + "\n"
