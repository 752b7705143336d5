"""Issue 18, storage: a bought label is a package Amazon already has (confirmed, no outbox row, never pushed),
recorded once per shipment; a void gives the units back (stock, order state) and removes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import buy_shipping as store
from fbm_desk.db.inventory import adjust_on_hand
from fbm_desk.db.orders import get_order_detail, list_items
from fbm_desk.db.packages import pending_outbox
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.paths import AppPaths
from tests.support.demo_data import add_order, generate

NOW = "2026-12-07T10:00:00Z"


@pytest.fixture
def core(app_paths: AppPaths) -> Iterator[CoreServices]:
    c = build_core(app_paths)
    generate(c.db.db, orders=0)
    yield c
    c.close()


def _quote(order_id: int) -> store.QuoteRow:
    (item,) = list_items([order_id])[order_id]
    return store.QuoteRow(
        "R1", "T1", "UPS", "UPS", "UPS_GROUND", "UPS Ground", "9.80", "USD", None, False, "[]", "ref-1", 800,
        ((item.id, item.quantity),), NOW,
    )  # fmt: skip


def _on_hand(core: CoreServices, product_id: int) -> int:
    sql = "SELECT sum(on_hand) FROM inventory_level WHERE product_id = ?"
    return int(core.db.db.execute_sql(sql, (product_id,)).fetchone()[0])


def test_label_is_confirmed_never_queued_recorded_once_and_void_gives_units_back(core: CoreServices) -> None:
    order_id = add_order(core.db.db, "111-0000000-0000001", items=(("MUG-ENAMEL-GRN", 2),))
    (item,) = list_items([order_id])[order_id]
    assert item.product_id is not None
    with transaction(immediate=True):
        adjust_on_hand(item.product_id, 5, "stock", now=NOW)
    before = _on_hand(core, item.product_id)
    with transaction(immediate=True):
        args = dict(shipment_id="S1", carrier_code="UPS", carrier_name="", tracking_number="1Z999AA10123456784",
                    label_format="PDF", document=b"%PDF-1.4 label", now=NOW)  # fmt: skip
        first = store.record_label(order_id, _quote(order_id), **args)  # type: ignore[arg-type]
        again = store.record_label(order_id, _quote(order_id), **args)  # type: ignore[arg-type]
    assert first == again
    detail = get_order_detail(order_id)
    (package,) = detail.packages
    assert package.push_state == "confirmed"
    assert detail.order.state == "shipped"
    assert pending_outbox(detail.order.store_id) == []  # the tracking push has nothing to send
    assert store.labelled_packages([package.id]) == {package.id}
    label = store.latest_label(order_id)
    assert label is not None
    assert label.document == b"%PDF-1.4 label"
    assert _on_hand(core, item.product_id) == before - 2  # the units left with the label
    with transaction(immediate=True):
        store.void_label(label, NOW)
    detail = get_order_detail(order_id)
    assert detail.packages == ()
    assert detail.order.state == "released"
    assert list_items([order_id])[order_id][0].quantity_shipped == 0
    assert _on_hand(core, item.product_id) == before
    assert store.latest_label(order_id) is None


def test_box_presets_per_warehouse_shadow_the_shared_ones(core: CoreServices) -> None:
    house = store.order_warehouse(add_order(core.db.db, "111-0000000-0000002"))
    names = [b.name for b in store.list_boxes(house.id)]
    assert names == ["Small", "Medium", "Large"]  # seeded for every warehouse
    with transaction(immediate=True):
        store.save_box(house.id, "medium", (31, 24, 16), 250)
        store.save_box(None, "Tube", (60, 8, 8), 90)
    boxes = {b.name.lower(): b for b in store.list_boxes(house.id)}
    assert (boxes["medium"].length_cm, boxes["medium"].warehouse_id) == (31, house.id)
    assert "tube" in boxes
    assert store.find_box(house.id, "TUBE") is not None
    with pytest.raises(InvalidInput):
        store.save_box(None, "Huge", (400, 1, 1))
