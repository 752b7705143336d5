"""``fbm-desk ship ORDER_ID --carrier CODE --tracking NUMBER [--carrier-name NAME] [--method TEXT]
[--ship-date ISO] [--item ORDER_ITEM_ID=QTY ...] [--override-cancel-request]``: record a package; the
shipments job pushes it.

Default items: every unit still unshipped. Exit 2 with a clear message on invalid input (unknown order, held
or canceled order, an order the buyer asked to cancel (unless ``--override-cancel-request``), an Easy Ship
order, more units than unshipped, unknown carrier, empty or implausible tracking number).
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_json
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.errors import InvalidInput


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "ship", help="record a package (tracking) for an order; pushed by 'sync shipments'"
    )
    p.add_argument("order_id", metavar="ORDER_ID", help="Amazon order id")
    p.add_argument(
        "--carrier", required=True, metavar="CODE", help="Amazon carrier code (e.g. UPS, USPS, Other)"
    )
    p.add_argument("--tracking", required=True, metavar="NUMBER", help="tracking number")
    p.add_argument("--carrier-name", default="", metavar="NAME", help="carrier name (required with Other)")
    p.add_argument("--method", default="", metavar="TEXT", help="shipping method / service")
    p.add_argument("--ship-date", default=None, metavar="ISO", help="ship date (default: now)")
    p.add_argument(
        "--item",
        action="append",
        default=[],
        metavar="ORDER_ITEM_ID=QTY",
        help="units of one order item (repeatable; default: all unshipped units)",
    )
    p.add_argument(
        "--override-cancel-request",
        action="store_true",
        help="ship even though the buyer asked to cancel (otherwise refused with exit 2)",
    )
    p.add_argument("--json", action="store_true", help="print the recorded package as JSON")
    p.set_defaults(func=cmd_ship)


def parse_items(values: list[str]) -> dict[str, int] | None:
    if not values:
        return None
    items: dict[str, int] = {}
    for value in values:
        item_id, sep, qty = value.partition("=")
        if not sep or not item_id.strip():
            raise InvalidInput(f"--item must look like ORDER_ITEM_ID=QTY, not '{value}'.")
        try:
            count = int(qty.strip())
        except ValueError:
            raise InvalidInput(f"--item {value}: the quantity must be a whole number.") from None
        if count <= 0:
            raise InvalidInput(f"--item {value}: the quantity must be at least 1.")
        items[item_id.strip()] = items.get(item_id.strip(), 0) + count
    return items


def cmd_ship(args: argparse.Namespace) -> int:
    items = parse_items(args.item)
    with core_session(args) as core:
        pkg = record_package(
            core,
            args.order_id,
            args.carrier,
            args.tracking,
            carrier_name=args.carrier_name,
            shipping_method=args.method,
            ship_date=args.ship_date,
            items=items,
            override_cancel_request=args.override_cancel_request,
        )
        if args.json:
            print_json(
                {
                    "amazon_order_id": pkg.amazon_order_id,
                    "package_reference_id": pkg.package_reference_id,
                    "carrier_code": pkg.carrier_code,
                    "tracking_number": pkg.tracking_number,
                    "push_state": pkg.push_state,
                    "items": [{"order_item_id": i.order_item_id, "quantity": i.quantity} for i in pkg.items],
                    "station": pkg.station,  # who recorded it (issue 13)
                    "user": pkg.os_user,
                }
            )
        else:
            units = sum(i.quantity for i in pkg.items)
            print(
                f"Package {pkg.package_reference_id} for order {pkg.amazon_order_id} recorded: "
                f"{units} unit(s), "
                f"{pkg.carrier_code} {pkg.tracking_number}; queued for the tracking push."
            )
        return 0
