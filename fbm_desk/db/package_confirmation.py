"""Amazon accepted a package: the units ship. One workflow over packages, order items, stock and the order.

The order items' shipped quantities rise, the units leave on-hand stock (their allocation ends at the same
moment, so available stock does not change), and the order becomes partially shipped or shipped.
"""

from __future__ import annotations

from fbm_desk.db import events
from fbm_desk.db.inventory import adjust_on_hand
from fbm_desk.db.models import Order, OrderItem, Package, PackageItem, utcnow_iso
from fbm_desk.db.order_state import refresh_order_state
from fbm_desk.db.packages import drop_outbox, set_push_state
from fbm_desk.db.states import PushState
from fbm_desk.db.transactions import transaction


def confirm_package(package_id: int, *, message: str = "", now: str | None = None) -> None:
    """Amazon accepted a local package: units shipped, stock out, order state follows. One transaction."""
    stamp = now or utcnow_iso()
    with transaction(immediate=True):
        pkg = Package.get_by_id(package_id)
        if pkg.push_state == PushState.CONFIRMED:
            return
        order = Order.get_by_id(pkg.order_id)
        for pi in PackageItem.select().where(PackageItem.package == package_id):
            item = OrderItem.get_by_id(pi.order_item_id)
            shipped = min(item.quantity, item.quantity_shipped + pi.quantity)
            moved = shipped - item.quantity_shipped
            if moved <= 0:
                continue
            OrderItem.update(quantity_shipped=shipped).where(OrderItem.id == item.id).execute()
            if item.product_id is not None:
                adjust_on_hand(
                    int(item.product_id),
                    -moved,
                    f"Shipped order {order.amazon_order_id} (package {pkg.package_reference_id})",
                    warehouse_id=item.warehouse_id or order.warehouse_id,  # where it was allocated
                    source="shipment",
                    now=stamp,
                )
        set_push_state(package_id, PushState.CONFIRMED, message, stamp)
        drop_outbox(package_id)  # its push is done
        events.add_event(
            order.id,
            events.CONFIRMED,
            f"Package {pkg.package_reference_id} ({pkg.carrier_code} {pkg.tracking_number}) "
            "confirmed by Amazon",
            stamp,
        )
        refresh_order_state(int(order.id), now=stamp)
