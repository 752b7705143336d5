"""Open the Orders, Products or Inventory tab (in the main window) or the pack dialog on generated data.

    S=../shared/tools/screenshot; RUN=".venv/bin/python docs/warehouse_screens.py"
    $S -w 8 docs/screenshots/orders.png -- $RUN orders
    $S -w 8 docs/screenshots/products.png -- $RUN products
    $S -w 8 docs/screenshots/inventory.png -- $RUN inventory
    $S -w 8 docs/screenshots/pack-dialog.png -- $RUN pack-dialog

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
    elif what == "inventory":
        skus = [r.sku for r in tab.model.rows()]  # type: ignore[attr-defined]
        tab.table.selectRow(skus.index("MUG-ENAMEL-GRN"))  # type: ignore[attr-defined]
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "orders"))
