"""Listing picture links (``listing.image_url``, from the Listings API's ``summaries.mainImage.link``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fbm_desk.db.models import Listing, database_proxy


def listings_to_check(store_id: int, limit: int) -> list[str]:
    """Seller SKUs of current merchant listings whose picture link to read next: never read first, then the
    longest unchecked (a replaced picture gets a new link on Amazon)."""
    query = (
        Listing.select(Listing.seller_sku)
        .where(
            (Listing.store == store_id)
            & Listing.gone_at.is_null()
            & (Listing.fulfillment_channel == "DEFAULT")
            & (Listing.asin != "")
        )
        .order_by(Listing.image_checked_at.is_null(False), Listing.image_checked_at, Listing.id)
        .limit(limit)
    )
    return [lst.seller_sku for lst in query]


def set_image_links(store_id: int, checked: Iterable[str], links: Mapping[str, str], now: str) -> int:
    """Store picture links by seller SKU and mark every ``checked`` SKU as read at ``now`` (one transaction);
    empty links are ignored (a known link is kept). Returns how many links changed."""
    changed = 0
    with database_proxy.atomic():
        Listing.update(image_checked_at=now).where(
            (Listing.store == store_id) & Listing.seller_sku.in_(list(checked))
        ).execute()
        for sku, link in links.items():
            if link:
                changed += (
                    Listing.update(image_url=link)
                    .where(
                        (Listing.store == store_id)
                        & (Listing.seller_sku == sku)
                        & (Listing.image_url != link)
                    )
                    .execute()
                )
    return changed


def image_links(asins: Iterable[str]) -> dict[str, str]:
    """The known picture link per ASIN (any store's listing; the most recently seen one wins)."""
    wanted = sorted({a for a in asins if a})
    if not wanted:
        return {}
    out: dict[str, str] = {}
    query = (
        Listing.select(Listing.asin, Listing.image_url)
        .where(Listing.asin.in_(wanted) & (Listing.image_url != ""))
        .order_by(Listing.last_seen_at)
    )
    for lst in query:
        out[lst.asin] = lst.image_url
    return out
