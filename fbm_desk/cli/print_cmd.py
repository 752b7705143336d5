"""``fbm-desk print pick-list|slips``: pick lists and packing slips as PDF files, headless.

    print pick-list (--orders ID[,ID…] | --filter NAME) --out FILE.pdf [--size letter|a4|4x6]
    print slips --orders ID[,ID…] --out FILE.pdf [--size letter|a4|4x6]

IDs are Amazon order ids. ``--filter NAME`` takes the Orders tab's quick-filter names (``QuickFilter``).
Exit 2 for an unknown order id or filter (nothing is written), 0 with "Wrote N page(s) to FILE" on stdout.
Drawing needs Qt: ``fbm_desk.printing`` is imported only when a document is written (offscreen when there is
no display), so the other commands never load Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from fbm_desk.cli.common import core_session
from fbm_desk.db import paper
from fbm_desk.db.order_views import QuickFilter
from fbm_desk.foundation.errors import InvalidInput

SIZES = ("letter", "a4", "4x6")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("print", help="write pick lists and packing slips as PDF")
    sub = p.add_subparsers(dest="print_command", metavar="DOCUMENT", required=True)
    pick = sub.add_parser("pick-list", help="units to pick per SKU with bin locations, sorted by bin")
    which = pick.add_mutually_exclusive_group(required=True)
    which.add_argument("--orders", metavar="ID[,ID…]", help="Amazon order ids, comma-separated")
    which.add_argument(
        "--filter",
        metavar="NAME",
        choices=[q.value for q in QuickFilter],
        help="the orders of an Orders-tab filter: " + " | ".join(q.value for q in QuickFilter),
    )
    slips = sub.add_parser("slips", help="one packing slip per order (ship-to, items, order id barcode)")
    slips.add_argument(
        "--orders", metavar="ID[,ID…]", required=True, help="Amazon order ids, comma-separated"
    )
    for parser in (pick, slips):
        parser.add_argument("--out", metavar="FILE.pdf", required=True, help="the PDF file to write")
        parser.add_argument(
            "--size", choices=SIZES, default="letter", help="paper: letter (default) | a4 | 4x6"
        )
    pick.set_defaults(func=cmd_pick_list)
    slips.set_defaults(func=cmd_slips)


def _order_ids(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise InvalidInput("--orders needs at least one Amazon order id.")
    return ids


def _out(path: str) -> Path:
    out = Path(path)
    if out.is_dir():
        raise InvalidInput(f"--out {path} is a folder; give a file name like picklist.pdf.")
    if not out.parent.exists():
        raise InvalidInput(f"The folder of --out {path} does not exist.")
    return out


def cmd_pick_list(args: argparse.Namespace) -> int:
    out = _out(args.out)
    with core_session(args):
        if args.orders is not None:
            names = _order_ids(args.orders)
            ids = paper.resolve_order_ids(names)
        else:
            ids = paper.filter_order_ids(args.filter)
            names = paper.amazon_ids(ids)
        pick = paper.pick_list(ids, names)
        from fbm_desk.printing.output import pick_list_pdf  # Qt, only now

        pages = pick_list_pdf(pick, out, args.size)
    print(f"Wrote a pick list of {len(pick.lines)} SKU(s) for {len(ids)} order(s), {pages} page(s), to {out}")
    return 0


def cmd_slips(args: argparse.Namespace) -> int:
    out = _out(args.out)
    with core_session(args):
        ids = paper.resolve_order_ids(_order_ids(args.orders))
        slips = paper.slips(ids)
        from fbm_desk.printing.output import slips_pdf  # Qt, only now

        pages = slips_pdf(slips, out, args.size)
    print(f"Wrote {len(slips)} packing slip(s), {pages} page(s), to {out}")
    return 0
