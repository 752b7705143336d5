"""Feeds 2021-06-30: JSON_LISTINGS_FEED for bulk merchant quantities (spapi-notes §5.1)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fbm_desk.amazon._parse import arr, integer, obj, text
from fbm_desk.amazon.documents import Document, decode, download
from fbm_desk.amazon.errors import MalformedResponse
from fbm_desk.amazon.http import SpApiTransport
from fbm_desk.amazon.listings import quantity_patch
from fbm_desk.amazon.ratelimit import ANY_SELLER, JSON_LISTINGS_FEED_OPERATION
from fbm_desk.amazon.types import FeedResult, ListingIssue, QuantityUpdate
from fbm_desk.foundation.errors import InvalidInput

log = logging.getLogger(__name__)

BASE = "/feeds/2021-06-30"
FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
MAX_MESSAGES = 25_000
POLL_INTERVALS_S = (10.0, 20.0, 30.0)  # then every 30 s (nominal; divided by speedup)


def build_feed_document(seller_id: str, updates: Sequence[QuantityUpdate]) -> dict[str, Any]:
    """listings-feed-schema-v2 document: one PATCH message (merge, DEFAULT channel) per SKU."""
    if not updates:
        raise InvalidInput("A quantity feed needs at least one SKU.")
    if len(updates) > MAX_MESSAGES:
        raise InvalidInput(f"A quantity feed can carry at most {MAX_MESSAGES} SKUs.")
    messages = []
    for number, update in enumerate(updates, start=1):
        patch = quantity_patch(update.product_type, update.quantity)
        messages.append(
            {
                "messageId": number,
                "sku": update.sku,
                "operationType": "PATCH",
                "productType": patch["productType"],
                "patches": patch["patches"],
            }
        )
    return {"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"}, "messages": messages}


def submit_quantity_feed(
    transport: SpApiTransport,
    seller_id: str,
    marketplace_id: str,
    updates: Sequence[QuantityUpdate],
    *,
    wait_s: float,
) -> FeedResult:
    """Upload, create, and wait up to ``wait_s`` (nominal seconds) for the processing report.

    If Amazon is still processing after ``wait_s``, the result's status is IN_QUEUE/IN_PROGRESS and carries
    no per-SKU outcome.
    """
    document = build_feed_document(seller_id, updates)
    payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
    feed_id = create_feed(
        transport,
        FEED_TYPE,
        marketplace_id,
        payload,
        CONTENT_TYPE,
        extra_limits=[(ANY_SELLER, JSON_LISTINGS_FEED_OPERATION)],
    )
    log.info("feed %s submitted with %d SKUs", feed_id, len(updates))
    skus = {number: u.sku for number, u in enumerate(updates, start=1)}
    return wait_for_feed(transport, feed_id, skus, wait_s=wait_s)


def create_feed(
    transport: SpApiTransport,
    feed_type: str,
    marketplace_id: str,
    payload: bytes,
    content_type: str,
    *,
    extra_limits: Sequence[tuple[str, str]] = (),
) -> str:
    """createFeedDocument, upload ``payload`` to its presigned URL, createFeed; returns the feed id.

    createFeed is the one non-idempotent step: the transport's retry policy never sends it again unless the
    failure proves Amazon did not take it (otherwise ``OutcomeUnknown``)."""
    created = transport.call(
        "createFeedDocument", "POST", f"{BASE}/documents", json_body={"contentType": content_type}
    ).body
    document_id, upload_url = text(created, "feedDocumentId"), text(created, "url")
    if not document_id or not upload_url:
        raise MalformedResponse(
            "Amazon did not return a feed document to upload to.", operation="createFeedDocument"
        )
    transport.transfer("PUT", upload_url, data=payload, headers={"content-type": content_type})
    feed = transport.call(
        "createFeed",
        "POST",
        f"{BASE}/feeds",
        json_body={
            "feedType": feed_type,
            "marketplaceIds": [marketplace_id],
            "inputFeedDocumentId": document_id,
        },
        extra_limits=list(extra_limits),
    ).body
    feed_id = text(feed, "feedId")
    if not feed_id:
        raise MalformedResponse("Amazon did not return a feed id.", operation="createFeed")
    return feed_id


def await_feed(transport: SpApiTransport, feed_id: str, *, wait_s: float) -> tuple[str, str]:
    """Poll getFeed (bounded by ``wait_s`` nominal seconds): (processingStatus, resultFeedDocumentId)."""
    waited = 0.0
    step = 0
    while True:
        feed = transport.call("getFeed", "GET", f"{BASE}/feeds/{quote(feed_id, safe='')}").body
        status = text(feed, "processingStatus")
        if status in ("DONE", "CANCELLED", "FATAL"):
            return status, text(feed, "resultFeedDocumentId")
        if waited >= wait_s:
            log.info("feed %s still %s after %.0f s", feed_id, status, waited)
            return status or "IN_PROGRESS", ""
        interval = POLL_INTERVALS_S[min(step, len(POLL_INTERVALS_S) - 1)]
        interval = min(interval, max(wait_s - waited, 0.0)) or interval
        step += 1
        transport.sleep(interval)
        waited += interval


def result_document(transport: SpApiTransport, result_id: str) -> Document:
    """The feed's processing report: getFeedDocument, then the download (gunzipped when needed)."""
    doc = transport.call("getFeedDocument", "GET", f"{BASE}/documents/{quote(result_id, safe='')}").body
    url = text(doc, "url")
    if not url:
        raise MalformedResponse("Amazon's feed report has no download link.", operation="getFeedDocument")
    return download(transport, url, text(doc, "compressionAlgorithm"))


def wait_for_feed(
    transport: SpApiTransport, feed_id: str, skus_by_message: dict[int, str], *, wait_s: float
) -> FeedResult:
    """Poll getFeed (bounded) and read the processing report once the feed is DONE."""
    status, result_id = await_feed(transport, feed_id, wait_s=wait_s)
    if status in ("IN_QUEUE", "IN_PROGRESS"):
        return FeedResult(feed_id=feed_id, processing_status=status)
    if status == "CANCELLED" or not result_id:  # a FATAL feed's report says why: read it as well
        log.info("feed %s ended %s", feed_id, status)
        return FeedResult(feed_id=feed_id, processing_status=status)
    downloaded = result_document(transport, result_id)
    try:
        report = json.loads(decode(downloaded.data, downloaded.content_type or CONTENT_TYPE))
    except ValueError as exc:
        raise MalformedResponse("Amazon's feed processing report is not readable JSON.") from exc
    return parse_processing_report(feed_id, status, report, skus_by_message)


def parse_processing_report(
    feed_id: str, status: str, report: Any, skus_by_message: dict[int, str]
) -> FeedResult:
    """Per-SKU outcome: a SKU is accepted unless one of its messages has an ERROR issue."""
    if not isinstance(report, dict):
        raise MalformedResponse("Amazon's feed processing report is not an object.")
    issues: dict[str, list[ListingIssue]] = {}
    rejected: set[str] = set()
    feed_level: list[ListingIssue] = []
    for raw in arr(report, "issues"):
        if not isinstance(raw, dict):
            continue
        sku = text(raw, "sku") or skus_by_message.get(integer(raw, "messageId", -1), "")
        issue = ListingIssue(
            code=text(raw, "code"),
            message=text(raw, "message"),
            severity=(text(raw, "severity") or "ERROR").upper(),
        )
        if not sku:
            log.warning("feed %s: issue without SKU or known message id: %s", feed_id, issue.code)
            if issue.severity == "ERROR":
                feed_level.append(issue)
            continue
        issues.setdefault(sku, []).append(issue)
        if issue.severity == "ERROR":
            rejected.add(sku)
    invalid = integer(obj(report, "summary"), "messagesInvalid")
    if not feed_level and invalid > len(rejected):
        # Amazon counts invalid messages it does not name: no SKU of this feed can be taken as accepted
        feed_level.append(
            ListingIssue(
                "", f"Amazon's feed report counts {invalid} invalid message(s) without naming them", "ERROR"
            )
        )
    if feed_level:
        for sku in skus_by_message.values():
            issues.setdefault(sku, []).extend(feed_level)
            rejected.add(sku)
    accepted = tuple(sku for _, sku in sorted(skus_by_message.items()) if sku not in rejected)
    return FeedResult(
        feed_id=feed_id,
        processing_status=status,
        accepted_skus=accepted,
        issues_by_sku={sku: tuple(found) for sku, found in issues.items()},
    )
