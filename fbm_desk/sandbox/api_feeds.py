"""Feeds API 2021-06-30 for JSON_LISTINGS_FEED: createFeedDocument, (upload), createFeed, getFeed,
getFeedDocument, and the processing report (listings-feed-processing-report-schema-v2). The XML order
acknowledgement feed (seller cancellations) is processed by ``order_ack_feed.py``.

Sandbox choice: messages for SKUs the seller does not have are reported as ERROR issues (Amazon often reports
them as accepted, see amzn/selling-partner-api-models#4402).
"""

from __future__ import annotations

import json
from typing import Any

from fbm_desk.sandbox.feed_schema import schema_problems
from fbm_desk.sandbox.http_util import Request, Response, invalid_input, require_json_object
from fbm_desk.sandbox.jobs import advanced_job, document_response, render_job, require_kind_and_marketplaces
from fbm_desk.sandbox.listing_patch import (
    apply_quantity,
    check_patches,
    product_type_issue,
    structural_problem,
    unknown_sku_issue,
)
from fbm_desk.sandbox.model import Job
from fbm_desk.sandbox.order_ack_feed import FEED_TYPE as ORDER_ACK_FEED
from fbm_desk.sandbox.order_ack_feed import process_order_ack_feed
from fbm_desk.sandbox.world import World

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
OPERATION_TYPES = frozenset({"UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"})


def create_feed_document(world: World, req: Request) -> Response:
    body = require_json_object(req)
    content_type = body.get("contentType")
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_input("Missing required field contentType.")
    with world.lock:
        doc = world.new_document("amzn1.tortuga.4.na")
        doc.content_type = content_type
        url = world.presigner.url(world.base_url, doc, "PUT")
    return Response.json(201, {"feedDocumentId": doc.document_id, "url": url})


def create_feed(world: World, req: Request) -> Response:
    body = require_json_object(req)
    feed_type, marketplaces = require_kind_and_marketplaces(world, body, "feedType")
    doc_id = body.get("inputFeedDocumentId")
    with world.lock:
        if not isinstance(doc_id, str) or doc_id not in world.documents:
            raise invalid_input("Invalid inputFeedDocumentId.", "The feed document does not exist.")
        feed_id = str(500000000000 + world.rng.randint(0, 99999999) * 100 + len(world.feeds) % 100)
        world.feeds[feed_id] = Job(
            job_id=feed_id,
            kind=feed_type,
            marketplace_ids=list(marketplaces),
            created=world.clock.now(),
            created_mono=world.clock.mono(),
            seller=req.seller,
            input_document_id=doc_id,
        )
    return Response.json(202, {"feedId": feed_id})


def _issue(message: str, *, message_id: int | None = None, sku: str = "", code: str = "") -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": "ERROR", "message": message}
    if message_id is not None:
        issue["messageId"] = message_id
    if sku:
        issue["sku"] = sku
    if code:
        issue["code"] = code
    return issue


def _processing_report(
    job: Job, issues: list[dict[str, Any]], *, processed: int = 0, accepted: int = 0, invalid: int = 0
) -> dict[str, Any]:
    """The feed's processing report (listings-feed-processing-report-schema-v2)."""
    return {
        "header": {"sellerId": job.seller, "version": "2.0", "feedId": job.job_id},
        "issues": issues,
        "summary": {
            "errors": len(issues),
            "warnings": 0,
            "messagesProcessed": processed,
            "messagesAccepted": accepted,
            "messagesInvalid": invalid,
        },
    }


def _schema_issues(feed: Any) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """Amazon's schema check of the whole document: (feed-level issues, issues per message index)."""
    feed_level: list[dict[str, Any]] = []
    per_message: dict[int, list[dict[str, Any]]] = {}
    for path, text in schema_problems(feed):
        where = "/".join(str(p) for p in path) or "(root)"
        if len(path) >= 2 and path[0] == "messages" and isinstance(path[1], int):
            per_message.setdefault(path[1], []).append(
                _issue(f"Invalid parameters provided: {where}: {text}", code="100003")
            )
        else:
            feed_level.append(
                _issue(f"The feed does not follow the listings feed schema: {where}: {text}", code="100001")
            )
    return feed_level, per_message


def process_listings_feed(world: World, job: Job, content: bytes) -> tuple[str, dict[str, Any]]:
    """Apply a JSON_LISTINGS_FEED; returns (final status, processing report).

    The document is first validated with Amazon's listings feed schema: a document-level problem (header,
    no messages) fails the whole feed (FATAL), a message that breaks it is reported and not applied."""
    issues: list[dict[str, Any]] = []
    messages: list[Any] = []
    per_message: dict[int, list[dict[str, Any]]] = {}
    accepted = invalid = processed = 0
    try:
        feed = json.loads(content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        feed = None
        issues.append(_issue("The feed document is not valid JSON.", code="100001"))
    if feed is not None:
        feed_level, per_message = _schema_issues(feed)
        issues += feed_level
        if not isinstance(feed, dict) and not feed_level:
            issues.append(_issue("The feed document must be a JSON object.", code="100001"))
        elif not feed_level and feed["header"].get("sellerId") != job.seller:
            issues.append(_issue("The header must contain this seller's sellerId.", code="100002"))
        messages = [] if issues else feed["messages"]
    for index, message in enumerate(messages):
        processed += 1
        msg_id = message.get("messageId") if isinstance(message, dict) else None
        sku = message.get("sku") if isinstance(message, dict) else None
        msg_id = msg_id if isinstance(msg_id, int) and not isinstance(msg_id, bool) and msg_id >= 1 else None
        sku = sku if isinstance(sku, str) and sku else ""
        problems = per_message.get(index) or _check_message(world, message, int(msg_id or 0), sku)
        world.pushed_feed_messages.append(
            {"feed_id": job.job_id, "message": message, "accepted": not problems}
        )
        for p in problems:
            if sku:
                p.setdefault("sku", sku)
            if msg_id is not None:
                p.setdefault("messageId", msg_id)
        issues += problems
        if problems:
            invalid += 1
        else:
            accepted += 1
    report = _processing_report(job, issues, processed=processed, accepted=accepted, invalid=invalid)
    return ("FATAL" if not processed and issues else "DONE"), report


def _check_message(world: World, message: dict[str, Any], msg_id: int, sku: str) -> list[dict[str, Any]]:
    op = message.get("operationType")
    if op not in OPERATION_TYPES:
        return [_issue("Invalid parameters provided.", code="100003")]
    listing = world.listings.get(sku)
    if listing is None:
        return [_issue(unknown_sku_issue(sku).message, code="NOT_FOUND")]
    if op == "DELETE":
        return [_issue("DELETE is not supported by the sandbox.", code="100004")]
    if not isinstance(message.get("productType"), str) or not message["productType"]:
        return [_issue("'productType' is required but not supplied.", code="90220")]
    wrong_type = product_type_issue(listing, message["productType"])
    if wrong_type is not None:
        return [_issue(wrong_type.message, code=wrong_type.code)]
    if op == "PATCH":
        patches = message.get("patches")
        if structural_problem(patches):
            return [_issue("Invalid parameters provided.", code="100003")]
    else:
        attrs = message.get("attributes")
        if not isinstance(attrs, dict) or "fulfillment_availability" not in attrs:
            return [_issue("The sandbox only applies 'fulfillment_availability'.", code="100004")]
        patches = [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": attrs["fulfillment_availability"],
            }
        ]
    assert isinstance(patches, list)
    found, quantity = check_patches(patches)
    if found:
        return [
            _issue(i.message, code=i.code) | ({"attributeName": i.attribute} if i.attribute else {})
            for i in found
        ]
    apply_quantity(listing, quantity)
    listing.last_updated = world.clock.now()
    return []


def _finish(world: World, job: Job) -> str:
    doc = world.documents.get(job.input_document_id)
    result = world.new_document("amzn1.tortuga.4.na")
    if job.kind == ORDER_ACK_FEED and doc is not None and doc.uploaded:
        status, result.content = process_order_ack_feed(world, job, doc.content)
        result.content_type = "text/xml; charset=UTF-8"
    else:
        if job.kind != JSON_LISTINGS_FEED or doc is None or not doc.uploaded:
            issue = _issue("The feed document was never uploaded or the feed type is not supported.")
            status, report = "FATAL", _processing_report(job, [issue])
        else:
            status, report = process_listings_feed(world, job, doc.content)
        result.content = json.dumps(report, ensure_ascii=False).encode("utf-8")
        result.content_type = "application/json"
    result.uploaded = True
    job.result_document_id = result.document_id
    return status


def get_feed(world: World, req: Request) -> Response:
    with world.lock:
        job = advanced_job(
            world.feeds,
            req.params["feedId"],
            "Feed",
            world.clock,
            lambda j: _finish(world, j),
            world.feed_processing_seconds,
        )
        return Response.json(200, render_job(job, "feed", "resultFeedDocumentId"))


def get_feed_document(world: World, req: Request) -> Response:
    return document_response(world, req.params["feedDocumentId"], "amzn1.tortuga", "Feed", "feedDocumentId")
