"""The packing queue in SQL: urgency order, packed orders leave "To pack"/"Due today" at once (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db.order_views import DayBounds, OrderQuery, QuickFilter, SortKey, count_orders, fetch_orders
from fbm_desk.domain import packing
from fbm_desk.foundation.paths import AppPaths
from tests.support.demo_data import add_order, generate

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
DAY = DayBounds.at(NOW)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _queue(quick: QuickFilter = QuickFilter.RELEASED) -> list[str]:
    query = OrderQuery(quick=quick, sort=SortKey.URGENCY, descending=False)
    return [r.amazon_order_id for r in fetch_orders(query, 0, 100, day=DAY)]


def _core(app_paths: AppPaths) -> CoreServices:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    return core


def test_late_first_then_due_today_then_prime_then_oldest(app_paths: AppPaths) -> None:
    core = _core(app_paths)
    db = core.db.db
    local_end = datetime.fromisoformat(DAY.end_of_today.replace("Z", "+00:00"))
    specs = {
        "later-old": (local_end + timedelta(days=2), NOW - timedelta(days=5), False),
        "later-prime": (local_end + timedelta(days=3), NOW - timedelta(days=1), True),
        "today": (local_end - timedelta(minutes=30), NOW - timedelta(days=2), False),
        "late-recent": (NOW - timedelta(hours=1), NOW - timedelta(days=1), False),
        "late-oldest": (NOW - timedelta(hours=2), NOW - timedelta(days=3), False),
    }
    ids = {}
    for n, (name, (ship_by, bought, prime)) in enumerate(specs.items()):
        ids[name] = f"113-0000000-000000{n}"
        order = add_order(db, ids[name], latest_ship_date=_iso(ship_by), purchase_date=_iso(bought))
        db.execute_sql("UPDATE orders SET is_prime = ? WHERE id = ?", (int(prime), order))
    names = {v: k for k, v in ids.items()}
    assert [names[i] for i in _queue()] == ["late-oldest", "late-recent", "today", "later-prime", "later-old"]
    assert [names[i] for i in _queue(QuickFilter.DUE_TODAY)] == ["late-oldest", "late-recent", "today"]
    core.close()


def test_a_packed_order_leaves_to_pack_at_once_and_waits_for_amazon(app_paths: AppPaths) -> None:
    core = _core(app_paths)
    db = core.db.db
    ship_by = _iso(NOW - timedelta(hours=1))
    whole = add_order(db, "113-0000000-0000101", items=(("MUG-ENAMEL-GRN", 2),), latest_ship_date=ship_by)
    part = add_order(db, "113-0000000-0000102", items=(("MUG-ENAMEL-GRN", 2),), latest_ship_date=ship_by)
    assert count_orders(OrderQuery(quick=QuickFilter.RELEASED), day=DAY) == 2
    packing.record_package(core, whole, "UPS", "1Z999AA10123456784")
    packing.record_package(core, part, "UPS", "1Z999AA10123456785", items={_first_item(part): 1})
    assert _queue() == ["113-0000000-0000102"]  # one unit of it is still to pack
    assert _queue(QuickFilter.DUE_TODAY) == ["113-0000000-0000102"]
    waiting = fetch_orders(OrderQuery(quick=QuickFilter.PACKED_WAITING), 0, 10, day=DAY)
    assert [(r.amazon_order_id, r.push_state) for r in waiting] == [("113-0000000-0000101", "queued")]
    core.close()


def _first_item(order_id: int) -> str:
    from fbm_desk.db.orders import get_order_detail

    return get_order_detail(order_id).items[0].order_item_id
