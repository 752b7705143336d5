"""``fbm-desk label …``: Buy Shipping through Amazon's Shipping API v2 (``fbm_desk.domain.buy_shipping``).

``label rates ORDER_ID --weight-g N --box NAME|--dims LxWxH-cm [--json]`` →
``[{"rate_id","carrier","service","price","currency","promise","late"}]`` (in-time rates first, then by
price; ``promise``: end of the promised delivery window, ISO 8601 UTC, or null).
``label buy ORDER_ID --rate RATE_ID --out FILE [--format pdf|png|zpl] [--json]`` →
``{"tracking_number","carrier","label_file"}``: the label is written to FILE; Amazon attaches the tracking
number to the order (no confirmShipment). ``label void ORDER_ID``: cancel the label at Amazon (within its
window); the order can be packed again. ``label boxes`` / ``label box-add`` / ``label box-remove``: box presets;
``label weight SKU GRAMS``: a product's unit weight (used when ``--weight-g`` is left out).
Exit 2: invalid input or an order that is not eligible; exit 1: Amazon refused or could not be reached.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from fbm_desk.cli.common import core_session, print_json
from fbm_desk.db import buy_shipping as boxes
from fbm_desk.db.transactions import transaction
from fbm_desk.db.warehouses import find_warehouse
from fbm_desk.domain.buy_shipping import FORMATS, buy_label, get_rates, parse_dims, void_label
from fbm_desk.foundation.errors import InvalidInput, NotFound


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "label", help="Buy Shipping: rates, buy and void shipping labels through Amazon"
    )
    sub = p.add_subparsers(dest="label_command", metavar="ACTION", required=True)
    rates = sub.add_parser("rates", help="the services Amazon offers for the order's package")
    rates.add_argument("order_id", metavar="ORDER_ID")
    rates.add_argument(
        "--weight-g", type=int, metavar="N", help="package weight in grams (default: item weights)"
    )
    rates.add_argument("--box", metavar="NAME", help="a box preset of the order's warehouse")
    rates.add_argument("--dims", metavar="LxWxH-cm", help="box size in centimetres, e.g. 30x20x10")
    rates.add_argument("--json", action="store_true", help="print JSON")
    rates.set_defaults(func=cmd_rates)
    buy = sub.add_parser("buy", help="buy a rate and write the label")
    buy.add_argument("order_id", metavar="ORDER_ID")
    buy.add_argument("--rate", required=True, metavar="RATE_ID", help="a rate_id from 'label rates'")
    buy.add_argument("--out", required=True, metavar="FILE", help="where to write the label")
    buy.add_argument(
        "--format", choices=FORMATS, help="label format (default: from FILE's extension, else pdf)"
    )
    buy.add_argument("--json", action="store_true", help="print JSON")
    buy.set_defaults(func=cmd_buy)
    void = sub.add_parser("void", help="cancel the order's label at Amazon (within the carrier's window)")
    void.add_argument("order_id", metavar="ORDER_ID")
    void.set_defaults(func=cmd_void)
    lst = sub.add_parser("boxes", help="box presets of a warehouse")
    lst.add_argument("--warehouse", metavar="NAME", help="warehouse (default: presets of every warehouse)")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_boxes)
    add = sub.add_parser("box-add", help="add or change a box preset")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--dims", required=True, metavar="LxWxH-cm", help="size in centimetres, e.g. 30x20x10")
    add.add_argument("--tare-g", type=int, default=0, metavar="N", help="the empty box's weight in grams")
    add.add_argument("--warehouse", metavar="NAME", help="only for this warehouse (default: every warehouse)")
    add.set_defaults(func=cmd_box_add)
    rem = sub.add_parser("box-remove", help="remove a box preset")
    rem.add_argument("name", metavar="NAME")
    rem.add_argument(
        "--warehouse", metavar="NAME", help="the warehouse's own preset (default: every warehouse's)"
    )
    rem.set_defaults(func=cmd_box_remove)
    weight = sub.add_parser("weight", help="set one unit's weight of a product (grams; 0 clears it)")
    weight.add_argument("sku", metavar="SKU")
    weight.add_argument("grams", type=int, metavar="GRAMS")
    weight.set_defaults(func=cmd_weight)


def cmd_rates(args: argparse.Namespace) -> int:
    with core_session(args) as core:
        found = get_rates(core, args.order_id, weight_g=args.weight_g, box=args.box, dims=args.dims)
        if args.json:
            print_json([{**r.as_json(), "price": float(r.price or 0)} for r in found.rates])
            return 0
        for r in found.rates:
            mark = "*" if r.rate_id == found.default_rate_id else " "
            late = "  LATE" if r.late else ""
            print(f"{mark} {r.rate_id}  {r.name}  {r.price} {r.currency}  by {r.promise or '?'}{late}")
        print(f"({len(found.rates)} rate(s) for {found.weight_g} g; * = suggested)")
        return 0


def _write(path: Path, data: bytes) -> None:
    """Atomically: a reader never sees half a label."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=".label-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_buy(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    fmt = args.format or (
        out.suffix.lower().lstrip(".") if out.suffix.lower().lstrip(".") in FORMATS else "pdf"
    )
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder of {out} does not exist; nothing was bought.")
    with core_session(args) as core:
        label = buy_label(core, args.order_id, args.rate, fmt)
        try:
            if fmt == "pdf" and label.format == "PNG":  # Amazon offered no PDF: the PNG on a 4x6 PDF page
                from fbm_desk.printing.render import headless_app
                from fbm_desk.printing.shipping_label import write_label_pdf

                headless_app()
                write_label_pdf(out, label.format, label.document)
            else:
                _write(out, label.document)
        except OSError as exc:
            raise InvalidInput(
                f"The label was bought (tracking {label.tracking_number}) but {out} could not be written "
                f"({exc.strerror}); print it again from the pack dialog."
            ) from exc
        if args.json:
            print_json(
                {"tracking_number": label.tracking_number, "carrier": label.carrier, "label_file": str(out)}
            )
        else:
            print(f"Label bought: {label.carrier} {label.service}, tracking {label.tracking_number} → {out}")
        return 0


def cmd_void(args: argparse.Namespace) -> int:
    with core_session(args) as core:
        label = void_label(core, args.order_id)
        print(f"Label {label.tracking_number} voided at Amazon; order {args.order_id} can be packed again.")
        return 0


def _warehouse_id(name: str | None) -> int | None:
    return find_warehouse(name).id if name else None


def cmd_boxes(args: argparse.Namespace) -> int:
    with core_session(args):
        rows = boxes.list_boxes(_warehouse_id(args.warehouse))
        if args.json:
            print_json([{"name": b.name, "dims_cm": [b.length_cm, b.width_cm, b.height_cm], "tare_g": b.tare_g,
                         "all_warehouses": b.warehouse_id is None} for b in rows])  # fmt: skip
        for b in [] if args.json else rows:
            print(f"{b.name}  {b.length_cm:g}x{b.width_cm:g}x{b.height_cm:g} cm  {b.tare_g} g")
        return 0


def cmd_box_add(args: argparse.Namespace) -> int:
    with core_session(args), transaction(immediate=True):
        boxes.save_box(_warehouse_id(args.warehouse), args.name, parse_dims(args.dims), args.tare_g)
    print(f"Box '{args.name.strip()}' saved.")
    return 0


def cmd_box_remove(args: argparse.Namespace) -> int:
    with core_session(args), transaction(immediate=True):
        if not boxes.remove_box(_warehouse_id(args.warehouse), args.name):
            raise NotFound(f"There is no box '{args.name}' to remove.")
    print(f"Box '{args.name.strip()}' removed.")
    return 0


def cmd_weight(args: argparse.Namespace) -> int:
    with core_session(args), transaction(immediate=True):
        if not boxes.set_product_weight(args.sku, args.grams or None):
            raise NotFound(f"There is no product with SKU '{args.sku}'.")
    print(f"{args.sku}: {args.grams} g per unit." if args.grams else f"{args.sku}: weight cleared.")
    return 0
