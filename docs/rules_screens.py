"""The Rules tab, a Test result and an order's rule explanation, on generated data.

    S=../shared/tools/screenshot; RUN=".venv/bin/python docs/rules_screens.py"
    $S -w 8 docs/screenshots/rules.png -- $RUN rules
    $S -w 8 docs/screenshots/rules-test.png -- $RUN rules-test
    $S -w 8 docs/screenshots/order-rules.png -- $RUN order-rules

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

ORDER = "114-3941689-8772232"
RULES = [
    {
        "name": "Glass is fragile",
        "enabled": True,
        "conditions": [{"field": "sku", "op": "starts_with", "value": "MUG-"}],
        "actions": [
            {"type": "add_tag", "value": "fragile"},
            {"type": "add_note", "value": "Wrap each mug in bubble wrap"},
        ],
    },
    {
        "name": "Alaska and Hawaii on hold",
        "enabled": True,
        "conditions": [{"field": "ship_state", "op": "in", "value": ["AK", "HI"]}],
        "actions": [{"type": "set_hold", "value": "address"}],
    },
    {
        "name": "Over 5 units by UPS",
        "enabled": True,
        "conditions": [{"field": "units", "op": "greater_than", "value": 5}],
        "actions": [{"type": "set_carrier", "value": "UPS"}, {"type": "set_method", "value": "Ground"}],
    },
    {
        "name": "Multi-item orders first",
        "enabled": True,
        "conditions": [{"field": "lines", "op": "greater_than", "value": 1}],
        "actions": [{"type": "set_priority", "value": "high"}],
    },
    {
        "name": "Business invoices",
        "enabled": False,
        "conditions": [{"field": "is_business", "op": "equals", "value": True}],
        "actions": [{"type": "add_note", "value": "Put the invoice in the box"}],
    },
]


def main(what: str) -> int:
    from PySide6.QtWidgets import QApplication

    from fbm_desk.app import build_tabs
    from fbm_desk.core import build_core
    from fbm_desk.db.order_views import QuickFilter
    from fbm_desk.db.rule_runs import apply_to_open
    from fbm_desk.db.rules import replace_rules
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.ui.main_window import MainWindow
    from fbm_desk.ui.services import Services
    from tests.support.demo_data import add_order, generate

    app = QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="fbm-desk-shots-"))
    core = build_core(AppPaths(root, root / "logs").ensure())
    db = core.db.db
    now = datetime.now(UTC)
    generate(db, orders=2000, seed=2026, now=now)
    order = add_order(
        db,
        ORDER,
        items=(("MUG-ENAMEL-GRN", 2), ("SOAP-LAV-OAT", 1)),
        buyer_name="Amélie Dubois",
        city="Austin",
        purchase_date=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        latest_ship_date=(now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    db.execute_sql("UPDATE orders SET ship_state = 'TX', ship_postal_code = '78701' WHERE id = ?", (order,))
    alaska = add_order(
        db,
        "113-5550147-2003318",
        items=(("SOAP-LAV-OAT", 1),),
        city="Anchorage",
        purchase_date=(now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        latest_ship_date=(now + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    db.execute_sql("UPDATE orders SET ship_state = 'AK', ship_postal_code = '99501' WHERE id = ?", (alaska,))
    replace_rules(RULES)
    apply_to_open(dry_run=False)  # "Apply to open orders": the rules run on the orders already imported
    services = Services(core=core)
    window = MainWindow(services, build_tabs(services))
    window.resize(1440, 860)
    window.move(0, 0)
    titles = window.tab_titles()
    window.tabs.setCurrentIndex(titles.index("Orders" if what == "order-rules" else "Rules"))
    tab = window.tabs.currentWidget()
    window.show()
    if what == "order-rules":
        tab.set_quick_filter(QuickFilter.RELEASED)  # type: ignore[attr-defined]
        tab.select_order(order)  # type: ignore[attr-defined]
    elif what == "rules-test":
        tab.rule_list.setCurrentRow(1)  # type: ignore[attr-defined]
        tab.test_order.setEditText(ORDER)  # type: ignore[attr-defined]
        tab.run_test()  # type: ignore[attr-defined]
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "rules"))
