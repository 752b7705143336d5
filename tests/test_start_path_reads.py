"""Issue 19: what the tabs read while the window opens does not grow with the orders table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fbm_desk.core import build_core
from fbm_desk.db import rules
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    yield Services(core=core)
    core.close()


def test_rule_pickers_offer_the_newest_orders_values_only(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = services.db.db
    for number, state in enumerate(("WA", "TX", "AK"), start=1):
        oid = add_order(db, f"111-0000000-000000{number}")
        db.execute_sql("UPDATE orders SET ship_state = ? WHERE id = ?", (state, oid))
    monkeypatch.setattr(rules, "RECENT_ORDERS", 2)  # the table's other rows are never read

    pickers = rules.picker_values()

    assert pickers["ship_state"] == ["AK", "TX"]
    assert "US" in pickers["ship_country"]
