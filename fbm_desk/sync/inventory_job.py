"""Inventory push (every 20 minutes): available quantity for each SKU whose value changed.

What is sent is ``fbm_desk.db.stock.pending_pushes`` (the same plan the Inventory tab's preview shows): for
every merchant listing of the store that maps to a product, the product's available stock, only when that
differs from what Amazon last accepted for it (before any push: Amazon's own quantity) or the last push was
rejected, so a run with nothing changed makes no API call. Up to
``PATCH_LIMIT`` changes go out as per-SKU ``patchListingsItem`` merges (immediate per-SKU answers); more go
out as one ``JSON_LISTINGS_FEED`` whose processing report is awaited within the run (bounded). Each listing
records what Amazon accepted (``pushed_quantity``) or the issues it reported.
"""

from __future__ import annotations

from typing import Protocol

from fbm_desk.amazon.errors import AmazonRejected
from fbm_desk.amazon.types import FeedResult, ListingIssue, PatchResult, QuantityUpdate
from fbm_desk.db.inventory import PushOutcome, record_push_outcomes, set_listing_product_type
from fbm_desk.db.states import ListingPushState
from fbm_desk.db.stock import ListingPush, pending_pushes
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sync.base import Counts, JobContext, JobKind

PATCH_LIMIT = 200
GENERIC_PRODUCT_TYPE = "PRODUCT"  # stored for listings known only from the report (no product type column)
FAILED_FEED = frozenset({"FATAL", "CANCELLED"})  # Amazon processed none of the feed
SKUS_NAMED = 20  # SKUs listed by name in the run's error (the Inventory tab shows every one)
FEED_WAIT_S = 900.0  # nominal seconds (the client divides its polling waits by FBM_DESK_SPEEDUP)


def _issues_text(issues: tuple[ListingIssue, ...]) -> str:
    return "; ".join(
        f"{i.code}: {i.message}" if i.code else i.message for i in issues if i.severity == "ERROR"
    ) or ("; ".join(i.message for i in issues))


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
        changes = pending_pushes(ctx.store.id)
        if not changes:
            counts.notes.append("Nothing changed since the last accepted push")
            return
        if len(changes) <= PATCH_LIMIT:
            self._patch(ctx, changes, counts)
        else:
            self._feed(ctx, changes, counts)

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
                outcome = PushOutcome(lst.id, ListingPushState.REJECTED, issues=_issues_text(result.issues))
                counts.rejected += 1
            record_push_outcomes([outcome], now=self._now(ctx))
            ctx.progress(f"Inventory: {n} of {len(changes)} SKUs", n, len(changes))

    def _feed(self, ctx: JobContext, changes: list[ListingPush], counts: Counts) -> None:
        updates = [
            QuantityUpdate(lst.seller_sku, lst.product_type or GENERIC_PRODUCT_TYPE, lst.available)
            for lst in changes
        ]
        ctx.progress(f"Inventory: sending {len(updates)} SKUs in one feed", None, None)
        result = ctx.client.submit_quantity_feed(ctx.store.marketplace_id, updates, FEED_WAIT_S)
        if result.processing_status in FAILED_FEED:
            self._feed_failed(ctx, changes, result)
        accepted = set(result.accepted_skus)
        outcomes = []
        for lst in changes:
            issues = result.issues_by_sku.get(lst.seller_sku, ())
            errors = tuple(i for i in issues if i.severity == "ERROR")
            if not result.done:
                outcomes.append(
                    PushOutcome(
                        lst.id, ListingPushState.SENT, issues=f"Feed {result.feed_id} still processing"
                    )
                )
            elif errors or (accepted and lst.seller_sku not in accepted):
                outcomes.append(
                    PushOutcome(lst.id, ListingPushState.REJECTED, issues=_issues_text(errors or issues))
                )
                counts.rejected += 1
            else:
                outcomes.append(PushOutcome(lst.id, ListingPushState.ACCEPTED, quantity=lst.available))
                counts.updated += 1
        record_push_outcomes(outcomes, now=self._now(ctx))  # the whole feed in one transaction
        counts.fetched += len(changes) if result.done else 0
        if not result.done:
            counts.notes.append(
                f"Feed {result.feed_id} was still {result.processing_status}; resent next run"
            )

    def _feed_failed(self, ctx: JobContext, changes: list[ListingPush], result: FeedResult) -> None:
        """Amazon applied none of the feed (FATAL: e.g. its document never arrived; CANCELLED): each SKU is
        marked rejected with the reason (the Inventory tab shows it, ``db.stock`` sends it again next run)
        and the run fails naming the SKUs still to push."""
        reason = f"Amazon's inventory feed {result.feed_id} ended {result.processing_status}"
        outcomes = []
        for lst in changes:
            said = _issues_text(result.issues_by_sku.get(lst.seller_sku, ()))
            outcomes.append(
                PushOutcome(
                    lst.id, ListingPushState.REJECTED, issues=f"{reason}: {said or 'nothing applied'}"
                )
            )
        record_push_outcomes(outcomes, now=self._now(ctx))
        skus = [lst.seller_sku for lst in changes]
        shown = ", ".join(skus[:SKUS_NAMED]) + (
            f" and {len(skus) - SKUS_NAMED} more" if len(skus) > SKUS_NAMED else ""
        )
        raise FbmError(
            f"{reason}: none of its {len(skus)} quantities were applied. Still to push: {shown}. "
            "They are sent again on the next inventory push."
        )

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
