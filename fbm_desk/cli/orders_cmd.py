"""``fbm-desk orders list [--store NAME] [--state STATE] --json``.

Public contract (issue 5): [{"amazon_order_id","store","state","amazon_status","payment_hold",
"ship_to":{"name","address_line1","city","state_or_region","postal_code","country_code"}|null,
"items":[{"order_item_id","sku","quantity","quantity_shipped"}],
"shipments":[{"carrier_code","tracking_number","push_state","label"}],
"tags":[...],"priority","holds":[...]}] (issue 15; "payment" in holds while Amazon holds the order)
Issue 12 adds "cancel_requested": true|false (the buyer asked to cancel; the reason is in the text output).

``fbm-desk orders cancel ORDER_ID --reason buyer-canceled|no-inventory|address-undeliverable|general-adjustment
[--json]`` cancels the order at Amazon (order acknowledgement feed, ``fbm_desk.domain.order_cancel``): exit 0
when Amazon accepted it (JSON ``{"order_id","status","feed_id"}``), 2 for an unknown, canceled or shipped order,
an order with a package, or an invalid reason (nothing sent), 1 when Amazon refused (Amazon's message).
Issue 16 adds "warehouse": the name of the warehouse the order is allocated to.
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_json, print_rows, store_filter
from fbm_desk.cli.holds_cmd import register_actions
from fbm_desk.db.access_trail import record_access
from fbm_desk.db.buy_shipping import labelled_packages
from fbm_desk.db.domain_rows import ORDER_STATES, OrderItemRow, OrderRow, PackageRow
from fbm_desk.db.order_marks import order_marks
from fbm_desk.db.orders import list_items, list_orders
from fbm_desk.db.packages import list_packages
from fbm_desk.db.warehouse_routing import order_warehouses
from fbm_desk.domain.order_cancel import REASONS, cancel_order
from fbm_desk.foundation.errors import InvalidInput


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("orders", help="list imported orders")
    sub = p.add_subparsers(dest="orders_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="list orders")
    lst.add_argument("--store", metavar="NAME", help="only this store")
    lst.add_argument("--state", choices=ORDER_STATES, metavar="STATE", help=" | ".join(ORDER_STATES))
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)
    register_actions(sub)  # orders hold / orders release (issue 15)
    can = sub.add_parser("cancel", help="cancel an order at Amazon (order acknowledgement feed)")
    can.add_argument("order_id", metavar="ORDER_ID", help="Amazon order id")
    can.add_argument("--reason", required=True, metavar="REASON", help=" | ".join(REASONS))
    can.add_argument("--json", action="store_true", help="print JSON")
    can.set_defaults(func=cmd_cancel)


def order_json(
    o: OrderRow, items: list[OrderItemRow], packages: list[PackageRow], labels: set[int] | None = None
) -> dict[str, object]:
    ship = o.ship_to
    return {
        "amazon_order_id": o.amazon_order_id,
        "store": o.store_name,
        "state": o.state,
        "amazon_status": o.amazon_status,
        "payment_hold": o.payment_hold,
        "cancel_requested": o.flags.cancel_requested,
        "ship_to": None
        if ship is None
        else {
            "name": ship.name,
            "address_line1": ship.address_line1,
            "city": ship.city,
            "state_or_region": ship.state_or_region,
            "postal_code": ship.postal_code,
            "country_code": ship.country_code,
        },
        "items": [
            {
                "order_item_id": i.order_item_id,
                "sku": i.seller_sku,
                "quantity": i.quantity,
                "quantity_shipped": i.quantity_shipped,
            }
            for i in items
        ],
        "shipments": [
            {
                "carrier_code": p.carrier_code,
                "tracking_number": p.tracking_number,
                "push_state": p.push_state,
                "label": p.id in (labels or set()),  # issue 18: a Buy Shipping label (Amazon already has it)
            }
            for p in packages
        ],
    }


def _order_text(o: OrderRow) -> str:
    hold = " (payment hold)" if o.payment_hold else ""
    flag = " [needs mapping]" if o.needs_mapping else ""
    flag += f" [{o.flags.cancel_text}]" if o.flags.cancel_requested else ""
    return f"{o.amazon_order_id}  {o.store_name}  {o.state}{hold}{flag}  {o.units} unit(s)"


def cmd_list(args: argparse.Namespace) -> int:
    with core_session(args):
        orders = list_orders(store_filter(args.store), args.state, newest_first=False)
        if args.json:
            record_access("export", [o.id for o in orders if o.ship_to is not None], "orders list --json")
        ids = [o.id for o in orders]
        items = list_items(ids)
        packages = list_packages(ids)
        marks = order_marks(ids)

        houses = order_warehouses(ids)
        labels = labelled_packages(p.id for ps in packages.values() for p in ps)

        def to_json(o: OrderRow) -> dict[str, object]:
            m = marks[o.id]  # issue 15: tags, priority, holds (Amazon's payment hold as "payment")
            extra = {"tags": list(m.tags), "priority": m.priority, "holds": [h.kind for h in m.holds]}
            return {
                **order_json(o, items.get(o.id, []), packages.get(o.id, []), labels),
                **extra,
                "warehouse": houses.get(o.id),  # issue 16
            }

        print_rows(orders, args.json, to_json, _order_text)
        return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    if args.reason not in REASONS:  # checked before anything is opened: nothing is sent
        raise InvalidInput(
            f"Unknown reason '{args.reason}'. Use one of: {', '.join(REASONS)}. Nothing was sent."
        )
    with core_session(args) as core:
        outcome = cancel_order(core, args.order_id, args.reason)
    if args.json:
        print_json(
            {"order_id": outcome.amazon_order_id, "status": outcome.status, "feed_id": outcome.feed_id}
        )
    else:
        print(f"{outcome.message} The next order sync shows it as canceled (feed {outcome.feed_id}).")
    return 0
