"""Sellers v1: which marketplaces an authorization covers (the connection check)."""

from __future__ import annotations

import logging

from fbm_desk.amazon._parse import arr, obj, text
from fbm_desk.amazon.errors import MalformedResponse
from fbm_desk.amazon.http import SpApiTransport
from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.amazon.types import MarketplaceParticipation

log = logging.getLogger(__name__)


def marketplace_participations(transport: SpApiTransport) -> list[MarketplaceParticipation]:
    """getMarketplaceParticipations, keeping only marketplaces in our table (drops e.g. "Non-Amazon" ids)."""
    body = transport.call("getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations").body
    if not isinstance(body, dict) or not isinstance(body.get("payload"), list):
        raise MalformedResponse(
            "Amazon's marketplace list was missing.", operation="getMarketplaceParticipations"
        )
    out: list[MarketplaceParticipation] = []
    for raw in arr(body, "payload"):
        marketplace = obj(raw, "marketplace")
        participation = obj(raw, "participation")
        marketplace_id = text(marketplace, "id")
        known = by_id(marketplace_id)
        if known is None:
            log.info("ignoring marketplace %s (not an Amazon retail marketplace we know)", marketplace_id)
            continue
        out.append(
            MarketplaceParticipation(
                marketplace_id=marketplace_id,
                country_code=text(marketplace, "countryCode") or known.country_code,
                name=text(marketplace, "name") or known.name,
                is_participating=participation.get("isParticipating") is True,
                has_suspended_listings=participation.get("hasSuspendedListings") is True,
                store_name=text(raw, "storeName"),
            )
        )
    return out
