"""``fbm-desk products list [--store NAME] --json``.

Public contract (issue 5): [{"store","sku","asin","title","status","fulfillment_channel","amazon_quantity"}]
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import open_core, print_json
from fbm_desk.db import stores as store_db
from fbm_desk.db.listings import list_listings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("products", help="list Amazon listings (products) of the stores")
    sub = p.add_subparsers(dest="products_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="list listings")
    lst.add_argument("--store", metavar="NAME", help="only this store")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    core = open_core(args)
    try:
        store_id = store_db.find_store(args.store).id if args.store else None
        listings = list_listings(store_id)
        if args.json:
            print_json(
                [
                    {
                        "store": r.store_name,
                        "sku": r.seller_sku,
                        "asin": r.asin,
                        "title": r.title,
                        "status": r.status,
                        "fulfillment_channel": r.fulfillment_channel,
                        "amazon_quantity": r.amazon_quantity,
                    }
                    for r in listings
                ]
            )
        else:
            for r in listings:
                qty = "-" if r.amazon_quantity is None else str(r.amazon_quantity)
                fields = (r.store_name, r.seller_sku, r.asin, r.status, r.fulfillment_channel, qty, r.title)
                print("  ".join(fields))
        return 0
    finally:
        core.close()
