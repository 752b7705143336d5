"""Buy Shipping at the packing station: from the item scan to a printed 4 × 6 label, per order, in demo time.

    .venv/bin/python bench/bench_buy_label.py [--orders 20]

Against the built-in sandbox (in this process, demo speed-up), for each of ``--orders`` synced orders: open the
pack dialog, scan the item (keys), Alt+L, type the weight, Enter (rates from Amazon, on the thread pool), Enter
(buy, then print: the 4 × 6 PDF written through Qt), until the dialog closes. Amazon's latency is every HTTP
round trip the client makes (timed at ``requests.Session.request``) and is subtracted; the sandbox's own work
(rendering the label) is part of it. The floor, measured in the same run: writing the same label PDF through
``QPdfWriter`` alone. Target (issue 18): ≤ 3 s per order excluding Amazon's latency.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_S = 3.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()

    import requests
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from fbm_desk.core import build_core
    from fbm_desk.db.buy_shipping import latest_label
    from fbm_desk.db.orders import find_order
    from fbm_desk.db.stores import get_store
    from fbm_desk.db.warehouses import ShipFrom, primary, update_warehouse
    from fbm_desk.domain.buy_shipping import label_document
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.printing import shipping_label
    from fbm_desk.sandbox import start_sandbox
    from fbm_desk.sync.base import JobKind
    from fbm_desk.sync.execute import run_job
    from fbm_desk.ui.buy_label_dialog import BuyLabelDialog
    from fbm_desk.ui.pack_dialog import PackDialog
    from tests.support.sync_env import make_store, merchant_skus, settle

    http_s = 0.0
    original = requests.Session.request

    def timed(self: requests.Session, *a: Any, **kw: Any) -> requests.Response:
        nonlocal http_s
        started = time.perf_counter()
        try:
            return original(self, *a, **kw)
        finally:
            http_s += time.perf_counter() - started

    requests.Session.request = timed  # type: ignore[method-assign]
    app = QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="fbm-bench-label-"))
    sandbox = start_sandbox(speedup=600, alive=False, order_count=0)
    core = build_core(AppPaths(root, root / "logs").ensure(), spapi_config=sandbox.spapi_config())
    store = make_store(core, sandbox)
    update_warehouse(primary().id, ship_from=ShipFrom("Bench", "100 Main St", "", "Springfield", "IL", "62701", "US", ""))  # fmt: skip
    sku = merchant_skus(sandbox, 1)[0]
    ids = [sandbox.world.add_order(skus={sku: 1}) for _ in range(args.orders)]
    settle(sandbox, *ids)
    run_job(core, get_store(store.id), JobKind.ORDERS)

    def wait(condition: Any, timeout: float = 20.0) -> None:
        end = time.perf_counter() + timeout
        while not condition():
            app.processEvents()
            if time.perf_counter() > end:
                raise TimeoutError("the label flow did not finish")

    totals, amazon = [], []
    for amazon_id in ids:
        local = find_order(amazon_id).id
        http_s = 0.0
        started = time.perf_counter()
        pack = PackDialog(core, local)
        pack.show()
        pack.activateWindow()
        QTest.keyClicks(pack.item_scan, sku)
        QTest.keyClick(pack.item_scan, Qt.Key.Key_Return)
        QTest.keyClick(pack.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
        wait(lambda: isinstance(QApplication.activeModalWidget(), BuyLabelDialog))
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, BuyLabelDialog)
        QTest.keyClick(dialog.box, Qt.Key.Key_Tab)
        QTest.keyClicks(dialog.weight, "800")
        QTest.keyClick(dialog.weight, Qt.Key.Key_Return)
        wait(lambda: dialog.rate_list.count() > 0)  # noqa: B023
        QTest.keyClick(dialog.rate_list, Qt.Key.Key_Return)
        wait(lambda: not dialog.isVisible())  # noqa: B023
        totals.append(time.perf_counter() - started)
        amazon.append(http_s)
        assert latest_label(local) is not None
        pack.close()
        pack.deleteLater()
        app.processEvents()

    label = latest_label(find_order(ids[-1]).id)
    assert label is not None
    floor = []
    fmt, document = label_document(core, ids[-1], "PNG")
    for _ in range(5):
        started = time.perf_counter()
        shipping_label.write_label_pdf(root / "floor.pdf", fmt, document)
        floor.append(time.perf_counter() - started)
    app_times = [t - a for t, a in zip(totals, amazon, strict=True)]
    median_app, median_amazon = statistics.median(app_times), statistics.median(amazon)
    floor_s = statistics.median(floor)
    print(f"orders: {len(ids)}; per order, median: total {statistics.median(totals):.3f} s, "
          f"Amazon (HTTP round trips) {median_amazon:.3f} s, app {median_app:.3f} s (max {max(app_times):.3f} s)")  # fmt: skip
    print(
        f"floor (the label PDF through QPdfWriter alone): {floor_s * 1000:.1f} ms → app = {median_app / floor_s:.1f}× floor"
    )
    print(
        f"target ≤ {TARGET_S:.1f} s per order excluding Amazon: {'met' if max(app_times) <= TARGET_S else 'NOT met'}"
    )
    core.close()
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
