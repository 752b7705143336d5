"""POST_ORDER_ACKNOWLEDGEMENT_DATA: the XML order acknowledgement feed, Amazon's route for a seller to cancel
an order (StatusCode ``Failure``), processed like Amazon does and answered with the XML processing report.

Checked: well-formed XML without a DTD; an ``AmazonEnvelope`` whose header names this seller and whose
``MessageType`` is OrderAcknowledgement; per message an ``AmazonOrderID`` of this seller's orders in the
feed's marketplace, a ``StatusCode`` of Success/Failure, items that belong to the order, a ``CancelReason``
from OrderAcknowledgement.xsd's list. A shipped (or partly shipped) order cannot be canceled. A document-level
problem fails the feed (FATAL, the report says why); a message-level one is an Error result. The order is
canceled when the feed is processed (never at createFeed), which also closes the buyer's cancellation request.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from fbm_desk.sandbox.model import Job, Order
from fbm_desk.sandbox.world import World

FEED_TYPE = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
CANCEL_REASONS = frozenset(
    {
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
    }
)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class _Report:
    seller: str
    feed_id: str
    processed: int = 0
    successful: int = 0
    results: list[tuple[str, str, str, str]] = field(default_factory=list)  # message id, code, text, order

    def error(self, message_id: str, code: str, text: str, order_id: str = "") -> None:
        self.results.append((message_id, code, text, order_id))

    def render(self) -> bytes:
        root = ET.Element("AmazonEnvelope")
        root.set("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        root.set("xsi:noNamespaceSchemaLocation", "amzn-envelope.xsd")
        header = ET.SubElement(root, "Header")
        ET.SubElement(header, "DocumentVersion").text = "1.02"
        ET.SubElement(header, "MerchantIdentifier").text = self.seller
        ET.SubElement(root, "MessageType").text = "ProcessingReport"
        message = ET.SubElement(root, "Message")
        ET.SubElement(message, "MessageID").text = "1"
        report = ET.SubElement(message, "ProcessingReport")
        ET.SubElement(report, "DocumentTransactionID").text = self.feed_id
        ET.SubElement(report, "StatusCode").text = "Complete"
        summary = ET.SubElement(report, "ProcessingSummary")
        failed = len({r[0] for r in self.results})
        for name, value in (
            ("MessagesProcessed", self.processed),
            ("MessagesSuccessful", self.successful),
            ("MessagesWithError", failed),
            ("MessagesWithWarning", 0),
        ):
            ET.SubElement(summary, name).text = str(value)
        for message_id, code, text, order_id in self.results:
            result = ET.SubElement(report, "Result")
            ET.SubElement(result, "MessageID").text = message_id
            ET.SubElement(result, "ResultCode").text = "Error"
            ET.SubElement(result, "ResultMessageCode").text = code
            ET.SubElement(result, "ResultDescription").text = text
            if order_id:
                info = ET.SubElement(result, "AdditionalInfo")
                ET.SubElement(info, "AmazonOrderID").text = order_id
        return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _text(node: ET.Element | None, name: str) -> str:
    found = node.find(name) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def process_order_ack_feed(world: World, job: Job, content: bytes) -> tuple[str, bytes]:
    """Apply the feed to the world (call with its lock held): (final status, XML processing report)."""
    report = _Report(job.seller, job.job_id)
    root = None
    if _DTD.search(content):
        report.error("0", "5001", "XML Parsing Fatal Error: a DTD is not allowed in a feed.")
    else:
        try:
            root = ET.fromstring(content)  # noqa: S314 - no DTD (checked above): no entities
        except ET.ParseError as exc:
            report.error("0", "5001", f"XML Parsing Fatal Error: {exc}")
    if root is not None:
        if root.tag != "AmazonEnvelope" or root.find("Header") is None:
            report.error("0", "5000", "The XML document is not an AmazonEnvelope with a Header.")
        elif _text(root.find("Header"), "MerchantIdentifier") != job.seller:
            report.error("0", "5002", "The MerchantIdentifier in the Header is not this seller.")
        elif _text(root, "MessageType") != "OrderAcknowledgement":
            report.error("0", "5000", "MessageType must be OrderAcknowledgement for this feed type.")
        elif not root.findall("Message"):
            report.error("0", "5000", "The feed has no Message.")
    if report.results:
        return "FATAL", report.render()
    assert root is not None
    for message in root.findall("Message"):
        report.processed += 1
        problem = _apply(world, job, message)
        if problem is None:
            report.successful += 1
        else:
            report.error(_text(message, "MessageID") or "0", *problem)
    return "DONE", report.render()


def _apply(world: World, job: Job, message: ET.Element) -> tuple[str, str, str] | None:
    """Check and apply one OrderAcknowledgement message: None, or (code, description, order id)."""
    ack = message.find("OrderAcknowledgement")
    order_id = _text(ack, "AmazonOrderID")
    if ack is None or not order_id:
        return "18000", "The message has no OrderAcknowledgement with an AmazonOrderID.", ""
    order = world.orders.get(order_id)
    if order is None or order.fulfilled_by != "MERCHANT" or order.marketplace_id not in job.marketplace_ids:
        return (
            "18028",
            f"The order ID {order_id} was not found for this seller in this marketplace.",
            order_id,
        )
    status = _text(ack, "StatusCode")
    if status not in ("Success", "Failure"):
        return "18000", f"StatusCode '{status}' is not Success or Failure.", order_id
    problem = _item_problem(order, ack.findall("Item"))
    if problem:
        return "18000", problem, order_id
    if status == "Success":
        return None  # an acknowledgement only: nothing changes
    if order.status == "CANCELLED":
        return "18176", f"Order {order_id} is already canceled.", order_id
    if order.status in ("SHIPPED", "PARTIALLY_SHIPPED") or any(i.shipped for i in order.items):
        return "18176", f"Order {order_id} has shipped items and cannot be canceled.", order_id
    world.cancel_order(order_id)
    for item in order.items:
        item.cancel_request = None
    return None


def _item_problem(order: Order, items: list[ET.Element]) -> str:
    known = {i.order_item_id for i in order.items}
    for item in items:
        code = _text(item, "AmazonOrderItemCode")
        if code not in known:
            return f"AmazonOrderItemCode '{code}' is not an item of order {order.order_id}."
        reason = _text(item, "CancelReason")
        if reason and reason not in CANCEL_REASONS:
            return f"CancelReason '{reason}' is not a valid value."
    return ""
