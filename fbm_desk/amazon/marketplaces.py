"""Amazon marketplaces and regional endpoints, as data (spapi-notes §1.3, §1.4)."""

from __future__ import annotations

from dataclasses import dataclass

from fbm_desk.foundation.errors import InvalidInput


@dataclass(frozen=True)
class Marketplace:
    code: str  # e.g. "US" (our short code, used by the CLI's --marketplace)
    marketplace_id: str
    country_code: str  # ISO code used in addresses (UK -> GB)
    name: str
    region: str  # NA | EU | FE
    seller_central_host: str


REGION_ENDPOINTS: dict[str, str] = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}

MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("CA", "A2EUQ1WTGCTBG2", "CA", "Amazon.ca", "NA", "sellercentral.amazon.ca"),
    Marketplace("US", "ATVPDKIKX0DER", "US", "Amazon.com", "NA", "sellercentral.amazon.com"),
    Marketplace("MX", "A1AM78C64UM0Y8", "MX", "Amazon.com.mx", "NA", "sellercentral.amazon.com.mx"),
    Marketplace("BR", "A2Q3Y263D00KWC", "BR", "Amazon.com.br", "NA", "sellercentral.amazon.com.br"),
    Marketplace("IE", "A28R8C7NBKEWEA", "IE", "Amazon.ie", "EU", "sellercentral.amazon.ie"),
    Marketplace("ES", "A1RKKUPIHCS9HS", "ES", "Amazon.es", "EU", "sellercentral-europe.amazon.com"),
    Marketplace("UK", "A1F83G8C2ARO7P", "GB", "Amazon.co.uk", "EU", "sellercentral-europe.amazon.com"),
    Marketplace("FR", "A13V1IB3VIYZZH", "FR", "Amazon.fr", "EU", "sellercentral-europe.amazon.com"),
    Marketplace("BE", "AMEN7PMS3EDWL", "BE", "Amazon.com.be", "EU", "sellercentral.amazon.com.be"),
    Marketplace("NL", "A1805IZSGTT6HS", "NL", "Amazon.nl", "EU", "sellercentral.amazon.nl"),
    Marketplace("DE", "A1PA6795UKMFR9", "DE", "Amazon.de", "EU", "sellercentral-europe.amazon.com"),
    Marketplace("IT", "APJ6JRA9NG5V4", "IT", "Amazon.it", "EU", "sellercentral-europe.amazon.com"),
    Marketplace("SE", "A2NODRKZP88ZB9", "SE", "Amazon.se", "EU", "sellercentral.amazon.se"),
    Marketplace("ZA", "AE08WJ6YKNBMC", "ZA", "Amazon.co.za", "EU", "sellercentral.amazon.co.za"),
    Marketplace("PL", "A1C3SOZRARQ6R3", "PL", "Amazon.pl", "EU", "sellercentral.amazon.pl"),
    Marketplace("EG", "ARBP9OOSHTCHU", "EG", "Amazon.eg", "EU", "sellercentral.amazon.eg"),
    Marketplace("TR", "A33AVAJ2PDY3EV", "TR", "Amazon.com.tr", "EU", "sellercentral.amazon.com.tr"),
    Marketplace("SA", "A17E79C6D8DWNP", "SA", "Amazon.sa", "EU", "sellercentral.amazon.sa"),
    Marketplace("AE", "A2VIGQ35RCS4UG", "AE", "Amazon.ae", "EU", "sellercentral.amazon.ae"),
    Marketplace("IN", "A21TJRUUN4KGV", "IN", "Amazon.in", "EU", "sellercentral.amazon.in"),
    Marketplace("SG", "A19VAU5U5O7RUS", "SG", "Amazon.sg", "FE", "sellercentral.amazon.sg"),
    Marketplace("AU", "A39IBJ37TRP1C6", "AU", "Amazon.com.au", "FE", "sellercentral.amazon.com.au"),
    Marketplace("JP", "A1VC38T7YXB528", "JP", "Amazon.co.jp", "FE", "sellercentral.amazon.co.jp"),
)

_BY_CODE = {m.code: m for m in MARKETPLACES}
_BY_ID = {m.marketplace_id: m for m in MARKETPLACES}
_ALIASES = {"GB": "UK"}


def by_code(code: str) -> Marketplace:
    """Look up by our code (``US``, ``UK``/``GB``, ...) or by marketplace id. Raises InvalidInput."""
    key = code.strip().upper()
    key = _ALIASES.get(key, key)
    found = _BY_CODE.get(key) or _BY_ID.get(code.strip())
    if found is None:
        known = ", ".join(m.code for m in MARKETPLACES)
        raise InvalidInput(f"Unknown marketplace '{code}'. Use one of: {known}.")
    return found


def by_id(marketplace_id: str) -> Marketplace | None:
    return _BY_ID.get(marketplace_id)
