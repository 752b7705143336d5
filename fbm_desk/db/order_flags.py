"""What an order carries beyond items and address lines, as stored columns and as one frozen row part.

Written from Amazon's order on every sight (``fbm_desk.db.order_import``): the buyer's cancellation request
(cleared again when Amazon no longer reports it), the order's programs (Premium, pre-order, Easy Ship, store
pickup, ...), related orders (a replacement names its original), the buyer's PO number; with the address:
district/county, municipality, address type (pickup point) and Brazil's extended fields, and the buyer's
delivery preferences. Read by the Orders tab, the order detail, the pack dialog, packing rules and the CLI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fbm_desk.amazon.types import AmazonOrder
from fbm_desk.db.pii import reveal

EASY_SHIP = "AMAZON_EASY_SHIP"
EXTRA_ADDRESS_COLUMNS: tuple[str, ...] = (
    "ship_district",
    "ship_municipality",
    "ship_address_type",
    "ship_extended",
    "delivery_instructions",
)
_PROGRAM_BADGES = (
    ("PREMIUM", "Premium"),
    ("PREORDER", "Pre-order"),
    (EASY_SHIP, "Easy Ship"),
    ("IN_STORE_PICK_UP", "Store pickup"),
)
_ASSOCIATION = {"REPLACEMENT_ORIGINAL_ID": "Replacement for", "EXCHANGE_ORIGINAL_ID": "Exchange for"}


def order_flag_fields(a: AmazonOrder) -> dict[str, object]:
    """Columns refreshed on every sight of the order (a withdrawn cancellation request clears the flag)."""
    reasons = list(dict.fromkeys(reason.strip() for _, reason in a.cancel_requests if reason.strip()))
    return {
        "cancel_requested": bool(a.cancel_requests),
        "cancel_reason": "; ".join(reasons),
        "programs": ",".join(a.programs),
        "associated_orders": ",".join(f"{oid}:{kind}" for oid, kind in a.associated_orders),
        "buyer_po_number": a.buyer_po_number,
    }


def address_flag_fields(a: AmazonOrder) -> dict[str, str]:
    """Extra address columns, written together with the address (never blanked by an order without one)."""
    addr = a.address
    assert addr is not None
    return {
        "ship_district": addr.district_or_county,
        "ship_municipality": addr.municipality,
        "ship_address_type": addr.address_type,
        "ship_extended": json.dumps(dict(addr.extended), ensure_ascii=False) if addr.extended else "",
        "delivery_instructions": addr.delivery_instructions,
    }


@dataclass(frozen=True)
class OrderFlags:
    cancel_requested: bool = False
    cancel_reason: str = ""
    programs: tuple[str, ...] = ()
    associated_orders: tuple[tuple[str, str], ...] = ()  # (Amazon order id, associationType)
    buyer_po_number: str = ""
    district: str = ""
    municipality: str = ""
    address_type: str = ""  # RESIDENTIAL | COMMERCIAL | PICKUP_POINT
    extended: tuple[tuple[str, str], ...] = ()  # Brazil: streetName, streetNumber, complement, neighborhood
    delivery_instructions: str = ""

    @property
    def is_easy_ship(self) -> bool:
        return EASY_SHIP in self.programs

    @property
    def cancel_text(self) -> str:
        """'Buyer asked to cancel' with the reason (empty when there is no request)."""
        if not self.cancel_requested:
            return ""
        return "Buyer asked to cancel" + (f": {self.cancel_reason}" if self.cancel_reason else "")

    def badges(self) -> tuple[str, ...]:
        """Short labels for the Orders tab, the detail panel and the pack dialog (most urgent first)."""
        out = ["Buyer asked to cancel"] if self.cancel_requested else []
        out += [label for code, label in _PROGRAM_BADGES if code in self.programs]
        out += [f"{_ASSOCIATION.get(kind, 'Related to')} {oid}" for oid, kind in self.associated_orders]
        if self.address_type == "PICKUP_POINT":
            out.append("Pickup point")
        if self.buyer_po_number:
            out.append(f"PO {self.buyer_po_number}")
        return tuple(out)


def flags_from(
    cancel_requested: Any,
    cancel_reason: str,
    programs: str,
    associated_orders: str,
    buyer_po_number: str,
    address_type: str,
    *,
    district: str = "",
    municipality: str = "",
    extended: str = "",
    delivery_instructions: str = "",
) -> OrderFlags:
    """OrderFlags from the stored column values (the list query reads only the first six)."""
    associated = []
    for part in filter(None, str(associated_orders).split(",")):
        oid, _, kind = part.partition(":")
        associated.append((oid, kind))
    try:
        ext = json.loads(extended) if extended else {}
    except ValueError:
        ext = {}
    return OrderFlags(
        cancel_requested=bool(cancel_requested),
        cancel_reason=cancel_reason or "",
        programs=tuple(filter(None, str(programs).split(","))),
        associated_orders=tuple(associated),
        buyer_po_number=buyer_po_number or "",
        district=district or "",
        municipality=municipality or "",
        address_type=address_type or "",
        extended=tuple((str(k), str(v)) for k, v in ext.items()) if isinstance(ext, dict) else (),
        delivery_instructions=delivery_instructions or "",
    )


FLAG_COLUMNS_SQL = "o.cancel_requested, o.cancel_reason, o.programs, o.associated_orders, o.buyer_po_number, o.ship_address_type"


def flags_of(o: Any) -> OrderFlags:
    """OrderFlags from an ``orders`` model row (``fbm_desk.db.models.Order``)."""
    return flags_from(
        o.cancel_requested,
        o.cancel_reason,
        o.programs,
        o.associated_orders,
        o.buyer_po_number,
        o.ship_address_type,
        district=o.ship_district,
        municipality=o.ship_municipality,
        extended=reveal("ship_extended", o.ship_extended),
        delivery_instructions=reveal("delivery_instructions", o.delivery_instructions),
    )
