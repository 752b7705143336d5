"""Open the Orders, Products or Inventory tab (in the main window) or the pack dialog on generated data.

    S=../shared/tools/screenshot; RUN=".venv/bin/python docs/warehouse_screens.py"
    $S -w 8 docs/screenshots/orders.png -- $RUN orders
    $S -w 8 docs/screenshots/products.png -- $RUN products
    $S -w 8 docs/screenshots/inventory.png -- $RUN inventory
    $S -w 8 docs/screenshots/pack-dialog.png -- $RUN pack-dialog
    $S -w 8 docs/screenshots/inventory-warehouses.png -- $RUN inventory-warehouses
    $S -w 8 docs/screenshots/warehouses.png -- $RUN warehouses
    $S -w 8 /tmp/orders-warehouses.png -- $RUN orders-warehouses

Uses a throw-away data dir filled by ``tests/support/demo_data.py``; nothing touches Amazon or your data.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")


def main(what: str) -> int:

    from PySide6.QtWidgets import QApplication

    from fbm_desk.app import build_tabs
    from fbm_desk.core import build_core
    from fbm_desk.db.order_views import QuickFilter
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.ui.main_window import MainWindow
    from fbm_desk.ui.services import Services
    from tests.support.demo_data import add_order, generate

    app = QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="fbm-desk-shots-"))
    core = build_core(AppPaths(root, root / "logs").ensure())
    db = core.db.db
    now = datetime.now(UTC)
    generate(db, orders=5000, seed=2026, now=now)
    # A product sync of the US store found two listings: they show the "New" marker.
    iso = (now - timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute_sql(
        "INSERT INTO sync_run (store_id, job, started_at, finished_at, status) "
        "SELECT min(id), 'products', ?, ?, 'ok' FROM store",
        (iso, iso),
    )
    db.execute_sql(
        "UPDATE listing SET first_seen_at = ? WHERE seller_sku IN ('SKILLET-CI-10', 'AMZ-MUG-GREEN-X') "
        "AND store_id = (SELECT min(id) FROM store)",
        ((now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),),
    )
    db.execute_sql(
        "UPDATE listing SET push_state = 'rejected', push_issues = '8541: The quantity must be a whole number "
        "below the seller limit' WHERE seller_sku = 'CANDLE-PINE-8' AND store_id = (SELECT min(id) FROM store)"
    )
    # Stock that covers the open orders for most SKUs (one runs short), so "available" tells a story.
    db.execute_sql(
        "UPDATE inventory_level SET on_hand = 140 + (product_id * 37) % 90 + (SELECT coalesce(sum(i.quantity - "
        "i.quantity_shipped), 0) FROM order_item i JOIN orders o ON o.id = i.order_id WHERE i.product_id = "
        "inventory_level.product_id AND o.state IN ('held', 'released', 'partially_shipped'))"
    )
    db.execute_sql(
        "UPDATE inventory_level SET on_hand = 120 WHERE product_id = (SELECT id FROM product WHERE sku = 'HEADLAMP-350')"
    )
    # A released two-line order to pack, shipping today.
    ship_today = (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    order = add_order(
        db,
        "114-3941689-8772232",
        items=(("MUG-ENAMEL-GRN", 2), ("SOAP-LAV-OAT", 1)),
        buyer_name="Amélie Dubois",
        city="Portland",
        purchase_date=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        latest_ship_date=ship_today,
    )
    if what in ("inventory-warehouses", "warehouses", "orders-warehouses"):
        several_warehouses(db)
    services = Services(core=core)
    window = MainWindow(services, build_tabs(services))
    window.resize(1200, 760)  # the default window size
    window.move(0, 0)
    titles = window.tab_titles()
    tab_name = {
        "orders": "Orders",
        "pack-dialog": "Orders",
        "products": "Products",
        "inventory": "Inventory",
        "inventory-warehouses": "Inventory",
        "orders-warehouses": "Orders",
        "warehouses": "Inventory",
    }[what]
    window.tabs.setCurrentIndex(titles.index(tab_name))
    tab = window.tabs.currentWidget()
    window.show()
    if what == "orders":
        tab.set_quick_filter(QuickFilter.RELEASED)  # type: ignore[attr-defined]
        tab.select_order(order)  # type: ignore[attr-defined]
    elif what == "pack-dialog":
        tab.set_quick_filter(QuickFilter.DUE_TODAY)  # type: ignore[attr-defined]
        tab.select_order(order)  # type: ignore[attr-defined]
        dialog = tab.open_pack_dialog(order)  # type: ignore[attr-defined]
        dialog.move(220, 110)
        for code in ("MUG-ENAMEL-GRN", "MUG-ENAMEL-GRN", "CANDLE-PINE-8"):  # the last one is wrong: red
            dialog.item_scan.setText(code)
            dialog.scan_flow.on_item_scanned(code)
    elif what == "products":
        tab.table.selectRow(0)  # type: ignore[attr-defined]
    elif what in ("inventory", "inventory-warehouses"):
        skus = [r.sku for r in tab.model.rows()]  # type: ignore[attr-defined]
        tab.table.selectRow(skus.index("MUG-ENAMEL-GRN"))  # type: ignore[attr-defined]
    elif what == "warehouses":
        dialog = window.show_warehouses()
        dialog.move(260, 120)
        dialog.table.selectRow(1)
    return app.exec()


def several_warehouses(db: object) -> None:
    """A back room and an overflow unit next to the primary: stock moved there, orders routed there."""
    from fbm_desk.db.inventory import transfer_stock
    from fbm_desk.db.warehouse_routing import assign_warehouse
    from fbm_desk.db.warehouses import ShipFrom, add_warehouse, primary, update_warehouse

    main = primary()
    update_warehouse(
        main.id,
        name="Main warehouse",
        ship_from=ShipFrom(
            "Acme Goods", "1200 Harbor Ave SW", "", "Seattle", "WA", "98126", "US", "206-555-0100"
        ),
    )
    back = add_warehouse(
        "Back room",
        ship_from=ShipFrom("Acme Goods", "1200 Harbor Ave SW", "Unit B", "Seattle", "WA", "98126", "US"),
    )
    overflow = add_warehouse(
        "Overflow unit",
        ship_from=ShipFrom("Acme Goods", "44 Industrial Way", "", "Tacoma", "WA", "98421", "US"),
    )
    for i, sku in enumerate(
        ("MUG-ENAMEL-GRN", "SOAP-LAV-OAT", "CANDLE-PINE-8", "HEADLAMP-350", "SKILLET-CI-10")
    ):
        transfer_stock(sku, 20 + 7 * i, main.id, back.id, reason="restock the back room")
        transfer_stock(sku, 12 + 3 * i, main.id, overflow.id, reason="overflow")
    open_orders = db.execute_sql(  # type: ignore[attr-defined]
        "SELECT id FROM orders WHERE state = 'released' ORDER BY id LIMIT 40"
    ).fetchall()
    for (oid,) in open_orders[::3]:
        assign_warehouse(oid, back.id, by="demo")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "orders"))
