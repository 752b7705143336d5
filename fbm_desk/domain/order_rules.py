"""Order-level rules checked before a package is recorded (inside the packing transaction):

- **Buyer asked to cancel** (``orderItems[].cancellation.cancellationRequest``, requester BUYER): packing is
  refused unless the user explicitly overrides (``ship --override-cancel-request``, a confirm step in the pack
  dialog). The seller's answer is to cancel the order at Amazon (``order_cancel``; the order acknowledgement
  feed); packing is refused while such a cancellation is on its way or accepted.
- **Easy Ship** (``programs`` contains ``AMAZON_EASY_SHIP``): Amazon books the carrier and confirms the shipment
  with its own tracking number, so a package with our own tracking number is never recorded (and so never
  pushed). The order is handled in Seller Central's Easy Ship flow.
"""

from __future__ import annotations

from urllib.parse import quote

from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.db.domain_rows import OrderRow
from fbm_desk.domain.order_cancel import cancellation_blocks_packing
from fbm_desk.foundation.errors import InvalidInput

OVERRIDE_OPTION = "--override-cancel-request"


class CancelRequested(InvalidInput):
    """Packing refused because the buyer asked to cancel; the caller may ask the user and retry with the
    override."""


def seller_central_order_url(marketplace_id: str, amazon_order_id: str) -> str:
    """The order's page in Seller Central (Manage Orders, ``/orders-v3/order/<id>``) on the marketplace's own
    Seller Central host (the secondary link next to "Cancel order at Amazon…")."""
    market = by_id(marketplace_id)
    host = market.seller_central_host if market else "sellercentral.amazon.com"
    return f"https://{host}/orders-v3/order/{quote(amazon_order_id, safe='')}"


def check_packable(order: OrderRow, *, override_cancel_request: bool = False) -> None:
    flags = order.flags
    if flags.is_easy_ship:
        raise InvalidInput(
            f"Order {order.amazon_order_id} is an Amazon Easy Ship order: Amazon's carrier collects it and "
            "Amazon confirms the shipment with its own tracking number. Do not record your own tracking; "
            "schedule the pickup and print Amazon's label in Seller Central."
        )
    canceling = cancellation_blocks_packing(order.id)
    if canceling:
        raise InvalidInput(f"Order {order.amazon_order_id}: {canceling} Do not ship it.")
    if flags.cancel_requested and not override_cancel_request:
        raise CancelRequested(
            f"Order {order.amazon_order_id}: {flags.cancel_text or 'Buyer asked to cancel'}. Do not ship it: "
            f"cancel the order at Amazon (fbm-desk orders cancel {order.amazon_order_id} --reason buyer-canceled, "
            "or Cancel order at Amazon… in the order's details). To ship anyway, "
            f"confirm in the pack dialog or run ship with {OVERRIDE_OPTION}."
        )
