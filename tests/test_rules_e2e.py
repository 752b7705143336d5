"""Automation rules and holds end to end against the built-in sandbox (issue 15, "Done when"): rules wait for
Amazon's release, fire once, a rule's hold blocks packing until released, "apply to open orders"."""

from __future__ import annotations

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import events as ev
from fbm_desk.db.holds import release_hold
from fbm_desk.db.order_marks import explain_rules, order_marks
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.rule_runs import apply_to_open
from fbm_desk.db.rules import replace_rules
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e

TRACKING = "1Z999AA10123456784"


def sync(core: CoreServices, store_id: int) -> None:
    result = run_job(core, get_store(store_id), JobKind.ORDERS)
    assert result.status == "ok", result.error


def rule_events(order_id: str) -> list[str]:
    return [e.message for e in get_order_detail(find_order(order_id).id).events if e.kind == ev.RULE]


def glass_rules(sku: str) -> list[dict[str, object]]:
    return [
        {
            "name": "Glass is fragile",
            "enabled": True,
            "conditions": [{"field": "sku", "op": "equals", "value": sku}],
            "actions": [
                {"type": "add_tag", "value": "fragile"},
                {"type": "set_priority", "value": "high"},
                {"type": "add_note", "value": "Wrap in bubble wrap"},
                {"type": "set_carrier", "value": "UPS"},
            ],
        },
        {
            "name": "Far away",
            "enabled": True,
            "conditions": [{"field": "ship_country", "op": "equals", "value": "ZZ"}],
            "actions": [{"type": "set_hold", "value": "address"}],
        },
    ]


def test_rules_wait_for_release_then_fire_once(quiet_core: CoreServices, quiet: RunningSandbox) -> None:
    core = quiet_core
    store = make_store(core, quiet, import_pending=True)
    sku = merchant_skus(quiet, 1)[0]
    replace_rules(glass_rules(sku))
    pending = quiet.world.add_order(skus={sku: 1}, status="PENDING")
    settle(quiet, pending)
    sync(core, store.id)
    held = find_order(pending)
    marks = order_marks([held.id])[held.id]
    assert held.state == "held"
    assert (marks.tags, marks.priority, [h.kind for h in marks.holds]) == ((), "normal", ["payment"])
    assert rule_events(pending) == []  # never while Amazon holds it
    assert explain_rules(held.id).waiting

    quiet.world.release_order(pending)
    settle(quiet, pending)
    sync(core, store.id)
    released = find_order(pending)
    marks = order_marks([released.id])[released.id]
    assert released.state == "released"
    assert marks.tags == ("fragile",)
    assert (marks.priority, marks.default_carrier, [h.kind for h in marks.holds]) == ("high", "UPS", [])
    assert marks.notes == (("Glass is fragile", "Wrap in bubble wrap"),)
    assert rule_events(pending) == [
        "Rule *Glass is fragile*: tag fragile, priority high, note “Wrap in bubble wrap”, carrier UPS"
    ]
    explanation = explain_rules(released.id)
    assert explanation.applied == ("Glass is fragile",)
    assert explanation.headline().startswith("Rules: 1 applied, 1 skipped — ship-to country was ")
    assert explanation.headline().endswith(", not ZZ")

    # a later sync (the order changes again on Amazon) and "apply to open orders" do not fire it again
    quiet.world.touch(quiet.world.orders[pending])
    settle(quiet, pending)
    sync(core, store.id)
    assert apply_to_open(dry_run=False) == []
    assert len(rule_events(pending)) == 1


def test_a_rule_hold_blocks_packing_until_released(quiet_core: CoreServices, quiet: RunningSandbox) -> None:
    core = quiet_core
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    rules = glass_rules(sku)
    rules[1]["conditions"] = [{"field": "units", "op": "greater_than", "value": 2}]
    replace_rules(rules)
    order_id = quiet.world.add_order(skus={sku: 3})
    settle(quiet, order_id)
    sync(core, store.id)
    with pytest.raises(InvalidInput, match="on address hold"):
        record_package(core, order_id, "UPS", TRACKING)
    assert get_order_detail(find_order(order_id).id).packages == ()
    release_hold(find_order(order_id).id, "address", reason="called the buyer", by="test")
    package = record_package(core, order_id, "UPS", TRACKING)
    assert package.amazon_order_id == order_id


def test_rules_added_later_touch_existing_orders_only_when_applied(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    core = quiet_core
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    order_id = quiet.world.add_order(skus={sku: 1})
    settle(quiet, order_id)
    sync(core, store.id)
    replace_rules(glass_rules(sku))
    oid = find_order(order_id).id
    assert order_marks([oid])[oid].tags == ()  # a new rule does not touch an imported order by itself
    preview = apply_to_open(dry_run=True)
    assert [(f.amazon_order_id, f.rule) for f in preview] == [(order_id, "Glass is fragile")]
    assert order_marks([oid])[oid].tags == ()  # the preview changed nothing
    assert [f.rule for f in apply_to_open(dry_run=False)] == ["Glass is fragile"]
    assert order_marks([oid])[oid].tags == ("fragile",)
    assert apply_to_open(dry_run=True) == []
