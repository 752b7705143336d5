"""Orders: the 30-minute incremental import and the 4-times-a-day sweep.

Incremental: ``searchOrders`` (fulfilledBy=MERCHANT) with ``lastUpdatedAfter = cursor - 5 min``. Amazon lists
changes about 2 minutes late, so consecutive windows overlap by 5 minutes. No ``lastUpdatedBefore`` is sent: it
is optional, and when sent it must be at least 2 minutes in the past, which would hide an order released or
canceled a moment ago until the next run; the overlap already covers Amazon's listing delay. The first run of a
store asks for open orders only (UNSHIPPED, PARTIALLY_SHIPPED, plus PENDING when the store imports pending
orders) updated in the last 30 days; later runs also ask for SHIPPED and CANCELLED to catch those transitions
of orders we hold. Each page is written in its own transaction; the cursor advances only after the last
page (a pagination token belongs to its filters), to the window end Amazon confirmed. A crash loses at most
the page in flight and the rerun re-reads the same window: upserts and transition-only events make that
harmless.

Sweep: the same import over the last 72 hours with every status, not touching the cursor; its summary says
what it corrected (missed imports, releases, cancellations, outside shipments).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fbm_desk.db.cursors import get_cursor, set_cursor
from fbm_desk.db.order_import import PageOutcome, apply_orders_page
from fbm_desk.db.sku_resolution import resolve_order_items
from fbm_desk.db.states import OrderState
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sync.base import Counts, JobContext, JobKind

CURSOR = "orders"
FIRST_RUN_WINDOW = timedelta(days=30)
OVERLAP = timedelta(minutes=5)
SWEEP_WINDOW = timedelta(hours=72)
OPEN = ("UNSHIPPED", "PARTIALLY_SHIPPED")
CLOSED = ("SHIPPED", "CANCELLED")

_CORRECTION_TEXT = {
    "imported": "imported {n} order(s)",
    OrderState.RELEASED: "released {n} held order(s)",
    OrderState.CANCELED: "canceled {n} order(s)",
    "shipped_elsewhere": "{n} order(s) shipped outside FBM Desk",
    "address_filled": "filled {n} address(es)",
}


def statuses_for(import_pending: bool, *, first_run: bool) -> tuple[str, ...]:
    """fulfillmentStatuses to ask for: open ones always, closed ones only once we hold orders to close."""
    wanted: tuple[str, ...] = (("PENDING",) if import_pending else ()) + OPEN
    return wanted if first_run else wanted + CLOSED


def describe(outcome: PageOutcome) -> str:
    parts = [
        _CORRECTION_TEXT[k].format(n=n)
        for k, n in sorted(outcome.corrections.items())
        if k in _CORRECTION_TEXT
    ]
    if outcome.fba:
        parts.append(f"skipped {outcome.fba} Amazon-fulfilled (FBA) order(s)")
    return "; ".join(parts)


def _import_window(
    ctx: JobContext, after: datetime, statuses: tuple[str, ...], counts: Counts
) -> tuple[PageOutcome, datetime]:
    """Read every page of one window (from ``after`` to now); returns the outcome and the window end: the
    ``lastUpdatedBefore`` Amazon echoed, else the time the request started."""
    total = PageOutcome()
    confirmed_end = ctx.now()
    pages = ctx.client.search_orders(
        [ctx.store.marketplace_id],
        last_updated_after=after,
        fulfillment_statuses=statuses,
    )
    for page_no, page in enumerate(pages, start=1):
        ctx.check_cancel()
        outcome = apply_orders_page(ctx.store, page.orders, now=iso_utc(ctx.now()))
        total.merge(outcome)
        counts.fetched += outcome.fetched
        counts.created += outcome.created
        counts.updated += outcome.updated
        counts.skipped += outcome.skipped
        ctx.progress(f"Orders: page {page_no} ({counts.fetched} read)", page_no, None)
        if page.last_updated_before is not None:
            confirmed_end = min(confirmed_end, page.last_updated_before)
    return total, confirmed_end


class OrdersJob:
    kind = JobKind.ORDERS

    def run(self, ctx: JobContext, counts: Counts) -> None:
        now = ctx.now()
        cursor = get_cursor(ctx.store.id, CURSOR)
        first_run = cursor is None
        after = now - FIRST_RUN_WINDOW if cursor is None else min(cursor, now) - OVERLAP
        statuses = statuses_for(ctx.store.import_pending, first_run=first_run)
        outcome, end = _import_window(ctx, after, statuses, counts)
        with transaction():
            # the window is done: advance, never beyond what Amazon confirmed nor backwards
            new_cursor = max(end, cursor) if cursor is not None else end
            set_cursor(ctx.store.id, CURSOR, new_cursor)
        resolve_order_items(ctx.store.id)
        text = describe(outcome)
        if text:
            counts.notes.append(text)


class OrdersSweepJob:
    kind = JobKind.ORDERS_SWEEP

    def run(self, ctx: JobContext, counts: Counts) -> None:
        after = ctx.now() - SWEEP_WINDOW
        statuses = (("PENDING",) if ctx.store.import_pending else ()) + OPEN + CLOSED
        outcome, _ = _import_window(ctx, after, statuses, counts)
        resolve_order_items(ctx.store.id)
        text = describe(outcome)
        counts.notes.append(
            f"Sweep of the last 72 h: {text}" if text else "Sweep of the last 72 h: nothing to correct"
        )
