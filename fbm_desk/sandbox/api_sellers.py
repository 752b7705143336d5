"""Sellers API v1: getMarketplaceParticipations for the demo seller (``{"payload": [...]}``)."""

from __future__ import annotations

from fbm_desk.sandbox import seed_data as sd
from fbm_desk.sandbox.http_util import Request, Response
from fbm_desk.sandbox.world import World


def get_marketplace_participations(world: World, req: Request) -> Response:
    payload = [
        {
            "marketplace": {
                "id": mid,
                "name": name,
                "countryCode": country,
                "defaultCurrencyCode": currency,
                "defaultLanguageCode": language,
                "domainName": domain,
            },
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": sd.STORE_NAME,
        }
        for mid, name, country, currency, language, domain in sd.MARKETPLACES
    ]
    return Response.json(200, {"payload": payload})
