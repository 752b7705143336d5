"""Listings (Amazon's offers of a store) and the products created from them.

A listing maps to a product as ``fbm_desk.db.sku_resolution`` says. Products are created from listings: one
product per seller SKU by default, with the store's starting inventory in the primary warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import peewee as pw

from fbm_desk.amazon.types import ListingRow
from fbm_desk.db.domain_rows import ListingRecord
from fbm_desk.db.inventory import set_starting_on_hand
from fbm_desk.db.models import Listing, Product, Store, database_proxy, utcnow_iso
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.sku_resolution import resolve_products
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.timestamps import iso_utc

GONE_STATUS = "gone"  # listing.status of a listing missing from the last full report (Amazon has its own)


@dataclass(frozen=True)
class ListingUpsert:
    created: int = 0  # listings added
    updated: int = 0  # listings whose Amazon data changed
    products_created: int = 0
    skipped: int = 0  # new listings not added (the store does not download new products)


def _create_product(sku: str, title: str, store: StoreRow, quantity: int | None, now: str) -> int:
    product = Product.create(sku=sku, title=title, created_at=now)
    start = (quantity or 0) if store.starting_inventory == "match" else 0
    set_starting_on_hand(int(product.id), max(0, start), store, now)
    return int(product.id)


def is_lossy_copy(new: str, known: str) -> bool:
    """True when ``new`` is ``known`` with some characters replaced by ``?``.

    The listings report comes in a legacy charset (Cp1252 in NA/EU); Amazon writes characters it cannot
    encode as ``?``. A title already known in full (from the Listings API, which is UTF-8) must not be
    degraded by the next full import.
    """
    if len(new) != len(known) or "?" not in new:
        return False
    return all(a == b or (a == "?" and not b.isascii()) for a, b in zip(new, known, strict=True))


def upsert_listings(
    store: StoreRow,
    rows: Sequence[ListingRow],
    *,
    now: str | None = None,
    create_new: bool | None = None,
    read_at: str | None = None,
) -> ListingUpsert:
    """Insert or update listings of one store (one transaction); creates products for new SKUs.

    ``read_at``: when Amazon's data was taken (the report's request time; default ``now``), kept with each
    quantity read as ``amazon_quantity_at`` for drift correction (``fbm_desk.db.stock``).

    ``create_new`` defaults to the store's "download products" option; existing listings are always updated.
    Returns counts. Call ``sku_resolution.resolve_order_items`` afterwards so waiting orders pick up new mappings.
    """
    stamp = now or utcnow_iso()
    read = read_at or stamp
    allow_new = store.download_products_orders if create_new is None else create_new
    created = updated = products_created = skipped = 0
    with transaction(immediate=True):
        existing = {
            lst.seller_sku: lst
            for lst in Listing.select().where(
                (Listing.store == store.id) & Listing.seller_sku.in_([r.seller_sku for r in rows])
            )
        }
        mapping = resolve_products(store.id, [r.seller_sku for r in rows if r.seller_sku])
        for r in rows:
            if not r.seller_sku:
                continue
            opened = iso_utc(r.opened_at) if r.opened_at else None
            current = existing.get(r.seller_sku)
            if current is None:
                if not allow_new:
                    skipped += 1
                    continue
                product_id = mapping.get(r.seller_sku)
                if product_id is None and r.fulfillment_channel == "DEFAULT":
                    product_id = _create_product(r.seller_sku, r.title, store, r.quantity, stamp)
                    mapping[r.seller_sku] = product_id
                    products_created += 1
                Listing.create(
                    store=store.id,
                    seller_sku=r.seller_sku,
                    asin=r.asin,
                    title=r.title,
                    product_type=r.product_type or "PRODUCT",
                    fulfillment_channel=r.fulfillment_channel or "DEFAULT",
                    status=r.status,
                    amazon_quantity=r.quantity,
                    amazon_quantity_at=read if r.quantity is not None else None,
                    product=product_id,
                    opened_at=opened,
                    image_url=r.image_url,
                    first_seen_at=stamp,
                    last_seen_at=stamp,
                )
                created += 1
                continue
            changes: dict[str, object] = {}
            for field, value in (
                ("asin", r.asin),
                ("title", r.title),
                ("product_type", r.product_type),
                ("status", r.status),
                ("fulfillment_channel", r.fulfillment_channel),
                ("image_url", r.image_url),
            ):
                if value and getattr(current, field) != value:
                    if field == "title" and is_lossy_copy(value, current.title):
                        continue  # the report's legacy charset turned characters into '?': keep ours
                    changes[field] = value
            if r.quantity is not None and current.amazon_quantity != r.quantity:
                changes["amazon_quantity"] = r.quantity
            if opened and not current.opened_at:
                changes["opened_at"] = opened
            if current.gone_at is not None:
                changes["gone_at"] = None
            if current.product_id is None and r.seller_sku in mapping:
                changes["product"] = mapping[r.seller_sku]
            meaningful = bool(changes)
            changes["last_seen_at"] = stamp
            if r.quantity is not None:
                changes["amazon_quantity_at"] = read  # Amazon's quantity read now (drift: db/stock.py)
            Listing.update(**changes).where(Listing.id == current.id).execute()
            if meaningful:
                updated += 1
    return ListingUpsert(created=created, updated=updated, products_created=products_created, skipped=skipped)


def lossy_titles(store_id: int, limit: int) -> list[str]:
    """Seller SKUs of current listings whose stored title still has ``?`` from the legacy-charset report."""
    query = (
        Listing.select(Listing.seller_sku)
        .where((Listing.store == store_id) & Listing.gone_at.is_null() & Listing.title.contains("?"))
        .order_by(Listing.seller_sku)
        .limit(limit)
    )
    return [lst.seller_sku for lst in query]


def repair_title(store_id: int, row: ListingRow) -> bool:
    """Store the full title (and product type) read from the Listings API for a listing whose report title
    was lossy; the product created from that listing gets the full title too. Returns True when changed."""
    current = Listing.get_or_none((Listing.store == store_id) & (Listing.seller_sku == row.seller_sku))
    if current is None or not row.title or not is_lossy_copy(current.title, row.title):
        return False
    with database_proxy.atomic():
        changes: dict[str, object] = {"title": row.title}
        if row.product_type and current.product_type in ("", "PRODUCT"):
            changes["product_type"] = row.product_type
        Listing.update(**changes).where(Listing.id == current.id).execute()
        if current.product_id is not None:
            Product.update(title=row.title).where(
                (Product.id == current.product_id) & (Product.title == current.title)
            ).execute()
    return True


def mark_gone(store_id: int, seen_skus: Iterable[str], *, now: str | None = None) -> int:
    """Merchant listings of a store missing from a full report are marked gone; returns how many."""
    seen = set(seen_skus)
    stamp = now or utcnow_iso()
    gone = 0
    with database_proxy.atomic():
        for lst in Listing.select(Listing.id, Listing.seller_sku).where(
            (Listing.store == store_id)
            & Listing.gone_at.is_null()
            & (Listing.fulfillment_channel == "DEFAULT")
        ):
            if lst.seller_sku not in seen:
                Listing.update(gone_at=stamp, status=GONE_STATUS).where(Listing.id == lst.id).execute()
                gone += 1
    return gone


def _record(lst: Listing, store_name: str, product_sku: str | None) -> ListingRecord:
    return ListingRecord(
        id=lst.id,
        store_id=lst.store_id,
        store_name=store_name,
        seller_sku=lst.seller_sku,
        asin=lst.asin,
        title=lst.title,
        product_type=lst.product_type,
        fulfillment_channel=lst.fulfillment_channel,
        status=lst.status,
        amazon_quantity=lst.amazon_quantity,
        product_id=lst.product_id,
        product_sku=product_sku,
        opened_at=lst.opened_at,
        first_seen_at=lst.first_seen_at,
        last_seen_at=lst.last_seen_at,
        gone_at=lst.gone_at,
        pushed_quantity=lst.pushed_quantity,
        pushed_at=lst.pushed_at,
        push_state=lst.push_state,
        push_issues=lst.push_issues,
        amazon_quantity_at=lst.amazon_quantity_at,
    )


def list_listings(
    store_id: int | None = None, *, include_gone: bool = True, search: str = ""
) -> list[ListingRecord]:
    """Listings (optionally of one store), ordered by store name then seller SKU."""
    query = (
        Listing.select(Listing, Store.name.alias("store_name"), Product.sku.alias("product_sku"))
        .join(Store, on=(Listing.store == Store.id))
        .switch(Listing)
        .join(Product, pw.JOIN.LEFT_OUTER, on=(Listing.product == Product.id))
        .order_by(pw.fn.lower(Store.name), Listing.seller_sku)
    )
    if store_id is not None:
        query = query.where(Listing.store == store_id)
    if not include_gone:
        query = query.where(Listing.gone_at.is_null())
    if search.strip():
        like = f"%{search.strip()}%"
        query = query.where(Listing.seller_sku**like | Listing.title**like | Listing.asin**like)
    out = []
    for lst in query.objects():
        out.append(_record(lst, getattr(lst, "store_name", ""), getattr(lst, "product_sku", None)))
    return out


def pushable_listings(store_id: int) -> list[ListingRecord]:
    """Merchant (DEFAULT channel) listings of a store that map to a product and are still on Amazon."""
    return [
        r
        for r in list_listings(store_id, include_gone=False)
        if r.fulfillment_channel == "DEFAULT" and r.product_id is not None
    ]
