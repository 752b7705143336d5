"""Control methods (``/_sandbox/<method>``) for order details Amazon sets: a buyer's cancellation request,
programs (Premium, pre-order, Easy Ship, store pickup), related orders, the buyer's PO number and address
details. A mixin of ``World``; every change bumps the order's ``lastUpdatedTime`` like Amazon."""

from __future__ import annotations

import threading
from typing import Any

from fbm_desk.sandbox.model import Order

PROGRAMS = frozenset(
    {
        "AMAZON_BAZAAR",
        "AMAZON_BUSINESS",
        "AMAZON_EASY_SHIP",
        "AMAZON_HAUL",
        "DELIVERY_BY_AMAZON",
        "FBM_SHIP_PLUS",
        "INVOICE_BY_AMAZON",
        "IN_STORE_PICK_UP",
        "PREMIUM",
        "PREORDER",
        "PRIME",
    }
)
ADDRESS_TYPES = frozenset({"RESIDENTIAL", "COMMERCIAL", "PICKUP_POINT"})
ASSOCIATION_TYPES = frozenset({"REPLACEMENT_ORIGINAL_ID", "EXCHANGE_ORIGINAL_ID"})
_EXTENDED = frozenset({"streetName", "streetNumber", "complement", "neighborhood"})


class OrderDetailControls:
    lock: threading.RLock

    def _order(self, order_id: str) -> Order:
        raise NotImplementedError

    def touch(self, order: Order) -> None:
        raise NotImplementedError

    def request_cancellation(
        self, order_id: str, reason: str = "Order created by mistake", order_item_ids: list[str] | None = None
    ) -> None:
        """The buyer asks to cancel (all items, or the given ones); the order stays open until the seller
        cancels it."""
        with self.lock:
            order = self._order(order_id)
            if order.status in ("SHIPPED", "CANCELLED"):
                raise ValueError(
                    f"order {order_id} is {order.status}: a cancellation request is not possible"
                )
            for item in order.items:
                if order_item_ids is None or item.order_item_id in order_item_ids:
                    item.cancel_request = reason
            self.touch(order)

    def withdraw_cancellation(self, order_id: str) -> None:
        with self.lock:
            order = self._order(order_id)
            for item in order.items:
                item.cancel_request = None
            self.touch(order)

    def set_order_details(
        self,
        order_id: str,
        *,
        programs: list[str] | None = None,
        associated_orders: list[dict[str, str]] | None = None,
        buyer_po_number: str | None = None,
        address: dict[str, Any] | None = None,
    ) -> None:
        """Set what Amazon would have set at checkout (``address``: districtOrCounty, municipality,
        addressType, extendedFields, deliveryPreference)."""
        with self.lock:
            order = self._order(order_id)
            if programs is not None:
                bad = set(programs) - PROGRAMS
                if bad:
                    raise ValueError(f"unknown program(s) {sorted(bad)}")
                order.programs = list(programs)
            if associated_orders is not None:
                if any(a.get("associationType") not in ASSOCIATION_TYPES for a in associated_orders):
                    raise ValueError(f"associationType must be one of {sorted(ASSOCIATION_TYPES)}")
                order.associated_orders = [dict(a) for a in associated_orders]
            if buyer_po_number is not None:
                order.buyer_po_number = buyer_po_number
            if address:
                _set_address(order, address)
            self.touch(order)


def _set_address(order: Order, fields: dict[str, Any]) -> None:
    a = order.address
    kind = fields.get("addressType", a.address_type)
    if kind not in ADDRESS_TYPES:
        raise ValueError(f"addressType must be one of {sorted(ADDRESS_TYPES)}")
    extended = fields.get("extendedFields", a.extended)
    if set(extended) - _EXTENDED:
        raise ValueError(f"extendedFields may only hold {sorted(_EXTENDED)}")
    a.address_type = kind
    a.extended = dict(extended)
    a.district_or_county = str(fields.get("districtOrCounty", a.district_or_county))
    a.municipality = str(fields.get("municipality", a.municipality))
    a.delivery_preference = dict(fields.get("deliveryPreference", a.delivery_preference))
