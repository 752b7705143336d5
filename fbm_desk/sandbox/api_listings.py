"""Listings Items API 2021-08-01: searchListingsItems, getListingsItem, patchListingsItem.

Sandbox choice: a patch for a SKU the seller does not have returns 200 ``INVALID`` with a ``NOT_FOUND``
issue. Real Amazon accepts such patches silently (amzn/selling-partner-api-models#2797) and the model lists
no 404 for patchListingsItem; the sandbox is stricter so the app can show the problem per SKU.
"""

from __future__ import annotations

import base64
import json
import uuid
from decimal import Decimal
from typing import Any

from fbm_desk.sandbox import images
from fbm_desk.sandbox import seed_data as sd
from fbm_desk.sandbox.clock import iso
from fbm_desk.sandbox.http_util import (
    ApiError,
    Request,
    Response,
    invalid_input,
    query_date,
    require_json_object,
)
from fbm_desk.sandbox.listing_patch import (
    apply_quantity,
    check_patches,
    product_type_issue,
    structural_problem,
    unknown_sku_issue,
)
from fbm_desk.sandbox.model import Listing
from fbm_desk.sandbox.world import World

GET_INCLUDED = frozenset(
    {
        "summaries",
        "attributes",
        "issues",
        "offers",
        "fulfillmentAvailability",
        "procurement",
        "relationships",
        "productTypes",
    }
)
PATCH_INCLUDED = frozenset({"identifiers", "issues"})
SORT_BY = {"sku", "createdDate", "lastUpdatedDate"}
MAX_RESULTS = 1000


def _marketplaces(world: World, req: Request, *, single: bool = False) -> list[str]:
    ids = req.many("marketplaceIds")
    if not ids:
        raise invalid_input("Missing required parameter marketplaceIds.")
    if single and len(ids) > 1:
        raise invalid_input("Only one marketplaceId may be provided for this operation.")
    for m in ids:
        if m not in world.marketplace_ids:
            raise invalid_input(f"Invalid marketplaceId: {m}.")
    return ids


def _check_seller(req: Request) -> None:
    if req.params["sellerId"] != req.seller:
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.", "")


def _included(req: Request, allowed: frozenset[str], default: str) -> set[str]:
    values = req.many("includedData") or [default]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise invalid_input(f"Invalid value '{bad[0]}' for parameter includedData.")
    return set(values)


def _local_price(price: str, marketplace_id: str) -> str:
    factor = Decimal("1.35") if sd.CURRENCY[marketplace_id] == "CAD" else Decimal(1)
    return f"{Decimal(price) * factor:.2f}"


def render_item(
    listing: Listing, marketplaces: list[str], included: set[str], base_url: str = ""
) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": listing.sku}
    if "summaries" in included:
        summaries = []
        for m in marketplaces:
            summary: dict[str, Any] = {
                "marketplaceId": m,
                "asin": listing.asin,
                "productType": listing.product_type,
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"] if listing.status == "Active" else ["DISCOVERABLE"],
                "itemName": listing.title,
                "createdDate": iso(listing.created),
                "lastUpdatedDate": iso(listing.last_updated),
                "mainImage": {
                    "link": images.link(base_url, listing.asin),
                    "height": 500,
                    "width": 500,
                },
            }
            if listing.is_fba:
                summary["fnSku"] = "X00" + listing.asin[3:]
            summaries.append(summary)
        item["summaries"] = summaries
    if "attributes" in included:
        item["attributes"] = {
            "item_name": [
                {"value": listing.title, "language_tag": "en_US", "marketplace_id": m} for m in marketplaces
            ],
            "fulfillment_availability": [
                {"fulfillment_channel_code": listing.fulfillment_channel}
                | ({} if listing.is_fba else {"quantity": listing.quantity})
            ],
        }
    if "issues" in included:
        item["issues"] = []
    if "offers" in included:
        item["offers"] = [
            {
                "marketplaceId": m,
                "offerType": "B2C",
                "price": {
                    "currencyCode": sd.CURRENCY[m],
                    "amount": _local_price(listing.price, m),
                },
            }
            for m in marketplaces
        ]
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [
            {
                "fulfillmentChannelCode": listing.fulfillment_channel,
                "quantity": 0 if listing.is_fba else listing.quantity,
            }
        ]
    if "productTypes" in included:
        item["productTypes"] = [
            {"marketplaceId": m, "productType": listing.product_type} for m in marketplaces
        ]
    if "procurement" in included:
        item["procurement"] = []
    if "relationships" in included:
        item["relationships"] = [{"marketplaceId": m, "relationships": []} for m in marketplaces]
    return item


def search_listings_items(world: World, req: Request) -> Response:
    _check_seller(req)
    marketplaces = _marketplaces(world, req)
    included = _included(req, GET_INCLUDED, "summaries")
    page_size_raw = req.one("pageSize") or "10"
    if not page_size_raw.isdigit() or not 1 <= int(page_size_raw) <= 20:
        raise invalid_input("pageSize must be an integer between 1 and 20.")
    page_size = int(page_size_raw)
    sort_by = req.one("sortBy") or "lastUpdatedDate"
    sort_order = req.one("sortOrder") or "DESC"
    if sort_by not in SORT_BY or sort_order not in ("ASC", "DESC"):
        raise invalid_input("Invalid sortBy or sortOrder.")
    bounds = {
        n: query_date(req, n)
        for n in ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
    }
    identifiers = req.many("identifiers")
    id_type = req.one("identifiersType")
    if identifiers is not None:
        if len(identifiers) > 20:
            raise invalid_input("identifiers may contain at most 20 values.")
        if id_type not in ("SKU", "ASIN"):
            raise invalid_input("identifiersType is required with identifiers (SKU or ASIN in the sandbox).")
    with_status, without_status = set(req.many("withStatus") or []), set(req.many("withoutStatus") or [])
    filters = json.dumps(
        [
            sorted(marketplaces),
            {k: iso(v) if v else "" for k, v in bounds.items()},
            identifiers,
            id_type,
            sorted(with_status),
            sorted(without_status),
            sort_by,
            sort_order,
        ]
    )
    offset = 0
    token = req.one("pageToken")
    if token:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode() + b"==="))
            offset, token_filters = int(data["o"]), data["f"]
        except (ValueError, KeyError, TypeError) as exc:
            raise invalid_input("Invalid pageToken.") from exc
        if token_filters != filters:
            raise invalid_input("Invalid pageToken: it does not match the request parameters.")
    with world.lock:
        matched = []
        for lst in world.listings.values():
            if bounds["createdAfter"] and lst.created < bounds["createdAfter"]:
                continue
            if bounds["createdBefore"] and lst.created > bounds["createdBefore"]:
                continue
            if bounds["lastUpdatedAfter"] and lst.last_updated < bounds["lastUpdatedAfter"]:
                continue
            if bounds["lastUpdatedBefore"] and lst.last_updated > bounds["lastUpdatedBefore"]:
                continue
            if identifiers is not None and (lst.sku if id_type == "SKU" else lst.asin) not in identifiers:
                continue
            status = {"BUYABLE", "DISCOVERABLE"} if lst.status == "Active" else {"DISCOVERABLE"}
            if with_status - status or without_status & status:
                continue
            matched.append(lst)
        key = {
            "sku": lambda x: (x.sku,),
            "createdDate": lambda x: (x.created, x.sku),
            "lastUpdatedDate": lambda x: (x.last_updated, x.sku),
        }[sort_by]
        matched.sort(key=key, reverse=sort_order == "DESC")
        matched = matched[:MAX_RESULTS]
        page = matched[offset : offset + page_size]
        body: dict[str, Any] = {
            "numberOfResults": len(matched),
            "items": [render_item(lst, marketplaces, included, world.base_url) for lst in page],
        }
    pagination: dict[str, str] = {}
    if offset + page_size < len(matched):
        pagination["nextToken"] = base64.urlsafe_b64encode(
            json.dumps({"o": offset + page_size, "f": filters}).encode()
        ).decode()
    if offset > 0:
        pagination["previousToken"] = base64.urlsafe_b64encode(
            json.dumps({"o": max(0, offset - page_size), "f": filters}).encode()
        ).decode()
    if pagination:
        body["pagination"] = pagination
    return Response.json(200, body)


def get_listings_item(world: World, req: Request) -> Response:
    _check_seller(req)
    marketplaces = _marketplaces(world, req)
    included = _included(req, GET_INCLUDED, "summaries")
    with world.lock:
        listing = world.listings.get(req.params["sku"])
        if listing is None:
            raise ApiError(
                404, "NOT_FOUND", f"SKU '{req.params['sku']}' not found in marketplace {marketplaces[0]}"
            )
        return Response.json(200, render_item(listing, marketplaces, included, world.base_url))


def patch_listings_item(world: World, req: Request) -> Response:
    _check_seller(req)
    marketplaces = _marketplaces(world, req, single=True)
    included = _included(req, PATCH_INCLUDED, "issues")
    mode = req.one("mode")
    if mode not in (None, "VALIDATION_PREVIEW"):
        raise invalid_input("Invalid value for parameter mode.")
    body = require_json_object(req)
    product_type = body.get("productType")
    if not isinstance(product_type, str) or not product_type.strip():
        raise invalid_input(
            "Request has missing or invalid parameters and cannot be parsed.", "productType is required."
        )
    problem = structural_problem(body.get("patches"))
    if problem:
        raise invalid_input(problem)
    sku = req.params["sku"]
    issues, quantity = check_patches(body["patches"])
    with world.lock:
        listing = world.listings.get(sku)
        if listing is None:
            issues.append(unknown_sku_issue(sku))
        else:
            wrong_type = product_type_issue(listing, product_type)
            issues += [wrong_type] if wrong_type else []
        status = "INVALID" if issues else ("VALID" if mode else "ACCEPTED")
        if status == "ACCEPTED" and listing is not None:
            apply_quantity(listing, quantity)
            listing.last_updated = world.clock.now()
        world.pushed_patches.append(
            {"sku": sku, "body": body, "status": status, "marketplaceId": marketplaces[0]}
        )
        out: dict[str, Any] = {
            "sku": sku,
            "status": status,
            "submissionId": uuid.uuid4().hex,
            "issues": [i.as_listing_issue() for i in issues],
        }
        if "identifiers" in included and listing is not None:
            out["identifiers"] = [{"marketplaceId": marketplaces[0], "asin": listing.asin}]
    return Response.json(200, out)
