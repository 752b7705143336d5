"""One stock model: ``inventory list --json``, the Inventory tab (table, filter, yellow cells, tooltips,
preview) and the inventory push job show and send the same numbers for the same database.

The world below has products sold in several stores, each listing in a different push situation: accepted in
one store and rejected later in another, matched to Amazon at import and never pushed, changed in one store
only, fulfilled by Amazon, only in a store that needs reconnecting, gone from Amazon, not mapped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.amazon.types import FeedResult, PatchResult, QuantityUpdate
from fbm_desk.app import Services
from fbm_desk.core import CoreServices, build_core
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.orders import find_order
from fbm_desk.db.stock import InventoryQuery, PushReason, pending_pushes, push_plan
from fbm_desk.db.stores import insert_store, list_stores
from fbm_desk.db.warehouse_routing import assign_warehouse
from fbm_desk.db.warehouses import add_warehouse, set_store_feeds
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sync import inventory_job
from fbm_desk.sync.base import Counts, JobContext
from fbm_desk.sync.inventory_job import InventoryJob
from fbm_desk.ui.inventory_tab import InventoryTab
from fbm_desk.ui.table_models.inventory_model import (
    COL_ALLOCATED,
    COL_AVAILABLE,
    COL_ON_HAND,
    COL_PUSHED,
    COL_SKU,
    InventoryTableModel,
)
from tests.support.demo_data import add_order
from tests.support.push_preview import refresh_and_wait

REPO = Path(__file__).resolve().parent.parent
EARLY, LATE = "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"
# What the next push sends: (store, Amazon SKU, quantity).
DUE = {("Beta", "TWO-STORES", 5), ("Alpha", "CHANGED", 7)}


def _listing(core: CoreServices, store_id: int, sku: str, product: str | None, **values: Any) -> None:
    fields = {
        "store_id": store_id,
        "seller_sku": sku,
        "product_id": None,
        "fulfillment_channel": "DEFAULT",
        "first_seen_at": EARLY,
        "last_seen_at": EARLY,
        **values,
    }
    names = ", ".join(fields)
    marks = ", ".join("?" * len(fields))
    core.db.db.execute_sql(f"INSERT INTO listing ({names}) VALUES ({marks})", list(fields.values()))  # noqa: S608
    if product is not None:
        core.db.db.execute_sql(
            "UPDATE listing SET product_id = (SELECT id FROM product WHERE sku = ?) "
            "WHERE store_id = ? AND seller_sku = ?",
            [product, store_id, sku],
        )


@pytest.fixture
def world(app_paths: AppPaths) -> Iterator[CoreServices]:
    core = build_core(app_paths)
    db = core.db.db
    alpha = insert_store(name="Alpha", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S1")
    beta = insert_store(name="Beta", marketplace_id="A2EUQ1WTGCTBG2", region="NA", selling_partner_id="S1")
    gamma = insert_store(
        name="Gamma", marketplace_id="A1AM78C64UM0Y8", region="NA", selling_partner_id="S1", status="disabled"
    )
    stock = {"TWO-STORES": 8, "MATCHED": 4, "CHANGED": 7, "FBA-ONLY": 3, "GAMMA-ONLY": 6, "GONE": 2}
    for sku, on_hand in stock.items():
        db.execute_sql(
            "INSERT INTO product (sku, title, barcode, created_at) VALUES (?, ?, '', ?)", [sku, sku, EARLY]
        )
        set_on_hand(sku, on_hand)
    add_order(db, "111-0000000-0000001", store_id=alpha.id, items=(("TWO-STORES", 3),))  # available 8 - 3 = 5
    # Rejected in Beta *after* Alpha accepted 5 (Beta's row comes first): Amazon last accepted 5.
    _listing(
        core, beta.id, "TWO-STORES", "TWO-STORES", amazon_quantity=2, pushed_at=LATE, push_state="rejected"
    )
    _listing(
        core, alpha.id, "TWO-STORES", "TWO-STORES", amazon_quantity=2, pushed_quantity=5, pushed_at=EARLY
    )
    db.execute_sql("UPDATE listing SET push_state = 'accepted' WHERE pushed_quantity = 5")
    _listing(core, alpha.id, "MATCHED", "MATCHED", amazon_quantity=4)  # starting inventory matched Amazon
    _listing(
        core, alpha.id, "CHANGED", "CHANGED", amazon_quantity=2, pushed_quantity=2, push_state="accepted"
    )
    _listing(core, beta.id, "CHANGED", "CHANGED", amazon_quantity=7)
    _listing(core, alpha.id, "FBA-ONLY", "FBA-ONLY", amazon_quantity=0, fulfillment_channel="AMAZON_NA")
    _listing(core, gamma.id, "GAMMA-ONLY", "GAMMA-ONLY", amazon_quantity=1)
    _listing(core, alpha.id, "GONE", "GONE", amazon_quantity=0, gone_at=LATE)
    _listing(core, alpha.id, "AMZ-UNMAPPED", None, amazon_quantity=9)
    yield core
    core.close()


def cli_inventory(data_dir: Path) -> dict[str, dict[str, Any]]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_") or k == "FBM_DESK_DATABASE_URL"
    }
    env["FBM_DESK_CREDENTIALS"] = "memory"
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-m", "fbm_desk", "--data-dir", str(data_dir), "inventory", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    return {row["sku"]: row for row in json.loads(proc.stdout)}


def tab_numbers(model: InventoryTableModel) -> dict[str, dict[str, Any]]:
    model.set_query(InventoryQuery())
    out = {}
    for row in range(model.rowCount()):
        cell = [model.data(model.index(row, c)) for c in range(model.columnCount())]
        out[cell[COL_SKU]] = {
            "sku": cell[COL_SKU],
            "on_hand": cell[COL_ON_HAND],
            "allocated": cell[COL_ALLOCATED],
            "available": cell[COL_AVAILABLE],
            "pushed_quantity": None if cell[COL_PUSHED] == "" else cell[COL_PUSHED],
            "warehouses": _tab_warehouses(model, row, cell),
        }
    return out


def _tab_warehouses(model: InventoryTableModel, row: int, cell: list[Any]) -> list[dict[str, Any]]:
    """One warehouse: its numbers are the totals; several: one column each (tooltip: on hand, allocated)."""
    if len(model.houses) == 1:
        return [
            {"name": model.houses[0].name, "on_hand": cell[COL_ON_HAND], "allocated": cell[COL_ALLOCATED]}
        ]
    r = model.row_at(row)
    assert r is not None
    out = []
    for column, header in enumerate(model.headers):
        w = model.warehouse_cell(r, column)
        if w is not None:
            assert header == w.name
            tip = model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
            assert tip == f"{w.name}: on hand {w.on_hand}, allocated {w.allocated}, available {w.available}"
            out.append({"name": header, "on_hand": w.on_hand, "allocated": w.allocated})
    return out


@pytest.fixture
def tab(qtbot: Any, world: CoreServices) -> InventoryTab:
    widget = InventoryTab(Services(core=world))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    refresh_and_wait(qtbot, widget)
    return widget


def test_cli_and_inventory_tab_show_the_same_numbers(
    qapp: Any, world: CoreServices, app_paths: AppPaths
) -> None:
    cli = cli_inventory(app_paths.data_dir)
    assert cli == tab_numbers(InventoryTableModel())
    assert cli["TWO-STORES"] == {
        "sku": "TWO-STORES",
        "on_hand": 8,
        "allocated": 3,
        "available": 5,
        "pushed_quantity": 5,  # Alpha accepted 5; Beta's later push was rejected (no quantity)
        "warehouses": [{"name": "Primary warehouse", "on_hand": 8, "allocated": 3}],
    }
    assert cli["CHANGED"]["pushed_quantity"] == 2
    assert cli["MATCHED"]["pushed_quantity"] is None  # never pushed
    assert set(cli) == {"TWO-STORES", "MATCHED", "CHANGED", "FBA-ONLY", "GAMMA-ONLY", "GONE"}


def test_plan_gives_the_reason_for_every_listing(world: CoreServices) -> None:
    plan = {(p.store_name, p.seller_sku): (p.quantity, p.reason) for p in push_plan()}
    assert plan == {
        ("Alpha", "TWO-STORES"): (None, PushReason.IN_SYNC),
        ("Beta", "TWO-STORES"): (5, PushReason.RETRY),
        ("Alpha", "MATCHED"): (None, PushReason.IN_SYNC),
        ("Alpha", "CHANGED"): (7, PushReason.CHANGED),
        ("Beta", "CHANGED"): (None, PushReason.IN_SYNC),
        ("Alpha", "FBA-ONLY"): (None, PushReason.FBA),
        ("Gamma", "GAMMA-ONLY"): (None, PushReason.STORE_INACTIVE),
    }


def _preview(tab: InventoryTab) -> set[tuple[str, str, int]]:
    model = tab.preview_model
    cells = [
        [model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]
    return {(c[0], c[1], c[4]) for c in cells}


def _skus_of(store_skus: set[tuple[str, str, int]]) -> set[str]:
    return {sku for _store, sku, _quantity in store_skus}  # Amazon SKU == warehouse SKU in this world


def test_tooltips_preview_and_filter_agree_with_what_the_job_sends(qtbot: Any, tab: InventoryTab) -> None:
    assert _preview(tab) == DUE
    assert tab.preview_label.text().startswith(
        "The next inventory push (every 20 min) will send 2 quantities"
    )
    model = tab.model
    rows = {model.data(model.index(r, COL_SKU)): r for r in range(model.rowCount())}
    yellow = {
        sku
        for sku, r in rows.items()
        if model.data(model.index(r, COL_PUSHED), Qt.ItemDataRole.BackgroundRole)
    }
    tips = {
        sku: model.data(model.index(r, COL_PUSHED), Qt.ItemDataRole.ToolTipRole) or ""
        for sku, r in rows.items()
    }
    promised = {sku for sku, tip in tips.items() if "will send" in tip}
    assert yellow == promised == _skus_of(DUE)
    assert "will send 5" in tips["TWO-STORES"]
    assert "will send 7" in tips["CHANGED"]
    qtbot.mouseClick(tab.differs_only, Qt.MouseButton.LeftButton)
    assert {r.sku for r in tab.model.rows()} == _skus_of(DUE)
    assert tab.status.text() == f"{len(_skus_of(DUE))} SKUs"


class RecordingAmazon:
    """Accepts every quantity it is sent and remembers it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, int]] = []

    def patch_quantity(self, marketplace_id: str, sku: str, product_type: str, quantity: int) -> PatchResult:
        self.sent.append((marketplace_id, sku, quantity))
        return PatchResult(sku=sku, status="ACCEPTED", submission_id="s1")

    def submit_quantity_feed(
        self, marketplace_id: str, updates: Sequence[QuantityUpdate], wait_s: float
    ) -> FeedResult:
        self.sent.extend((marketplace_id, u.sku, u.quantity) for u in updates)
        return FeedResult("f1", "DONE", accepted_skus=tuple(u.sku for u in updates))


@pytest.mark.parametrize("how", ["patch", "feed"])
def test_the_job_sends_exactly_what_the_preview_says(
    qtbot: Any, tab: InventoryTab, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "feed":
        monkeypatch.setattr(inventory_job, "PATCH_LIMIT", 0)
    preview = _preview(tab)
    assert preview == DUE
    stores = {s.marketplace_id: s for s in list_stores()}
    amazon = RecordingAmazon()
    for store in stores.values():
        if store.is_active:  # the scheduler and ``run_job`` run jobs for connected stores only
            ctx = JobContext(core=None, store=store, client=amazon)  # type: ignore[arg-type]
            InventoryJob().run(ctx, Counts())
    assert {(stores[m].name, sku, q) for m, sku, q in amazon.sent} == preview
    assert len(amazon.sent) == len(preview)
    # Amazon now has everything: nothing left to send anywhere, and the screens say so.
    assert pending_pushes() == []
    refresh_and_wait(qtbot, tab)
    assert _preview(tab) == set()
    assert tab.preview_label.text().startswith("Nothing to send")
    qtbot.mouseClick(tab.differs_only, Qt.MouseButton.LeftButton)
    assert tab.model.rows() == []
    cli = tab_numbers(InventoryTableModel())
    assert (cli["TWO-STORES"]["pushed_quantity"], cli["CHANGED"]["pushed_quantity"]) == (5, 7)


def test_two_warehouses_cli_tab_and_push_plan_agree(
    qapp: Any, world: CoreServices, app_paths: AppPaths
) -> None:
    """Per-warehouse stock and a store fed by one warehouse only: CLI, tab, plan and filter say the same."""
    db = world.db.db
    back = add_warehouse("Back room")
    set_on_hand("TWO-STORES", 5, warehouse_id=back.id)  # 8 primary + 5 back room
    set_on_hand("MATCHED", 1, warehouse_id=back.id)
    add_order(db, "111-0000000-0000002", store_id=list_stores()[0].id, items=(("TWO-STORES", 2),))
    assign_warehouse(find_order("111-0000000-0000002").id, back.id)
    beta = next(s for s in list_stores() if s.name == "Beta")
    set_store_feeds(beta.id, ["Back room"])
    cli = cli_inventory(app_paths.data_dir)
    model = InventoryTableModel()
    assert cli == tab_numbers(model)
    assert model.headers[-2:] == ("Primary warehouse", "Back room")
    assert cli["TWO-STORES"]["warehouses"] == [
        {"name": "Primary warehouse", "on_hand": 8, "allocated": 3},
        {"name": "Back room", "on_hand": 5, "allocated": 2},
    ]
    assert (cli["TWO-STORES"]["on_hand"], cli["TWO-STORES"]["allocated"], cli["TWO-STORES"]["available"]) == (
        13,
        5,
        8,
    )
    offered = {(p.store_name, p.seller_sku): p.available for p in push_plan()}
    assert offered[("Alpha", "TWO-STORES")] == 8  # every warehouse: the total available
    assert offered[("Beta", "TWO-STORES")] == 3  # the back room only: 5 - 2
    assert offered[("Beta", "CHANGED")] == 0  # the back room has none
    model.set_query(InventoryQuery(warehouse_id=back.id))  # the tab's warehouse filter
    assert sorted(r.sku for r in model.rows()) == ["MATCHED", "TWO-STORES"]
    assert sorted((p.store_name, p.seller_sku, p.quantity) for p in pending_pushes()) == sorted(
        (p.store_name, p.seller_sku, p.available) for p in push_plan() if p.sends
    )
