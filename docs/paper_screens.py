"""Render a pick list and a packing slip as ``fbm-desk print`` writes them, then to PNG with poppler's pdftoppm.

    .venv/bin/python docs/paper_screens.py     # writes docs/screenshots/pick-list.png and packing-slip.png

Uses a throw-away data dir filled by ``tests/support/demo_data.py`` (bins set per product); nothing touches
Amazon or your data. Needs ``pdftoppm`` (Debian: poppler-utils).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHOTS = ROOT / "docs" / "screenshots"


def main() -> int:
    from fbm_desk.cli import main as cli
    from fbm_desk.core import build_core
    from fbm_desk.db.orders import list_orders
    from fbm_desk.db.product_places import set_product_place
    from fbm_desk.foundation.paths import AppPaths
    from tests.support.demo_data import PRODUCTS, add_order, generate

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        core = build_core(AppPaths(data_dir=data, log_dir=data / "logs"))
        generate(core.db.db, orders=120, seed=4, state_weights={"released": 0.9, "held": 0.1})
        for n, (sku, _title) in enumerate(PRODUCTS):
            set_product_place(sku, bin=f"{'ABC'[n % 3]}-{n + 1:02d}-{n % 4 + 1}", low_stock=5)
        add_order(
            core.db.db,
            "114-3941689-8772232",
            items=(("SKILLET-CI-10", 1), ("MUG-ENAMEL-GRN", 2), ("CANDLE-PINE-8", 1)),
            buyer_name="Maria Castillo",
            city="Santa Fe",
        )
        core.db.db.execute_sql(
            "UPDATE orders SET ship_state = 'NM', ship_postal_code = '87501', ship_address1 = '418 Canyon Rd' "
            "WHERE amazon_order_id = '114-3941689-8772232'"
        )
        batch = [o.amazon_order_id for o in list_orders(state="released", newest_first=False)][:40]
        core.close()
        pick, slip = Path(tmp) / "pick.pdf", Path(tmp) / "slip.pdf"
        base = ["--data-dir", str(data), "print"]
        if cli([*base, "pick-list", "--orders", ",".join(batch), "--out", str(pick)]) != 0:
            return 1
        if cli([*base, "slips", "--orders", "114-3941689-8772232", "--out", str(slip), "--size", "4x6"]) != 0:
            return 1
        for pdf, name, dpi in ((pick, "pick-list", 80), (slip, "packing-slip", 110)):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    str(dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(SHOTS / name),
                ],
                check=True,
            )
    print(f"wrote {SHOTS / 'pick-list.png'} and {SHOTS / 'packing-slip.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
