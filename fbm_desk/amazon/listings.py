"""Listings Items 2021-08-01: new listings since a time, one listing, and the MFN quantity patch."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fbm_desk.amazon._parse import arr, integer, iso_z, text, when
from fbm_desk.amazon.errors import MalformedResponse
from fbm_desk.amazon.http import SpApiTransport
from fbm_desk.amazon.types import ListingIssue, ListingRow, PatchResult
from fbm_desk.foundation.errors import InvalidInput

log = logging.getLogger(__name__)

BASE = "/listings/2021-08-01/items"
PAGE_SIZE = 20  # the model's maximum
READ_INCLUDED_DATA = ("summaries", "offers", "fulfillmentAvailability")
QUANTITY_PATH = "/attributes/fulfillment_availability"


def _item_path(seller_id: str, sku: str | None = None) -> str:
    path = f"{BASE}/{quote(seller_id, safe='')}"
    return path if sku is None else f"{path}/{quote(sku, safe='')}"


def quantity_patch(product_type: str, quantity: int) -> dict[str, Any]:
    """JSON-patch ``merge`` of the DEFAULT (merchant) channel quantity; other attribute fields are kept."""
    if quantity < 0:
        raise InvalidInput("A quantity cannot be negative.")
    if not product_type:
        raise InvalidInput("The listing's product type is unknown; import products first.")
    return {
        "productType": product_type,
        "patches": [
            {
                "op": "merge",
                "path": QUANTITY_PATH,
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": int(quantity)}],
            }
        ],
    }


def parse_item(raw: Any, marketplace_id: str) -> ListingRow:
    """A listings ``Item`` -> ListingRow (summary of ``marketplace_id`` preferred, else the first one)."""
    sku = text(raw, "sku")
    if not sku:
        raise MalformedResponse("Amazon sent a listing without its SKU.", operation="searchListingsItems")
    summaries = [s for s in arr(raw, "summaries") if isinstance(s, dict)]
    summary = next((s for s in summaries if s.get("marketplaceId") == marketplace_id), None)
    if summary is None:
        summary = summaries[0] if summaries else {}
    availability = [a for a in arr(raw, "fulfillmentAvailability") if isinstance(a, dict)]
    default = next((a for a in availability if a.get("fulfillmentChannelCode") == "DEFAULT"), None)
    if default is not None or not (availability or text(summary, "fnSku")):
        channel = "DEFAULT"
        quantity: int | None = integer(default, "quantity") if default and "quantity" in default else None
    else:  # Amazon's channel, or an FBA network SKU without availability: never taken as merchant
        channel = (text(availability[0], "fulfillmentChannelCode") if availability else "") or "AMAZON"
        quantity = None
    return ListingRow(
        seller_sku=sku,
        asin=text(summary, "asin"),
        title=text(summary, "itemName"),
        product_type=text(summary, "productType"),
        fulfillment_channel=channel,
        status=listing_status(s for s in arr(summary, "status") if isinstance(s, str)),
        quantity=quantity,
        opened_at=when(summary, "createdDate"),
        image_url=image_link(summary),
    )


def image_link(summary: Any) -> str:
    """``summaries.mainImage.link`` when it is an http(s) URL, else ''."""
    image = summary.get("mainImage") if isinstance(summary, dict) else None
    link = text(image, "link") if isinstance(image, dict) else ""
    return link if link.lower().startswith(("https://", "http://")) and len(link) <= 2000 else ""


def search_new_listings(
    transport: SpApiTransport, seller_id: str, marketplace_id: str, created_after: datetime
) -> Iterator[ListingRow]:
    """searchListingsItems created at/after ``created_after``, oldest first; FBA listings are skipped."""
    params: dict[str, Any] = {
        "marketplaceIds": [marketplace_id],
        "createdAfter": iso_z(created_after),
        "sortBy": "createdDate",
        "sortOrder": "ASC",
        "includedData": list(READ_INCLUDED_DATA),
        "pageSize": PAGE_SIZE,
    }
    token = ""
    while True:
        page_params = dict(params, pageToken=token) if token else params
        body = transport.call("searchListingsItems", "GET", _item_path(seller_id), params=page_params).body
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise MalformedResponse("Amazon's listing search had no items.", operation="searchListingsItems")
        for raw in body["items"]:
            row = parse_item(raw, marketplace_id)
            if row.fulfillment_channel == "DEFAULT":
                yield row
        pagination = body.get("pagination")
        token = text(pagination, "nextToken") if isinstance(pagination, dict) else ""
        if not token:
            return


def read_listings(
    transport: SpApiTransport, seller_id: str, marketplace_id: str, skus: list[str]
) -> list[ListingRow]:
    """searchListingsItems for up to 20 SKUs (``identifiers``): one call; listings Amazon lacks are absent."""
    if not 0 < len(skus) <= PAGE_SIZE:
        raise InvalidInput(f"Between 1 and {PAGE_SIZE} SKUs per listings search.")
    params: dict[str, Any] = {
        "marketplaceIds": [marketplace_id],
        "identifiers": list(skus),
        "identifiersType": "SKU",
        "includedData": ["summaries"],
        "pageSize": PAGE_SIZE,
    }
    body = transport.call("searchListingsItems", "GET", _item_path(seller_id), params=params).body
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise MalformedResponse("Amazon's listing search had no items.", operation="searchListingsItems")
    return [parse_item(raw, marketplace_id) for raw in body["items"]]


def listing_status(summary_statuses: Iterable[str]) -> str:
    """The report's words for the Listings API's ``summaries.status``: BUYABLE -> Active, else Inactive.

    One vocabulary whatever the source, so a listing does not change status just because the 30-minute
    delta (Listings API) and the daily full import (report) describe it differently.
    """
    return "Active" if "BUYABLE" in set(summary_statuses) else "Inactive"


def get_listing(transport: SpApiTransport, seller_id: str, marketplace_id: str, sku: str) -> ListingRow:
    body = transport.call(
        "getListingsItem",
        "GET",
        _item_path(seller_id, sku),
        params={"marketplaceIds": [marketplace_id], "includedData": list(READ_INCLUDED_DATA)},
    ).body
    return parse_item(body, marketplace_id)


def parse_issues(raw: Any) -> tuple[ListingIssue, ...]:
    return tuple(
        ListingIssue(
            code=text(i, "code"), message=text(i, "message"), severity=text(i, "severity") or "ERROR"
        )
        for i in (raw if isinstance(raw, list) else [])
        if isinstance(i, dict)
    )


def patch_quantity(
    transport: SpApiTransport, seller_id: str, marketplace_id: str, sku: str, product_type: str, quantity: int
) -> PatchResult:
    """patchListingsItem; ACCEPTED means queued (the quantity shows on Amazon minutes later)."""
    body = transport.call(
        "patchListingsItem",
        "PATCH",
        _item_path(seller_id, sku),
        params={"marketplaceIds": [marketplace_id]},
        json_body=quantity_patch(product_type, quantity),
    ).body
    status = text(body, "status")
    if not status:
        raise MalformedResponse(
            "Amazon's answer to the quantity update had no status.", operation="patchListingsItem"
        )
    return PatchResult(
        sku=text(body, "sku") or sku,
        status=status,
        submission_id=text(body, "submissionId"),
        issues=parse_issues(body.get("issues") if isinstance(body, dict) else None),
    )
