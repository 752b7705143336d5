"""The Rules tab, the order's rule explanation, the pack dialog's rule notes/defaults and holds, the Orders
tab's "On hold" filter (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from fbm_desk.core import build_core
from fbm_desk.db.holds import place_hold
from fbm_desk.db.order_views import QuickFilter, quick_filter_counts
from fbm_desk.db.rule_runs import apply_to_open
from fbm_desk.db.rules import list_rules, replace_rules
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.order_detail import OrderDetailPanel
from fbm_desk.ui.pack_dialog import PackDialog
from fbm_desk.ui.rules_tab import RulesTab
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate

RULES = [
    {
        "name": "Glass is fragile",
        "enabled": True,
        "conditions": [{"field": "sku", "op": "starts_with", "value": "MUG-"}],
        "actions": [
            {"type": "add_tag", "value": "fragile"},
            {"type": "add_note", "value": "Wrap each mug"},
            {"type": "set_carrier", "value": "UPS"},
            {"type": "set_method", "value": "Ground"},
        ],
    },
    {
        "name": "Alaska and Hawaii",
        "enabled": True,
        "conditions": [{"field": "ship_state", "op": "in", "value": ["AK", "HI"]}],
        "actions": [{"type": "set_hold", "value": "address"}],
    },
    {
        "name": "Off rule",
        "enabled": False,
        "conditions": [],
        "actions": [{"type": "add_tag", "value": "x"}],
    },
]


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    yield Services(core=core)
    core.close()


@pytest.fixture
def order(services: Services) -> int:
    oid = add_order(services.db.db, "111-0000000-0000001", items=(("MUG-ENAMEL-GRN", 2),))
    services.db.db.execute_sql("UPDATE orders SET ship_state = 'TX' WHERE id = ?", (oid,))
    replace_rules(RULES)
    apply_to_open(dry_run=False)
    return oid


def test_rules_tab_lists_reorders_by_drag_and_tests_an_order(
    qtbot: Any, services: Services, order: int
) -> None:
    tab = RulesTab(services)
    qtbot.addWidget(tab)
    assert [tab.rule_list.item(i).text() for i in range(3)] == [
        "Glass is fragile",
        "Alaska and Hawaii",
        "(off) Off rule",
    ]
    assert tab.editor.name.text() == "Glass is fragile"
    tab.rule_list.setCurrentRow(
        1
    )  # closed lists (the hold kind) show the stored value, and save it unchanged
    assert tab.editor.spec(2) == list_rules()[1].spec
    tab.rule_list.setCurrentRow(0)
    # a drag in the list moves the row in its model; the new order is stored at once
    assert tab.rule_list.model().moveRows(QModelIndex(), 0, 1, QModelIndex(), 2)
    assert [r.spec.name for r in list_rules()] == ["Alaska and Hawaii", "Glass is fragile", "Off rule"]

    tab.test_order.setEditText("111-0000000-0000001")
    tab.run_test()
    rows = [
        [tab.results.topLevelItem(i).text(c) for c in range(3)]
        for i in range(tab.results.topLevelItemCount())
    ]
    assert rows[0] == ["Alaska and Hawaii", "skipped", "ship-to state was TX, not AK/HI"]
    assert rows[1][:2] == ["Glass is fragile", "matched"]
    assert rows[2] == ["Off rule", "skipped", "the rule is off"]

    tab.test_order.setEditText("All open orders")
    tab.run_test()
    first = [tab.results.topLevelItem(0).text(c) for c in range(3)]
    assert first == ["Alaska and Hawaii", "0 of 1", "ship-to state was TX, not AK/HI (1×)"]


def test_the_editor_saves_a_valid_rule_and_refuses_an_invalid_one(
    qtbot: Any, services: Services, order: int
) -> None:
    del order
    tab = RulesTab(services)
    qtbot.addWidget(tab)
    tab.new_rule()
    assert tab.rule_list.count() == 4
    tab.editor.name.setText("Prime first")
    tab.editor.add_condition("is_prime", "equals", True)
    tab.editor.load(tab.editor.spec(4))  # round trip through the widgets
    tab.save_current()
    stored = list_rules()[-1].spec
    assert (stored.name, [(c.field, c.op, c.value) for c in stored.conditions]) == (
        "Prime first",
        [("is_prime", "equals", True)],
    )
    tab.editor.name.setText("")
    tab.save_current()
    assert "'name' must be non-empty" in tab.message.text()
    assert list_rules()[-1].spec.name == "Prime first"


def test_detail_panel_explains_the_rules(qtbot: Any, services: Services, order: int) -> None:
    panel = OrderDetailPanel()
    qtbot.addWidget(panel)
    panel.show_order(order)
    text = panel.body.toPlainText()
    assert "Rules: 1 applied, 1 skipped — ship-to state was TX, not AK/HI" in text
    assert "fragile" in text
    assert "Wrap each mug" in text


def test_pack_dialog_shows_rule_notes_offers_the_rule_carrier_and_refuses_a_hold(
    qtbot: Any, services: Services, order: int
) -> None:
    dialog = PackDialog(services.core, order)
    qtbot.addWidget(dialog)
    assert "Wrap each mug" in dialog.rule_notes.text()
    assert (dialog.carrier_code(), dialog.method.text()) == ("UPS", "Ground")
    dialog.tracking.setText("9400111899223197428490")  # a USPS-looking number does not override the rule
    assert dialog.carrier_code() == "UPS"
    assert dialog.save_button.isEnabled()

    place_hold(order, "fraud", reason="check the buyer", by="anna")
    held = PackDialog(services.core, order)
    qtbot.addWidget(held)
    assert not held.save_button.isEnabled()
    assert "fraud hold" in held.message.text()
    counts = quick_filter_counts()
    assert counts[QuickFilter.ON_HOLD] == 1
