"""Drift, feeds in flight and unknown channels in the one stock model: the plan, the Inventory tab (preview,
yellow cells, tooltips, "why" panel), ``inventory list --json`` and the job agree on what is sent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.amazon.errors import AmazonNotFound
from fbm_desk.amazon.types import FeedResult, PatchResult, QuantityUpdate
from fbm_desk.app import Services
from fbm_desk.core import CoreServices, build_core
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.stock import PushReason, pending_pushes, push_plan
from fbm_desk.db.stores import get_store, insert_store
from fbm_desk.db.warehouses import add_warehouse, set_store_feeds
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sync.base import Counts, JobContext
from fbm_desk.sync.inventory_job import InventoryJob
from fbm_desk.ui.inventory_tab import InventoryTab
from fbm_desk.ui.table_models.inventory_model import COL_PUSHED, COL_SKU
from tests.support.push_preview import refresh_and_wait
from tests.test_stock_model import cli_inventory

PUSHED, SOON_AFTER, LONG_AFTER = "2026-11-20T10:00:00Z", "2026-11-20T10:05:00Z", "2026-11-21T10:00:00Z"


@pytest.fixture
def world(app_paths: AppPaths) -> Iterator[CoreServices]:
    core = build_core(app_paths)
    db = core.db.db
    store = insert_store(name="Alpha", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S1")
    listings = {
        # sku: (channel, amazon_quantity, read at, pushed_quantity, push_state, feed id)
        "DRIFTED": ("DEFAULT", 50, LONG_AFTER, 8, "accepted", None),  # changed in Seller Central
        "QUEUED": ("DEFAULT", 50, SOON_AFTER, 8, "accepted", None),  # read before Amazon applied our push
        "IN-FEED": ("DEFAULT", 1, LONG_AFTER, 8, "sent", "F-77"),  # Amazon still processing feed F-77
        "NO-CHANNEL": ("", 3, LONG_AFTER, None, "none", None),  # who fulfils it is unknown
    }
    for sku, (channel, amazon, read_at, pushed, state, feed) in listings.items():
        db.execute_sql(
            "INSERT INTO product (sku, title, barcode, created_at) VALUES (?, ?, '', ?)", [sku, sku, PUSHED]
        )
        set_on_hand(sku, 8)
        db.execute_sql(
            "INSERT INTO listing (store_id, seller_sku, product_id, fulfillment_channel, amazon_quantity,"
            " amazon_quantity_at, pushed_quantity, pushed_at, push_state, feed_id, feed_message_id,"
            " feed_quantity, first_seen_at, last_seen_at)"
            " VALUES (?, ?, (SELECT id FROM product WHERE sku = ?), ?, ?, ?, ?, ?, ?, ?, 1, 8, ?, ?)",
            [store.id, sku, sku, channel, amazon, read_at, pushed, PUSHED, state, feed, PUSHED, PUSHED],
        )
    yield core
    core.close()


def test_plan_reasons(world: CoreServices) -> None:
    plan = {p.seller_sku: (p.quantity, p.reason, p.explanation) for p in push_plan()}
    assert plan["DRIFTED"][:2] == (8, PushReason.DRIFTED)
    assert plan["DRIFTED"][2] == "Amazon shows 50 (read 2026-11-21 10:00 UTC)"
    assert plan["QUEUED"][:2] == (None, PushReason.IN_SYNC)
    assert plan["IN-FEED"][:2] == (None, PushReason.IN_FLIGHT)
    assert "F-77" in plan["IN-FEED"][2]
    assert plan["NO-CHANNEL"][:2] == (None, PushReason.FBA)
    assert [p.seller_sku for p in pending_pushes()] == ["DRIFTED"]


class StillProcessing:
    """Amazon: accepts patches, and feed F-77 is still IN_PROGRESS."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.polled: list[str] = []

    def patch_quantity(self, marketplace_id: str, sku: str, product_type: str, quantity: int) -> PatchResult:
        self.sent.append(sku)
        return PatchResult(sku=sku, status="ACCEPTED", submission_id="s1")

    def submit_quantity_feed(
        self, marketplace_id: str, updates: Sequence[QuantityUpdate], wait_s: float
    ) -> FeedResult:
        raise AssertionError("no second feed while one is in flight")

    def poll_quantity_feed(
        self, feed_id: str, skus_by_message: dict[int, str], wait_s: float = 0.0
    ) -> FeedResult:
        self.polled.append(feed_id)
        return FeedResult(feed_id, "IN_PROGRESS")


def test_tab_cli_and_job_agree(qtbot: Any, world: CoreServices, app_paths: AppPaths) -> None:
    tab = InventoryTab(Services(core=world))
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    refresh_and_wait(qtbot, tab)
    model = tab.preview_model
    preview = {model.data(model.index(r, 1)) for r in range(model.rowCount())}
    assert preview == {"DRIFTED"}
    rows = {tab.model.data(tab.model.index(r, COL_SKU)): r for r in range(tab.model.rowCount())}
    tips = {
        sku: tab.model.data(tab.model.index(r, COL_PUSHED), Qt.ItemDataRole.ToolTipRole) or ""
        for sku, r in rows.items()
    }
    assert "will send 8" in tips["DRIFTED"]
    assert "Amazon shows 50" in tips["DRIFTED"]
    assert "sends nothing" in tips["QUEUED"]
    assert "Amazon shows 50" in tips["QUEUED"]
    tab.table.selectRow(rows["DRIFTED"])
    assert "Amazon shows 50" in tab.why.toPlainText()
    cli = cli_inventory(app_paths.data_dir)
    assert {sku: row["pushed_quantity"] for sku, row in cli.items()} == {
        "DRIFTED": 8,
        "QUEUED": 8,
        "IN-FEED": 8,
        "NO-CHANNEL": None,
    }
    amazon = StillProcessing()
    store = next(iter({p.store_id for p in push_plan()}))
    ctx = JobContext(core=world, store=get_store(store), client=amazon)  # type: ignore[arg-type]
    InventoryJob().run(ctx, Counts())
    assert (amazon.sent, amazon.polled) == (["DRIFTED"], ["F-77"])
    assert pending_pushes() == []
    assert {p.seller_sku: p.reason for p in push_plan()}["IN-FEED"] is PushReason.IN_FLIGHT


class ForgotTheFeed(StillProcessing):
    """Amazon no longer knows feed F-77 (404)."""

    def poll_quantity_feed(
        self, feed_id: str, skus_by_message: dict[int, str], wait_s: float = 0.0
    ) -> FeedResult:
        raise AmazonNotFound("Feed F-77 not found.", status=404)


def test_a_feed_amazon_no_longer_knows_is_sent_again(world: CoreServices) -> None:
    amazon = ForgotTheFeed()
    store = get_store(push_plan()[0].store_id)
    ctx = JobContext(core=world, store=store, client=amazon)  # type: ignore[arg-type]
    InventoryJob().run(ctx, Counts())
    assert sorted(amazon.sent) == ["DRIFTED", "IN-FEED"]  # sent again in the same run, by patch
    assert pending_pushes() == []


class Recording(StillProcessing):
    def __init__(self) -> None:
        super().__init__()
        self.quantities: dict[str, int] = {}

    def patch_quantity(self, marketplace_id: str, sku: str, product_type: str, quantity: int) -> PatchResult:
        self.quantities[sku] = quantity
        return super().patch_quantity(marketplace_id, sku, product_type, quantity)


def test_two_warehouses_drift_is_measured_against_what_the_store_is_offered(
    world: CoreServices, app_paths: AppPaths
) -> None:
    """A store fed by the back room only: Amazon's quantity is compared with the back room's available, and
    the job, the plan and the CLI agree."""
    back = add_warehouse("Back room")
    set_on_hand("DRIFTED", 3, warehouse_id=back.id)
    store = get_store(next(iter({p.store_id for p in push_plan()})))
    set_store_feeds(store.id, ["Back room"])
    plan = {p.seller_sku: (p.quantity, p.reason) for p in push_plan()}
    assert plan["DRIFTED"] == (3, PushReason.DRIFTED)  # Amazon shows 50, the back room offers 3
    assert plan["QUEUED"] == (0, PushReason.CHANGED)  # Amazon last accepted 8; the back room has none
    cli = cli_inventory(app_paths.data_dir)
    assert cli["DRIFTED"]["on_hand"] == 11  # the totals stay the totals
    assert cli["DRIFTED"]["warehouses"] == [
        {"name": "Primary warehouse", "on_hand": 8, "allocated": 0},
        {"name": "Back room", "on_hand": 3, "allocated": 0},
    ]
    amazon = Recording()
    InventoryJob().run(JobContext(core=world, store=store, client=amazon), Counts())  # type: ignore[arg-type]
    assert amazon.quantities == {"DRIFTED": 3, "QUEUED": 0}
    assert pending_pushes() == []
