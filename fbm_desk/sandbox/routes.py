"""The SP-API routes the sandbox serves: (method, path pattern, operationId, handler)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from fbm_desk.sandbox import (
    api_feeds,
    api_listings,
    api_orders,
    api_reports,
    api_sellers,
    api_shipping,
    api_shipping_labels,
)
from fbm_desk.sandbox.http_util import Request, Response
from fbm_desk.sandbox.world import World

Handler = Callable[[World, Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    operation: str
    handler: Handler


def _r(method: str, path: str, operation: str, handler: Handler) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return Route(method, re.compile(f"^{regex}$"), operation, handler)


_ITEM = "/listings/2021-08-01/items/{sellerId}/{sku}"
ROUTES: tuple[Route, ...] = (
    _r("GET", "/orders/2026-01-01/orders", "searchOrders", api_orders.search_orders),
    _r("GET", "/orders/2026-01-01/orders/{orderId}", "getOrder", api_orders.get_order),
    _r(
        "POST",
        "/orders/v0/orders/{orderId}/shipmentConfirmation",
        "confirmShipment",
        api_orders.confirm_shipment,
    ),
    _r("POST", "/reports/2021-06-30/reports", "createReport", api_reports.create_report),
    _r("GET", "/reports/2021-06-30/reports/{reportId}", "getReport", api_reports.get_report),
    _r(
        "GET",
        "/reports/2021-06-30/documents/{reportDocumentId}",
        "getReportDocument",
        api_reports.get_report_document,
    ),
    _r(
        "GET",
        "/listings/2021-08-01/items/{sellerId}",
        "searchListingsItems",
        api_listings.search_listings_items,
    ),
    _r("GET", _ITEM, "getListingsItem", api_listings.get_listings_item),
    _r("PATCH", _ITEM, "patchListingsItem", api_listings.patch_listings_item),
    _r("POST", "/feeds/2021-06-30/documents", "createFeedDocument", api_feeds.create_feed_document),
    _r("POST", "/feeds/2021-06-30/feeds", "createFeed", api_feeds.create_feed),
    _r("GET", "/feeds/2021-06-30/feeds/{feedId}", "getFeed", api_feeds.get_feed),
    _r("GET", "/feeds/2021-06-30/documents/{feedDocumentId}", "getFeedDocument", api_feeds.get_feed_document),
    _r(
        "GET",
        "/sellers/v1/marketplaceParticipations",
        "getMarketplaceParticipations",
        api_sellers.get_marketplace_participations,
    ),
    _r("POST", "/shipping/v2/shipments/rates", "getRates", api_shipping.get_rates),
    _r("POST", "/shipping/v2/shipments", "purchaseShipment", api_shipping_labels.purchase_shipment),
    _r(
        "GET",
        "/shipping/v2/shipments/{shipmentId}/documents",
        "getShipmentDocuments",
        api_shipping_labels.get_shipment_documents,
    ),
    _r(
        "PUT",
        "/shipping/v2/shipments/{shipmentId}/cancel",
        "cancelShipment",
        api_shipping_labels.cancel_shipment,
    ),
    _r("GET", "/shipping/v2/tracking", "getTracking", api_shipping_labels.get_tracking),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for this request and its URL-decoded path parameters; None when nothing matches."""
    for route in ROUTES:
        found = route.pattern.match(path)
        if found and route.method == method:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def path_known(path: str) -> bool:
    return any(route.pattern.match(path) for route in ROUTES)
