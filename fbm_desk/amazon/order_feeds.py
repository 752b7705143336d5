"""Seller-initiated order cancellation: the XML order acknowledgement feed ``POST_ORDER_ACKNOWLEDGEMENT_DATA``
sent through the Feeds API 2021-06-30 (createFeedDocument → upload → createFeed → getFeed → getFeedDocument).

Amazon has no REST operation that cancels an order; its supported route is this feed (Amazon's feed type
values, "Order acknowledgement feed"; Amazon staff pointed to it in amzn/selling-partner-api-models #4839).
One ``AmazonEnvelope`` (amzn-envelope.xsd, ``MessageType`` OrderAcknowledgement) with one message
(OrderAcknowledgement.xsd): ``AmazonOrderID``, ``StatusCode`` ``Failure`` (= cancel) and, per item,
``AmazonOrderItemCode`` with a ``CancelReason`` from the XSD's enumeration. Content type
``text/xml; charset=UTF-8``. The answer is the XML processing report (``MessageType`` ProcessingReport):
``ProcessingSummary`` counts and one ``Result`` per problem (``ResultCode`` Error/Warning,
``ResultMessageCode``, ``ResultDescription``).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from fbm_desk.amazon.documents import decode
from fbm_desk.amazon.errors import MalformedResponse
from fbm_desk.amazon.feeds import await_feed, create_feed, result_document
from fbm_desk.amazon.http import SpApiTransport
from fbm_desk.amazon.types import CancellationResult, FeedError

log = logging.getLogger(__name__)

FEED_TYPE = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
CONTENT_TYPE = "text/xml; charset=UTF-8"
# OrderAcknowledgement.xsd, CancelReason's enumeration
CANCEL_REASONS = (
    "NoInventory",
    "ShippingAddressUndeliverable",
    "CustomerExchange",
    "BuyerCanceled",
    "GeneralAdjustment",
    "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure",
    "CustomerReturn",
    "MerchandiseNotReceived",
)
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def build_cancellation_feed(
    seller_id: str, amazon_order_id: str, reason: str, item_codes: Sequence[str]
) -> bytes:
    """The AmazonEnvelope cancelling the whole order: StatusCode Failure, every item with ``reason``."""
    if reason not in CANCEL_REASONS:
        raise ValueError(f"unknown CancelReason {reason!r}")
    if not item_codes:
        raise ValueError("a cancellation names at least one order item")
    envelope = ET.Element("AmazonEnvelope")
    envelope.set("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
    envelope.set("xsi:noNamespaceSchemaLocation", "amzn-envelope.xsd")
    header = ET.SubElement(envelope, "Header")
    ET.SubElement(header, "DocumentVersion").text = "1.01"
    ET.SubElement(header, "MerchantIdentifier").text = seller_id
    ET.SubElement(envelope, "MessageType").text = "OrderAcknowledgement"
    message = ET.SubElement(envelope, "Message")
    ET.SubElement(message, "MessageID").text = "1"
    ack = ET.SubElement(message, "OrderAcknowledgement")
    ET.SubElement(ack, "AmazonOrderID").text = amazon_order_id
    ET.SubElement(ack, "StatusCode").text = "Failure"
    for code in item_codes:
        item = ET.SubElement(ack, "Item")
        ET.SubElement(item, "AmazonOrderItemCode").text = code
        ET.SubElement(item, "CancelReason").text = reason
    return bytes(ET.tostring(envelope, encoding="utf-8", xml_declaration=True))


def _child_text(node: ET.Element | None, name: str) -> str:
    found = node.find(name) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def parse_processing_report(feed_id: str, status: str, xml_text: str) -> CancellationResult:
    """Accepted when the report counts a successful message and names no Error result."""
    if _DTD.search(xml_text):
        raise MalformedResponse("Amazon's feed processing report carries a DTD; it is not read.")
    try:
        root = ET.fromstring(xml_text.lstrip("\ufeff"))  # noqa: S314 - no DTD (checked above): no entities
    except ET.ParseError as exc:
        raise MalformedResponse("Amazon's feed processing report is not readable XML.") from exc
    report = root.find("./Message/ProcessingReport")
    if report is None:
        raise MalformedResponse("Amazon's feed processing report has no ProcessingReport.")
    summary = report.find("ProcessingSummary")
    errors = [
        FeedError(_child_text(r, "ResultMessageCode"), _child_text(r, "ResultDescription"))
        for r in report.findall("Result")
        if _child_text(r, "ResultCode").lower() == "error"
    ]

    def count(name: str) -> int:
        value = _child_text(summary, name)
        return int(value) if value.isdigit() else 0

    if not errors and count("MessagesWithError"):
        errors.append(FeedError("", f"Amazon counts {count('MessagesWithError')} message(s) with errors."))
    if not errors and not count("MessagesSuccessful"):
        errors.append(FeedError("", "Amazon's report counts no message as processed successfully."))
    accepted = status == "DONE" and not errors
    return CancellationResult(feed_id, status, accepted, tuple(errors))


def cancel_order(
    transport: SpApiTransport,
    seller_id: str,
    marketplace_id: str,
    amazon_order_id: str,
    reason: str,
    item_codes: Sequence[str],
    *,
    wait_s: float,
    on_submitted: Callable[[str], None] | None = None,
) -> CancellationResult:
    """Send one cancellation feed and wait up to ``wait_s`` (nominal seconds) for its processing report.

    ``on_submitted(feed_id)`` runs as soon as Amazon has the feed: a failure after it (reading the outcome)
    does not mean the cancellation was not sent."""
    payload = build_cancellation_feed(seller_id, amazon_order_id, reason, item_codes)
    feed_id = create_feed(transport, FEED_TYPE, marketplace_id, payload, CONTENT_TYPE)
    log.info("order %s: cancellation feed %s submitted (%s)", amazon_order_id, feed_id, reason)
    if on_submitted is not None:
        on_submitted(feed_id)
    return poll_cancellation(transport, feed_id, wait_s=wait_s)


def poll_cancellation(transport: SpApiTransport, feed_id: str, *, wait_s: float) -> CancellationResult:
    """An earlier cancellation feed: getFeed until done (bounded), then its processing report."""
    status, result_id = await_feed(transport, feed_id, wait_s=wait_s)
    if status in ("IN_QUEUE", "IN_PROGRESS"):
        return CancellationResult(feed_id, status, False)
    if status == "CANCELLED":
        return CancellationResult(feed_id, status, False, (FeedError("", "Amazon cancelled the feed."),))
    if not result_id:
        return CancellationResult(
            feed_id, status, False, (FeedError("", f"Amazon could not process the feed ({status})."),)
        )
    downloaded = result_document(transport, result_id)
    text = decode(downloaded.data, downloaded.content_type or CONTENT_TYPE)
    result = parse_processing_report(feed_id, status, text)
    if status == "FATAL" and not result.errors:
        return CancellationResult(
            feed_id, status, False, (FeedError("", "Amazon could not process the feed."),)
        )
    return result
