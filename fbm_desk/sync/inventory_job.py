"""Inventory push (every 20 minutes): available quantity for each SKU whose value changed.

For every merchant (DEFAULT channel) listing of the store that maps to a product, the quantity to send is the
product's available stock. A listing is sent only when that differs from what Amazon last accepted for it
(before any push: Amazon's own quantity), so a run with nothing changed makes no API call. Up to
``PATCH_LIMIT`` changes go out as per-SKU ``patchListingsItem`` merges (immediate per-SKU answers); more go
out as one ``JSON_LISTINGS_FEED`` whose processing report is awaited within the run (bounded). Each listing
records what Amazon accepted (``pushed_quantity``) or the issues it reported.
"""

from __future__ import annotations

from collections.abc import Mapping

from fbm_desk.amazon.errors import AmazonRejected
from fbm_desk.amazon.types import ListingIssue, PatchResult, QuantityUpdate
from fbm_desk.db.domain_rows import ListingRecord
from fbm_desk.db.inventory import available_by_product
from fbm_desk.db.listings import pushable_listings, record_push
from fbm_desk.db.models import Listing, database_proxy
from fbm_desk.sync.base import Counts, JobContext, JobKind
from fbm_desk.timestamps import iso_utc

PATCH_LIMIT = 200
GENERIC_PRODUCT_TYPE = "PRODUCT"  # stored for listings known only from the report (no product type column)
FEED_WAIT_S = 900.0  # nominal seconds (the client divides its polling waits by FBM_DESK_SPEEDUP)


def _issues_text(issues: tuple[ListingIssue, ...]) -> str:
    return "; ".join(
        f"{i.code}: {i.message}" if i.code else i.message for i in issues if i.severity == "ERROR"
    ) or ("; ".join(i.message for i in issues))


def _about_product_type(text: str) -> bool:
    """Does Amazon's refusal talk about the product type (and not, say, an unknown SKU)?"""
    flat = "".join(ch for ch in text.lower() if ch.isalnum())
    return "producttype" in flat


def _learn_product_type(ctx: JobContext, lst: ListingRecord) -> bool:
    """Read the listing's product type from Amazon and store it; False when Amazon has no better one."""
    try:
        real = ctx.client.get_listing(ctx.store.marketplace_id, lst.seller_sku).product_type
    except AmazonRejected:
        return False
    if not real or real == GENERIC_PRODUCT_TYPE:
        return False
    Listing.update(product_type=real).where(Listing.id == lst.id).execute()
    return True


def changed_listings(
    store_id: int, available: Mapping[int, int] | None = None
) -> list[tuple[ListingRecord, int]]:
    """(listing, quantity to send) for listings whose available stock differs from Amazon's last value.

    ``available`` (product id -> available, e.g. ``available_by_product()`` of every product) saves
    computing the allocation again for each store when previewing several stores.
    """
    listings = pushable_listings(store_id)
    if available is None:
        available = available_by_product(
            {int(lst.product_id) for lst in listings if lst.product_id is not None}
        )
    out = []
    for lst in listings:
        assert lst.product_id is not None
        quantity = available.get(lst.product_id, 0)
        baseline = lst.pushed_quantity if lst.pushed_quantity is not None else lst.amazon_quantity
        if lst.push_state == "rejected" or baseline != quantity:
            out.append((lst, quantity))
    return out


class InventoryJob:
    kind = JobKind.INVENTORY

    def run(self, ctx: JobContext, counts: Counts) -> None:
        changes = changed_listings(ctx.store.id)
        if not changes:
            counts.notes.append("Nothing changed since the last accepted push")
            return
        if len(changes) <= PATCH_LIMIT:
            self._patch(ctx, changes, counts)
        else:
            self._feed(ctx, changes, counts)

    def _patch(self, ctx: JobContext, changes: list[tuple[ListingRecord, int]], counts: Counts) -> None:
        for n, (lst, quantity) in enumerate(changes, start=1):
            ctx.check_cancel()
            try:
                result = self._patch_one(ctx, lst, quantity)
            except AmazonRejected as exc:
                record_push(
                    lst.id,
                    state="rejected",
                    issues=exc.amazon_message or exc.user_message,
                    now=self._now(ctx),
                )
                counts.rejected += 1
                continue
            counts.fetched += 1
            if result.accepted:
                record_push(lst.id, state="accepted", quantity=quantity, now=self._now(ctx))
                counts.updated += 1
            else:
                record_push(lst.id, state="rejected", issues=_issues_text(result.issues), now=self._now(ctx))
                counts.rejected += 1
            ctx.progress(f"Inventory: {n} of {len(changes)} SKUs", n, len(changes))

    def _feed(self, ctx: JobContext, changes: list[tuple[ListingRecord, int]], counts: Counts) -> None:
        updates = [
            QuantityUpdate(lst.seller_sku, lst.product_type or GENERIC_PRODUCT_TYPE, q) for lst, q in changes
        ]
        ctx.progress(f"Inventory: sending {len(updates)} SKUs in one feed", None, None)
        result = ctx.client.submit_quantity_feed(ctx.store.marketplace_id, updates, FEED_WAIT_S)
        stamp = self._now(ctx)
        accepted = set(result.accepted_skus)
        with database_proxy.atomic():
            for lst, quantity in changes:
                issues = result.issues_by_sku.get(lst.seller_sku, ())
                errors = tuple(i for i in issues if i.severity == "ERROR")
                if not result.done:
                    record_push(
                        lst.id, state="sent", issues=f"Feed {result.feed_id} still processing", now=stamp
                    )
                elif errors or (accepted and lst.seller_sku not in accepted):
                    record_push(lst.id, state="rejected", issues=_issues_text(errors or issues), now=stamp)
                    counts.rejected += 1
                else:
                    record_push(lst.id, state="accepted", quantity=quantity, now=stamp)
                    counts.updated += 1
        counts.fetched += len(changes) if result.done else 0
        if not result.done:
            counts.notes.append(
                f"Feed {result.feed_id} was still {result.processing_status}; resent next run"
            )

    @staticmethod
    def _patch_one(ctx: JobContext, lst: ListingRecord, quantity: int) -> PatchResult:
        """patchListingsItem with the stored product type. A listing known only from the report carries the
        generic ``PRODUCT``; if Amazon refuses that because of the product type, read the listing's real one
        (stored for later runs) and send the patch once more with it."""
        product_type = lst.product_type or GENERIC_PRODUCT_TYPE
        market = ctx.store.marketplace_id
        if product_type != GENERIC_PRODUCT_TYPE:
            return ctx.client.patch_quantity(market, lst.seller_sku, product_type, quantity)
        try:
            result = ctx.client.patch_quantity(market, lst.seller_sku, product_type, quantity)
        except AmazonRejected as exc:
            if not _about_product_type(exc.amazon_message) or not _learn_product_type(ctx, lst):
                raise
        else:
            about_type = _about_product_type(" ".join(i.message for i in result.issues))
            if result.accepted or not about_type or not _learn_product_type(ctx, lst):
                return result
        real = str(Listing.get_by_id(lst.id).product_type)
        return ctx.client.patch_quantity(market, lst.seller_sku, real, quantity)

    @staticmethod
    def _now(ctx: JobContext) -> str:
        return iso_utc(ctx.now())
