"""How the listings report's header row reads, as Amazon writes it for different accounts and marketplaces.

- ``english``: the documented column names.
- ``fulfilment``: the EU spelling ``fulfilment-channel`` and "Deprecated column" placeholders seen in real EU
  reports (amzn/selling-partner-api-models#3999, #4140). Still English: asking for ``en_US`` does not change it.
- ``chinese``: the header row of a marketplace-language report shown in jlevers/selling-partner-api#525.
- ``german``: a marketplace-language header of the sandbox's own invention (no real sample at hand), so that
  the app meets a language it has no aliases for.

A localized header is only written when the request did not ask for an English locale with the
``preferredReportDocumentLocale`` report option (amzn/selling-partner-api-models#5303). Seeded per world with
``World.seed_reports(headers=…, outcome=…)`` (also ``fbm-desk sandbox --report-headers/--report-outcome``).
"""

from __future__ import annotations

from collections.abc import Sequence

DIALECTS = ("english", "fulfilment", "chinese", "german")
OUTCOMES = ("DONE", "CANCELLED", "FATAL")
LOCALE_OPTION = "preferredReportDocumentLocale"

_FULFILMENT = {
    "fulfillment-channel": "fulfilment-channel",
    "image-url": "Deprecated column",
    "zshop-shipping-fee": "Deprecated column",
    "zshop-category1": "Deprecated column",
    "zshop-browse-path": "Deprecated column",
    "zshop-storefront-feature": "Deprecated column",
    "asin2": "Deprecated column",
    "asin3": "Deprecated column",
    "zshop-boldface": "Deprecated column",
    "bid-for-featured-placement": "Deprecated column",
}
_CHINESE = {
    "item-name": "商品名称",
    "item-description": "商品描述",
    "listing-id": "商品编码",
    "seller-sku": "卖家 SKU",
    "price": "价格",
    "quantity": "数量",
    "open-date": "开售日期",
    "item-is-marketplace": "是否为商城中的商品",
    "product-id-type": "商品编码类型",
    "item-note": "商品备注",
    "item-condition": "商品状况",
    "asin1": "ASIN1",
    "will-ship-internationally": "国际配送",
    "expedited-shipping": "加急配送",
    "product-id": "商品编码",
    "add-delete": "添加-删除",
    "pending-quantity": "等待购买数量",
    "fulfillment-channel": "配送渠道",
    "merchant-shipping-group": "卖家配送组",
    "status": "状态",
}
_GERMAN = {
    "item-name": "Artikelbezeichnung",
    "item-description": "Artikelbeschreibung",
    "listing-id": "Angebotsnummer",
    "seller-sku": "Händler-SKU",
    "price": "Preis",
    "quantity": "Menge",
    "open-date": "Erstellungsdatum",
    "asin1": "ASIN 1",
    "product-id": "Produkt-ID",
    "pending-quantity": "Ausstehende Menge",
    "fulfillment-channel": "Versandkanal",
    "merchant-shipping-group": "Versandvorlage",
    "status": "Status",
}
_LOCALIZED = {"chinese": _CHINESE, "german": _GERMAN}


def check_seed(headers: str, outcome: str) -> None:
    if headers not in DIALECTS:
        raise ValueError(f"report headers must be one of {', '.join(DIALECTS)}")
    if outcome not in OUTCOMES:
        raise ValueError(f"report outcome must be one of {', '.join(OUTCOMES)}")


def header_row(columns: Sequence[str], dialect: str, options: dict[str, str]) -> list[str]:
    """The header row for ``columns`` (documented names) in ``dialect``, given the request's report options."""
    names = dict(_FULFILMENT) if dialect == "fulfilment" else {}
    wants_english = options.get(LOCALE_OPTION, "").lower().startswith("en")
    if dialect in _LOCALIZED and not wants_english:
        names = _LOCALIZED[dialect]
    return [names.get(c, "不适用项目" if dialect == "chinese" and names else c) for c in columns]
