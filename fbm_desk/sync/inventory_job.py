"""Inventory push (every 20 minutes): available quantity for each SKU whose value changed.

What is sent is ``fbm_desk.db.stock.pending_pushes`` (the same plan the Inventory tab's preview shows): for
every merchant listing of the store that maps to a product, the product's available stock, only when that
differs from what Amazon last accepted for it (before any push: Amazon's own quantity) or the last push was
rejected, so a run with nothing changed makes no API call. Up to
``PATCH_LIMIT`` changes go out as per-SKU ``patchListingsItem`` merges (immediate per-SKU answers); more go
out as one ``JSON_LISTINGS_FEED`` whose processing report is awaited within the run (bounded); a feed Amazon
has not finished by then is polled first by the next run, and its SKUs are not sent again meanwhile
(``inventory_feed``). Each listing records what Amazon accepted (``pushed_quantity``) or the issues it
reported. Guard: whatever the plan says, a listing not known to be merchant-fulfilled (``DEFAULT``) is never
sent a quantity.
"""

from __future__ import annotations

from typing import Protocol

from fbm_desk.amazon.errors import AmazonRejected
from fbm_desk.amazon.types import PatchResult
from fbm_desk.db.inventory import PushOutcome, record_push_outcomes, set_listing_product_type
from fbm_desk.db.states import ListingPushState
from fbm_desk.db.stock import MERCHANT_CHANNEL, ListingPush, pending_pushes
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sync.base import Counts, JobContext, JobKind
from fbm_desk.sync.inventory_feed import GENERIC_PRODUCT_TYPE, issues_text, send_feed, settle_feeds

PATCH_LIMIT = 200


def _about_product_type(text: str) -> bool:
    """Does Amazon's refusal talk about the product type (and not, say, an unknown SKU)?"""
    flat = "".join(ch for ch in text.lower() if ch.isalnum())
    return "producttype" in flat


class PushTarget(Protocol):
    """The listing fields a patch needs (a ``ListingPush`` or a ``ListingRecord``)."""

    @property
    def id(self) -> int: ...
    @property
    def seller_sku(self) -> str: ...
    @property
    def product_type(self) -> str: ...


def _learn_product_type(ctx: JobContext, lst: PushTarget) -> str | None:
    """Read the listing's product type from Amazon and store it; None when Amazon has no better one."""
    try:
        real = ctx.client.get_listing(ctx.store.marketplace_id, lst.seller_sku).product_type
    except AmazonRejected:
        return None
    if not real or real == GENERIC_PRODUCT_TYPE:
        return None
    set_listing_product_type(lst.id, real)
    return real


class InventoryJob:
    kind = JobKind.INVENTORY

    def run(self, ctx: JobContext, counts: Counts) -> None:
        feed_waiting = settle_feeds(ctx, counts)
        planned = pending_pushes(ctx.store.id)
        changes = [p for p in planned if p.channel == MERCHANT_CHANNEL]  # the guard (see module doc)
        if len(changes) < len(planned):
            counts.notes.append(f"{len(planned) - len(changes)} non-merchant listing(s) never pushed")
        if not changes:
            counts.notes.append("Nothing changed since the last accepted push")
            return
        if len(changes) <= PATCH_LIMIT:
            self._patch(ctx, changes, counts)
        elif feed_waiting:
            counts.notes.append(f"{len(changes)} SKU(s) wait for Amazon to finish the previous feed")
        else:
            send_feed(ctx, changes, counts)

    def _patch(self, ctx: JobContext, changes: list[ListingPush], counts: Counts) -> None:
        for n, lst in enumerate(changes, start=1):
            ctx.check_cancel()
            try:
                result = self._patch_one(ctx, lst, lst.available)
            except AmazonRejected as exc:
                outcome = PushOutcome(
                    lst.id, ListingPushState.REJECTED, issues=exc.amazon_message or exc.user_message
                )
                record_push_outcomes([outcome], now=self._now(ctx))
                counts.rejected += 1
                continue
            counts.fetched += 1
            if result.accepted:
                outcome = PushOutcome(lst.id, ListingPushState.ACCEPTED, quantity=lst.available)
                counts.updated += 1
            else:
                outcome = PushOutcome(lst.id, ListingPushState.REJECTED, issues=issues_text(result.issues))
                counts.rejected += 1
            record_push_outcomes([outcome], now=self._now(ctx))
            ctx.progress(f"Inventory: {n} of {len(changes)} SKUs", n, len(changes))

    @staticmethod
    def _patch_one(ctx: JobContext, lst: PushTarget, quantity: int) -> PatchResult:
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
            real = _learn_product_type(ctx, lst) if _about_product_type(exc.amazon_message) else None
            if real is None:
                raise
        else:
            about_type = _about_product_type(" ".join(i.message for i in result.issues))
            real = _learn_product_type(ctx, lst) if not result.accepted and about_type else None
            if real is None:
                return result
        return ctx.client.patch_quantity(market, lst.seller_sku, real, quantity)

    @staticmethod
    def _now(ctx: JobContext) -> str:
        return iso_utc(ctx.now())
