"""``fbm-desk products list [--store NAME] --json`` and ``products set SKU [--bin BIN] [--low-stock N]``.

Public contract (issue 5): [{"store","sku","asin","title","status","fulfillment_channel","amazon_quantity"}]
Issue 17: ``products set SKU --bin A-03-2 --low-stock 5`` (``--bin ""`` clears the bin, ``--no-low-stock``
removes the alert) prints {"sku","bin","low_stock","available","low"} with ``--json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_json, print_rows, store_filter
from fbm_desk.db.domain_rows import ListingRecord
from fbm_desk.db.listings import list_listings
from fbm_desk.db.product_places import set_product_place
from fbm_desk.db.stock import StockRow
from fbm_desk.foundation.errors import InvalidInput


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("products", help="list Amazon listings (products) of the stores")
    sub = p.add_subparsers(dest="products_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="list listings")
    lst.add_argument("--store", metavar="NAME", help="only this store")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)
    put = sub.add_parser("set", help="set a product's bin location and low-stock level")
    put.add_argument("sku", metavar="SKU", help="warehouse SKU (or an Amazon SKU mapped to it)")
    put.add_argument("--bin", metavar="BIN", help='bin location, e.g. A-03-2 ("" clears it)')
    level = put.add_mutually_exclusive_group()
    level.add_argument("--low-stock", metavar="N", type=int, help="alert when available falls to N or below")
    level.add_argument("--no-low-stock", action="store_true", help="no low-stock alert for this product")
    put.add_argument("--json", action="store_true", help="print JSON")
    put.set_defaults(func=cmd_set)


def _listing_json(r: ListingRecord) -> dict[str, object]:
    return {
        "store": r.store_name,
        "sku": r.seller_sku,
        "asin": r.asin,
        "title": r.title,
        "status": r.status,
        "fulfillment_channel": r.fulfillment_channel,
        "amazon_quantity": r.amazon_quantity,
    }


def _listing_text(r: ListingRecord) -> str:
    qty = "-" if r.amazon_quantity is None else str(r.amazon_quantity)
    return "  ".join((r.store_name, r.seller_sku, r.asin, r.status, r.fulfillment_channel, qty, r.title))


def cmd_list(args: argparse.Namespace) -> int:
    with core_session(args):
        print_rows(list_listings(store_filter(args.store)), args.json, _listing_json, _listing_text)
        return 0


def place_json(r: StockRow) -> dict[str, object]:
    return {"sku": r.sku, "bin": r.bin, "low_stock": r.low_stock, "available": r.available, "low": r.is_low}


def cmd_set(args: argparse.Namespace) -> int:
    changes: dict[str, object] = {}
    if args.bin is not None:
        changes["bin"] = args.bin
    if args.no_low_stock:
        changes["low_stock"] = None
    elif args.low_stock is not None:
        changes["low_stock"] = args.low_stock
    if not changes:
        raise InvalidInput("Nothing to set: give --bin, --low-stock or --no-low-stock.")
    with core_session(args):
        row = set_product_place(args.sku, **changes)
        level = "no low-stock alert" if row.low_stock is None else f"low stock at {row.low_stock}"
        if args.json:
            print_json(place_json(row))
        else:
            print(f"{row.sku}  bin {row.bin or '-'}  {level}  {row.available} available")
        return 0
