"""The SP-API client facade: one object per connected store (seller + region).

Public surface (stable; the sync and connect-store code codes against this)::

    client = SpApiClient(config, refresh_token=... | connection=store_connection, selling_partner_id=...,
                         region="NA", limiter=shared_limiter, session=None, cancel=threading.Event())
    client.search_orders(marketplace_ids, last_updated_after=dt | created_after=dt,
                         last_updated_before=None, fulfillment_statuses=(),
                         included_data=DEFAULT_INCLUDED_DATA, max_results_per_page=100,
                         ) -> Iterator[OrdersPage]      # fulfilledBy=MERCHANT always
    client.get_order(order_id) -> AmazonOrder
    client.confirm_shipment(order_id, marketplace_id, ShipmentConfirmation) -> None     # 204 = done
    client.fetch_listings_report(marketplace_id, *, max_wait_s=1800.0) -> list[ListingRow]  # no FBA rows
    client.search_new_listings(marketplace_id, created_after) -> Iterator[ListingRow]
    client.get_listing(marketplace_id, sku) -> ListingRow
    client.patch_quantity(marketplace_id, sku, product_type, quantity) -> PatchResult
    client.submit_quantity_feed(marketplace_id, updates, wait_s) -> FeedResult
    client.poll_quantity_feed(feed_id, skus_by_message, wait_s=0.0) -> FeedResult
    client.cancel_order(marketplace_id, order_id, reason, item_codes, wait_s, on_submitted) -> CancellationResult
    client.marketplace_participations() -> list[MarketplaceParticipation]
    client.shipping_rates(marketplace_id, amazon_order_id, ship_from, parcel) -> RateQuote   # Buy Shipping
    client.purchase_label(marketplace_id, request_token, rate_id, document, key, services=()) -> PurchasedLabel
    client.label_document(marketplace_id, shipment_id, package_reference, fmt) -> LabelDocument
    client.void_label(marketplace_id, shipment_id) -> None
    client.stats -> CallStats  # api_calls, throttled, throttle_wait_s, request_ids; stats.reset()

    exchange_authorization_code(config, code, redirect_uri) -> TokenGrant   # TokenExchangeFailed on error
    build_consent_url(config, marketplace, state, redirect_uri="") -> str

Errors (``fbm_desk.amazon.errors``): AuthorizationRevoked (reconnect), AccessDenied, AmazonUnavailable
(retries exhausted), AmazonRejected (400, Amazon's message in ``amazon_message``), AmazonNotFound,
MalformedResponse, Cancelled (the cancel event was set).
Share one ``RateLimiter`` per process between all clients, and one ``StoreConnection`` per store between its
runs (``CoreServices.client_for`` does both).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from urllib.parse import urlencode

import requests

from fbm_desk.amazon import feeds, listings, order_feeds, orders, reports, sellers, shipping
from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.connection import StoreConnection
from fbm_desk.amazon.http import CallStats, SpApiTransport
from fbm_desk.amazon.lwa import LwaClient
from fbm_desk.amazon.marketplaces import Marketplace
from fbm_desk.amazon.orders import DEFAULT_INCLUDED_DATA
from fbm_desk.amazon.ratelimit import RateLimiter
from fbm_desk.amazon.shipping_types import (
    DocumentSpec,
    LabelDocument,
    Parcel,
    PurchasedLabel,
    RateQuote,
    ShipAddress,
)
from fbm_desk.amazon.types import (
    AmazonOrder,
    CancellationResult,
    FeedResult,
    ListingRow,
    MarketplaceParticipation,
    OrdersPage,
    PatchResult,
    QuantityUpdate,
    ShipmentConfirmation,
    TokenGrant,
)

__all__ = [
    "DEFAULT_INCLUDED_DATA",
    "CallStats",
    "SpApiClient",
    "StoreConnection",
    "build_consent_url",
    "exchange_authorization_code",
]


class SpApiClient:
    """SP-API operations for one seller in one region, for one job run (or one check).

    Built on a ``StoreConnection`` (``connection=``) the client borrows the store's session and access token
    and owns only its cancel event and its ``stats``: a new client per run keeps the counters per run while
    the token and the open connections live as long as the process. Built from a ``refresh_token`` it makes
    (and closes) its own connection. Thread-compatible: one client per job/thread.
    """

    def __init__(
        self,
        config: SpApiConfig,
        *,
        selling_partner_id: str,
        region: str,
        refresh_token: str = "",
        connection: StoreConnection | None = None,
        limiter: RateLimiter | None = None,
        session: requests.Session | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        if (connection is None) == (not refresh_token):
            raise ValueError("give either refresh_token or connection")
        self.config = config
        self.selling_partner_id = selling_partner_id
        self.region = region
        self._owned = connection is None
        self.connection = connection or StoreConnection(config, refresh_token, session=session)
        self.limiter = limiter or RateLimiter(speedup=config.speedup)
        self.tokens = self.connection.tokens
        self.stats = CallStats()
        self.transport = SpApiTransport(
            config,
            self.tokens,
            self.limiter,
            selling_partner_id=selling_partner_id,
            region=region,
            session=self.connection.session,
            cancel=cancel,
            stats=self.stats,
        )

    def __repr__(self) -> str:  # no tokens
        return f"SpApiClient(selling_partner_id={self.selling_partner_id!r}, region={self.region!r})"

    def close(self) -> None:
        """Close the HTTP connections if this client made them; a borrowed connection stays open for its
        owner (``CoreServices``) to close. The client can be used as a context manager too."""
        if self._owned:
            self.connection.close()

    def __enter__(self) -> SpApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Orders --------------------------------------------------------------------------------------------
    def search_orders(
        self,
        marketplace_ids: Sequence[str],
        *,
        last_updated_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        created_after: datetime | None = None,
        fulfillment_statuses: Sequence[str] = (),
        included_data: Sequence[str] = DEFAULT_INCLUDED_DATA,
        max_results_per_page: int = 100,
    ) -> Iterator[OrdersPage]:
        """Merchant-fulfilled orders, page by page (exactly one of last_updated_after / created_after)."""
        return orders.search_orders(
            self.transport,
            marketplace_ids,
            last_updated_after=last_updated_after,
            last_updated_before=last_updated_before,
            created_after=created_after,
            fulfillment_statuses=fulfillment_statuses,
            included_data=included_data,
            max_results_per_page=max_results_per_page,
        )

    def get_order(self, order_id: str) -> AmazonOrder:
        """One order (v2026-01-01) with its items, recipient, proceeds and packages."""
        return orders.get_order(self.transport, order_id)

    def confirm_shipment(
        self, order_id: str, marketplace_id: str, confirmation: ShipmentConfirmation
    ) -> None:
        """Orders v0 confirmShipment. Raises AmazonRejected with Amazon's message on 400."""
        orders.confirm_shipment(self.transport, order_id, marketplace_id, confirmation)

    # Listings ------------------------------------------------------------------------------------------
    def fetch_listings_report(self, marketplace_id: str, *, max_wait_s: float = 1800.0) -> list[ListingRow]:
        """GET_MERCHANT_LISTINGS_ALL_DATA, merchant rows only. CANCELLED (no data) gives an empty list."""
        return reports.fetch_listings_report(self.transport, marketplace_id, max_wait_s=max_wait_s)

    def search_new_listings(self, marketplace_id: str, created_after: datetime) -> Iterator[ListingRow]:
        """Listings created at or after ``created_after`` (searchListingsItems, oldest first)."""
        return listings.search_new_listings(
            self.transport, self.selling_partner_id, marketplace_id, created_after
        )

    def read_listings(self, marketplace_id: str, skus: list[str]) -> list[ListingRow]:
        """Up to 20 listings by seller SKU in one searchListingsItems call (summaries only)."""
        return listings.read_listings(self.transport, self.selling_partner_id, marketplace_id, skus)

    def get_listing(self, marketplace_id: str, sku: str) -> ListingRow:
        return listings.get_listing(self.transport, self.selling_partner_id, marketplace_id, sku)

    def patch_quantity(self, marketplace_id: str, sku: str, product_type: str, quantity: int) -> PatchResult:
        """Set the merchant (DEFAULT channel) quantity of one SKU with a JSON-patch merge."""
        return listings.patch_quantity(
            self.transport, self.selling_partner_id, marketplace_id, sku, product_type, quantity
        )

    def submit_quantity_feed(
        self, marketplace_id: str, updates: Sequence[QuantityUpdate], wait_s: float
    ) -> FeedResult:
        """Bulk quantities via JSON_LISTINGS_FEED; waits up to ``wait_s`` for the processing report."""
        return feeds.submit_quantity_feed(
            self.transport, self.selling_partner_id, marketplace_id, updates, wait_s=wait_s
        )

    def poll_quantity_feed(
        self, feed_id: str, skus_by_message: dict[int, str], wait_s: float = 0.0
    ) -> FeedResult:
        """An earlier quantity feed: getFeed (once when ``wait_s`` is 0), its processing report when DONE."""
        return feeds.wait_for_feed(self.transport, feed_id, skus_by_message, wait_s=wait_s)

    def cancel_order(
        self,
        marketplace_id: str,
        amazon_order_id: str,
        reason: str,
        item_codes: Sequence[str],
        wait_s: float = 1800.0,
        on_submitted: Callable[[str], None] | None = None,
    ) -> CancellationResult:
        """Cancel the whole order with one POST_ORDER_ACKNOWLEDGEMENT_DATA feed (StatusCode Failure, every item
        with ``reason``, one of ``order_feeds.CANCEL_REASONS``); waits up to ``wait_s`` for the report.
        ``on_submitted(feed_id)`` runs once Amazon has the feed."""
        return order_feeds.cancel_order(
            self.transport,
            self.selling_partner_id,
            marketplace_id,
            amazon_order_id,
            reason,
            item_codes,
            wait_s=wait_s,
            on_submitted=on_submitted,
        )

    # Sellers -------------------------------------------------------------------------------------------
    def marketplace_participations(self) -> list[MarketplaceParticipation]:
        """Marketplaces this authorization covers (known marketplaces only): the connection check."""
        return sellers.marketplace_participations(self.transport)

    # Buy Shipping (Shipping API v2) ----------------------------------------------------------------------
    def shipping_rates(
        self, marketplace_id: str, amazon_order_id: str, ship_from: ShipAddress, parcel: Parcel
    ) -> RateQuote:
        """getRates for one package of an Amazon order (channel AMAZON)."""
        return shipping.get_rates(self.transport, marketplace_id, amazon_order_id, ship_from, parcel)

    def purchase_label(
        self,
        marketplace_id: str,
        request_token: str,
        rate_id: str,
        document: DocumentSpec,
        idempotency_key: str,
        services: Sequence[str] = (),
    ) -> PurchasedLabel:
        """purchaseShipment: buy the rate; Amazon attaches the tracking number to the order."""
        return shipping.purchase_shipment(
            self.transport, marketplace_id, request_token, rate_id, document, idempotency_key, services
        )

    def label_document(
        self, marketplace_id: str, shipment_id: str, package_reference: str, fmt: str
    ) -> LabelDocument:
        """getShipmentDocuments: a purchased label again, in another format."""
        return shipping.get_shipment_documents(
            self.transport, marketplace_id, shipment_id, package_reference, fmt
        )

    def void_label(self, marketplace_id: str, shipment_id: str) -> None:
        """cancelShipment within the carrier's void window."""
        shipping.cancel_shipment(self.transport, marketplace_id, shipment_id)


def exchange_authorization_code(
    config: SpApiConfig, code: str, redirect_uri: str, *, session: requests.Session | None = None
) -> TokenGrant:
    """Exchange ``spapi_oauth_code`` (valid 5 minutes, single use) for a refresh token."""
    if session is not None:
        return LwaClient(config, session).exchange_code(code, redirect_uri)
    with requests.Session() as own:
        return LwaClient(config, own).exchange_code(code, redirect_uri)


def build_consent_url(
    config: SpApiConfig, marketplace: Marketplace, state: str, redirect_uri: str = ""
) -> str:
    """Seller Central consent URL for the website authorization workflow (spapi-notes §2.1)."""
    query: dict[str, str] = {"application_id": config.application_id, "state": state}
    if redirect_uri:
        query["redirect_uri"] = redirect_uri
    if config.send_version_beta:
        query["version"] = "beta"
    return f"{config.seller_central_for(marketplace)}/apps/authorize/consent?{urlencode(query)}"
