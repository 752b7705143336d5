"""Products: new listings every 30 minutes, the full listings report daily at midnight UTC.

New listings: ``searchListingsItems`` for listings created since the cursor (minus an overlap), adding the
ones not in the system yet. A store without a cursor gets the full report first (its first import).
Full: ``GET_MERCHANT_LISTINGS_ALL_DATA`` adds new listings, updates titles/ASINs/status/quantities and marks
merchant listings that are no longer on Amazon as gone. Both create products for new seller SKUs and then
map order items that were waiting for those SKUs.
"""

from __future__ import annotations

from datetime import timedelta

from fbm_desk.amazon.errors import AmazonRejected
from fbm_desk.amazon.types import ListingRow
from fbm_desk.db.cursors import get_cursor, set_cursor
from fbm_desk.db.listing_images import listings_to_check, set_image_links
from fbm_desk.db.listings import lossy_titles, mark_gone, repair_title, upsert_listings
from fbm_desk.db.sku_resolution import resolve_order_items
from fbm_desk.db.stock import PushReason, push_plan
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sync.base import Counts, JobContext, JobKind

CURSOR = "products"
OVERLAP = timedelta(minutes=10)
PAGE = 100
REPORT_MAX_WAIT_S = 1800.0
TITLE_REPAIRS_PER_RUN = 100  # getListingsItem calls at most (5/s): about 20 s
IMAGE_LINKS_PER_RUN = 400  # listings whose picture link is read per full import: 20 searchListingsItems calls


def _store_rows(ctx: JobContext, rows: list[ListingRow], counts: Counts, read_at: str | None = None) -> None:
    result = upsert_listings(ctx.store, rows, now=iso_utc(ctx.now()), read_at=read_at)
    counts.created += result.created
    counts.updated += result.updated
    counts.skipped += result.skipped
    if result.products_created:
        counts.notes.append(f"{result.products_created} new product(s)")


def full_import(ctx: JobContext, counts: Counts) -> None:
    started = ctx.now()
    ctx.progress("Products: waiting for Amazon's listings report", None, None)
    rows = ctx.client.fetch_listings_report(ctx.store.marketplace_id, max_wait_s=REPORT_MAX_WAIT_S)
    ctx.check_cancel()
    counts.fetched += len(rows)
    for start in range(0, len(rows), 500):
        ctx.check_cancel()
        _store_rows(ctx, rows[start : start + 500], counts, read_at=iso_utc(started))
        ctx.progress(f"Products: {min(start + 500, len(rows))} of {len(rows)}", start + 500, len(rows))
    if rows:
        gone = mark_gone(ctx.store.id, [r.seller_sku for r in rows], now=iso_utc(ctx.now()))
        if gone:
            counts.updated += gone
            counts.notes.append(f"{gone} listing(s) no longer on Amazon")
    else:
        # Amazon answers CANCELLED both for "no listings" and for "asked too often": never take an empty
        # report as proof that every listing is gone
        counts.notes.append("Amazon's listings report was empty; nothing marked gone")
    repair_lossy_titles(ctx, counts)
    read_image_links(ctx, counts)
    note_drift(ctx, counts)
    if get_cursor(ctx.store.id, CURSOR) is None:
        set_cursor(ctx.store.id, CURSOR, started)
    resolve_order_items(ctx.store.id)


def note_drift(ctx: JobContext, counts: Counts) -> None:
    """Say how many SKUs Amazon shows with another quantity than the warehouse would push: the next
    inventory push re-sends exactly those (``fbm_desk.db.stock``, reason DRIFTED)."""
    drifted = [p for p in push_plan(ctx.store.id, sending_only=True) if p.reason is PushReason.DRIFTED]
    if drifted:
        counts.notes.append(
            f"Amazon shows another quantity for {len(drifted)} SKU(s); the next push corrects it"
        )


def repair_lossy_titles(ctx: JobContext, counts: Counts) -> None:
    """The report is in a legacy charset where Amazon writes '?' for characters it cannot encode (Polish,
    Greek, CJK, symbols). Read those few listings once through the Listings API (UTF-8) for their full
    titles; once repaired, later full imports keep them (``is_lossy_copy``)."""
    repaired = 0
    for sku in lossy_titles(ctx.store.id, TITLE_REPAIRS_PER_RUN):
        ctx.check_cancel()
        try:
            row = ctx.client.get_listing(ctx.store.marketplace_id, sku)
        except AmazonRejected:  # gone meanwhile, or not readable: keep the report's title
            continue
        repaired += repair_title(ctx.store.id, row)
    if repaired:
        counts.updated += repaired
        counts.notes.append(f"full titles read for {repaired} listing(s) the report could not spell")


def read_image_links(ctx: JobContext, counts: Counts) -> None:
    """The report has no usable picture column (deprecated): read ``summaries.mainImage.link`` through
    searchListingsItems, 20 SKUs per call: listings never read first, then the longest unchecked ones.
    New listings (the 30-minute search) bring theirs with them."""
    due = listings_to_check(ctx.store.id, IMAGE_LINKS_PER_RUN)
    found = 0
    for start in range(0, len(due), 20):
        ctx.check_cancel()
        skus = due[start : start + 20]
        rows = ctx.client.read_listings(ctx.store.marketplace_id, skus)
        links = {r.seller_sku: r.image_url for r in rows}
        found += set_image_links(ctx.store.id, skus, links, iso_utc(ctx.now()))
    if found:
        counts.notes.append(f"new picture links for {found} listing(s)")


class ProductsJob:
    kind = JobKind.PRODUCTS

    def run(self, ctx: JobContext, counts: Counts) -> None:
        cursor = get_cursor(ctx.store.id, CURSOR)
        if cursor is None:
            counts.notes.append("First product import: read the full listings report")
            full_import(ctx, counts)
            return
        started = ctx.now()
        batch: list[ListingRow] = []
        for row in ctx.client.search_new_listings(ctx.store.marketplace_id, cursor - OVERLAP):
            counts.fetched += 1
            batch.append(row)
            if len(batch) >= PAGE:
                ctx.check_cancel()
                _store_rows(ctx, batch, counts)
                batch = []
                ctx.progress(f"New products: {counts.fetched} read", counts.fetched, None)
        if batch:
            _store_rows(ctx, batch, counts)
        # the next run starts where this one started (minus the overlap): listings created meanwhile are seen
        set_cursor(ctx.store.id, CURSOR, started)
        resolve_order_items(ctx.store.id)


class ProductsFullJob:
    kind = JobKind.PRODUCTS_FULL

    def run(self, ctx: JobContext, counts: Counts) -> None:
        full_import(ctx, counts)
