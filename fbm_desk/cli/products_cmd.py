"""``fbm-desk products list [--store NAME] --json``.

Public contract (issue 5): [{"store","sku","asin","title","status","fulfillment_channel","amazon_quantity"}]
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_rows, store_filter
from fbm_desk.db.domain_rows import ListingRecord
from fbm_desk.db.listings import list_listings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("products", help="list Amazon listings (products) of the stores")
    sub = p.add_subparsers(dest="products_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="list listings")
    lst.add_argument("--store", metavar="NAME", help="only this store")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)


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
