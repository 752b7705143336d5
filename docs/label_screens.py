"""Buy Shipping screenshots against the built-in sandbox (issue 18).

    S=../shared/tools/screenshot; RUN=".venv/bin/python docs/label_screens.py"
    $S -w 10 docs/screenshots/buy-label.png -- $RUN dialog    # the pack dialog with Buy label and its rates
    $RUN label                                               # docs/screenshots/shipping-label.png (pdftoppm)

Uses a throw-away data dir and a sandbox in this process; nothing touches Amazon or your data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")


def main(what: str) -> int:
    from PySide6.QtWidgets import QApplication

    from fbm_desk.core import build_core
    from fbm_desk.db.orders import find_order
    from fbm_desk.db.stores import get_store
    from fbm_desk.db.warehouses import ShipFrom, primary, update_warehouse
    from fbm_desk.domain import buy_shipping
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.printing import shipping_label
    from fbm_desk.sandbox import start_sandbox
    from fbm_desk.sync.base import JobKind
    from fbm_desk.sync.execute import run_job
    from fbm_desk.ui.buy_label_dialog import BuyLabelDialog
    from fbm_desk.ui.pack_dialog import PackDialog
    from tests.support.sync_env import make_store, merchant_skus, settle

    app = QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="fbm-desk-label-shots-"))
    sandbox = start_sandbox(speedup=600, alive=False, order_count=0)
    core = build_core(AppPaths(root, root / "logs").ensure(), spapi_config=sandbox.spapi_config())
    store = make_store(core, sandbox)
    update_warehouse(primary().id, ship_from=ShipFrom("Maple & Pine Goods", "100 Main St", "", "Springfield", "IL", "62701", "US", ""))  # fmt: skip
    skus = merchant_skus(sandbox, 2)
    order_id = sandbox.world.add_order(skus={skus[0]: 1, skus[1]: 1})
    order = sandbox.world.orders[order_id]
    order.deliver_by = (order.deliver_by[0], order.created + timedelta(days=4))  # the slow services are late
    settle(sandbox, order_id)
    run_job(core, get_store(store.id), JobKind.ORDERS)
    local = find_order(order_id).id
    if what == "label":
        rates = buy_shipping.get_rates(core, local, weight_g=900, box="Medium")
        bought = buy_shipping.buy_label(core, local, rates.default_rate_id, "png")
        pdf = root / "label.pdf"
        shipping_label.write_label_pdf(pdf, bought.format, bought.document)
        out = ROOT / "docs" / "screenshots" / "shipping-label"
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(pdf), str(out)], check=True)
        sandbox.stop()
        return 0
    pack = PackDialog(core, local)
    pack.move(0, 0)
    pack.show()
    for sku in skus:
        pack.item_scan.setText(sku)
        pack.scan_flow.on_item_scanned(sku)
    dialog = BuyLabelDialog(core, local, pack)
    dialog.weight.setValue(900)
    dialog.box.setCurrentIndex(1)
    dialog.move(260, 90)
    dialog.show()
    dialog._show_rates(buy_shipping.get_rates(core, local, weight_g=900, box="Medium"))
    code = app.exec()
    sandbox.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dialog"))
