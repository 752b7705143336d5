"""The inventory push's JSON_LISTINGS_FEED path, and the feeds Amazon had not finished at the end of a run.

A feed still IN_QUEUE/IN_PROGRESS when the run stops waiting keeps its listings ``sent`` with the feed id, the
message number and the quantity it carries (``record_push_outcomes``). The next run polls that feed first
(one getFeed) instead of sending those SKUs again, as Amazon asks (wait for the previous feed): DONE records
what Amazon accepted or rejected, CANCELLED/FATAL makes its SKUs due again, still processing keeps them
waiting — and no second feed is submitted while one is in flight (patches still go out).
"""

from __future__ import annotations

from fbm_desk.amazon.errors import AmazonNotFound
from fbm_desk.amazon.types import FeedResult, ListingIssue, QuantityUpdate
from fbm_desk.db.inventory import FeedMessage, PushOutcome, feeds_in_flight, record_push_outcomes
from fbm_desk.db.states import ListingPushState
from fbm_desk.db.stock import ListingPush
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sync.base import Counts, JobContext

GENERIC_PRODUCT_TYPE = "PRODUCT"  # stored for listings known only from the report (no product type column)
FEED_WAIT_S = 900.0  # nominal seconds (the client divides its polling waits by FBM_DESK_SPEEDUP)
SKUS_NAMED = 20  # SKUs listed by name in the run's error (the Inventory tab shows every one)


def issues_text(issues: tuple[ListingIssue, ...]) -> str:
    return "; ".join(
        f"{i.code}: {i.message}" if i.code else i.message for i in issues if i.severity == "ERROR"
    ) or ("; ".join(i.message for i in issues))


def _outcomes(result: FeedResult, messages: list[FeedMessage], counts: Counts) -> list[PushOutcome]:
    """Per listing of a feed: accepted / rejected from its report, due again when it ended without one,
    still waiting while Amazon processes it."""
    accepted = set(result.accepted_skus)
    out: list[PushOutcome] = []
    for m in messages:
        if result.in_progress:
            out.append(
                PushOutcome(
                    m.listing_id,
                    ListingPushState.SENT,
                    quantity=m.quantity,
                    issues=f"Feed {result.feed_id} still processing",
                    feed_id=result.feed_id,
                    feed_message_id=m.message_id,
                )
            )
            continue
        issues = result.issues_by_sku.get(m.seller_sku, ())
        errors = tuple(i for i in issues if i.severity == "ERROR")
        if not result.done:
            text = f"Feed {result.feed_id} ended {result.processing_status} at Amazon; sent again"
            out.append(PushOutcome(m.listing_id, ListingPushState.REJECTED, issues=text))
            counts.rejected += 1
        elif errors or (accepted and m.seller_sku not in accepted):
            out.append(
                PushOutcome(m.listing_id, ListingPushState.REJECTED, issues=issues_text(errors or issues))
            )
            counts.rejected += 1
        else:
            out.append(PushOutcome(m.listing_id, ListingPushState.ACCEPTED, quantity=m.quantity))
            counts.updated += 1
    return out


def settle_feeds(ctx: JobContext, counts: Counts) -> bool:
    """Poll the store's unfinished feeds and record their outcome; True when one is still in flight."""
    waiting = False
    for feed_id, messages in feeds_in_flight(ctx.store.id).items():
        ctx.check_cancel()
        skus = {m.message_id: m.seller_sku for m in messages}
        try:
            result = ctx.client.poll_quantity_feed(feed_id, skus)
        except AmazonNotFound:  # Amazon no longer knows the feed: its outcome is lost, send again
            result = FeedResult(feed_id, "UNKNOWN")
        record_push_outcomes(_outcomes(result, messages, counts), now=iso_utc(ctx.now()))
        if result.in_progress:
            waiting = True
            counts.notes.append(
                f"Feed {feed_id} still {result.processing_status}: its {len(messages)} SKU(s) wait for it"
            )
        else:
            counts.fetched += len(messages)
    return waiting


def send_feed(ctx: JobContext, changes: list[ListingPush], counts: Counts) -> None:
    """One JSON_LISTINGS_FEED for ``changes``, awaited up to ``FEED_WAIT_S``; message n is changes[n - 1]."""
    updates = [
        QuantityUpdate(lst.seller_sku, lst.product_type or GENERIC_PRODUCT_TYPE, lst.available)
        for lst in changes
    ]
    ctx.progress(f"Inventory: sending {len(updates)} SKUs in one feed", None, None)
    result = ctx.client.submit_quantity_feed(ctx.store.marketplace_id, updates, FEED_WAIT_S)
    messages = [
        FeedMessage(lst.id, lst.seller_sku, result.feed_id, n, lst.available)
        for n, lst in enumerate(changes, start=1)
    ]
    record_push_outcomes(_outcomes(result, messages, counts), now=iso_utc(ctx.now()))  # one transaction
    if not result.in_progress and not result.done:
        _fail_run(result, [lst.seller_sku for lst in changes])
    if result.in_progress:
        counts.notes.append(
            f"Feed {result.feed_id} was still {result.processing_status}; the next run waits for it"
        )
    else:
        counts.fetched += len(changes)


def _fail_run(result: FeedResult, skus: list[str]) -> None:
    """Amazon applied none of the feed just sent (FATAL: e.g. its document never arrived; CANCELLED): its SKUs
    are already marked rejected with the reason (the Inventory tab shows it, ``db.stock`` sends them again next
    run); the run fails naming them, so the user sees it (run status, notification)."""
    shown = ", ".join(skus[:SKUS_NAMED]) + (
        f" and {len(skus) - SKUS_NAMED} more" if len(skus) > SKUS_NAMED else ""
    )
    raise FbmError(
        f"Amazon's inventory feed {result.feed_id} ended {result.processing_status}: none of its {len(skus)} "
        f"quantities were applied. Still to push: {shown}. They are sent again on the next inventory push."
    )
