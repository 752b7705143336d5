"""The sandbox's POST_ORDER_ACKNOWLEDGEMENT_DATA: raw XML feeds checked like Amazon does, the order canceled only
once the feed is processed, refusals reported in the XML processing report."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from fbm_desk.amazon.order_feeds import build_cancellation_feed
from fbm_desk.sandbox import RunningSandbox
from tests.support.sandbox_fixtures import SpApi
from tests.test_sandbox_listings_reports_feeds import SELLER, US, _poll

XML = "text/xml; charset=UTF-8"


def _send(spapi: SpApi, sandbox: RunningSandbox, content: bytes) -> tuple[str, ET.Element]:
    """Upload, createFeed, poll until processed: (processingStatus, the XML processing report's root)."""
    doc = spapi.post("/feeds/2021-06-30/documents", {"contentType": XML}).json()
    put = requests.put(doc["url"], data=content, headers={"Content-Type": XML}, timeout=10)
    assert put.status_code == 200
    created = spapi.post(
        "/feeds/2021-06-30/feeds",
        {
            "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
            "marketplaceIds": [US],
            "inputFeedDocumentId": doc["feedDocumentId"],
        },
    )
    assert created.status_code == 202
    feed = _poll(spapi, sandbox, f"/feeds/2021-06-30/feeds/{created.json()['feedId']}")
    result = spapi.get(f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}").json()
    report = requests.get(result["url"], timeout=10)
    assert report.headers["content-type"].startswith("text/xml")
    return feed["processingStatus"], ET.fromstring(report.content)  # noqa: S314


def _errors(report: ET.Element) -> list[tuple[str, str]]:
    return [
        (r.findtext("ResultMessageCode") or "", r.findtext("ResultDescription") or "")
        for r in report.iter("Result")
        if r.findtext("ResultCode") == "Error"
    ]


def test_cancellation_is_applied_when_processed(spapi: SpApi, sandbox: RunningSandbox) -> None:
    order_id = sandbox.world.add_order()
    sandbox.world.request_cancellation(order_id)
    items = [i.order_item_id for i in sandbox.world.orders[order_id].items]
    doc = spapi.post("/feeds/2021-06-30/documents", {"contentType": XML}).json()
    requests.put(
        doc["url"],
        data=build_cancellation_feed(SELLER, order_id, "BuyerCanceled", items),
        headers={"Content-Type": XML},
        timeout=10,
    )
    created = spapi.post(
        "/feeds/2021-06-30/feeds",
        {
            "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
            "marketplaceIds": [US],
            "inputFeedDocumentId": doc["feedDocumentId"],
        },
    ).json()
    assert sandbox.world.order_state(order_id)["status"] == "UNSHIPPED"  # not before it is processed
    feed = _poll(spapi, sandbox, f"/feeds/2021-06-30/feeds/{created['feedId']}")
    assert feed["processingStatus"] == "DONE"
    assert sandbox.world.order_state(order_id)["status"] == "CANCELLED"
    assert all(i.cancel_request is None for i in sandbox.world.orders[order_id].items)
    result = spapi.get(f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}").json()
    report = ET.fromstring(requests.get(result["url"], timeout=10).content)  # noqa: S314
    assert report.findtext("MessageType") == "ProcessingReport"
    assert report.findtext(".//ProcessingSummary/MessagesSuccessful") == "1"
    assert _errors(report) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda x: x.replace(b"<StatusCode>Failure", b"<StatusCode>Cancel"), "StatusCode"),
        (lambda x: x.replace(b"BuyerCanceled", b"ChangedMind"), "CancelReason"),
        (lambda x: x.replace(b"<AmazonOrderItemCode>", b"<AmazonOrderItemCode>9"), "AmazonOrderItemCode"),
        (lambda x: x.replace(b"<AmazonOrderID>", b"<AmazonOrderID>9"), "not found"),
    ],
)
def test_invalid_messages_are_refused_in_the_report(
    spapi: SpApi, sandbox: RunningSandbox, change: object, expected: str
) -> None:
    order_id = sandbox.world.add_order()
    items = [i.order_item_id for i in sandbox.world.orders[order_id].items]
    content = change(build_cancellation_feed(SELLER, order_id, "BuyerCanceled", items))  # type: ignore[operator]
    status, report = _send(spapi, sandbox, content)
    assert status == "DONE"
    errors = _errors(report)
    assert len(errors) == 1
    assert expected in errors[0][1]
    assert report.findtext(".//ProcessingSummary/MessagesWithError") == "1"
    assert sandbox.world.order_state(order_id)["status"] == "UNSHIPPED"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<AmazonEnvelope><Header>", "XML Parsing"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><AmazonEnvelope/>', "DTD"),
        (
            build_cancellation_feed("A9OTHERSELLER9", "111-1111111-1111111", "NoInventory", ["1"]),
            "MerchantIdentifier",
        ),
        (
            build_cancellation_feed(SELLER, "111-1111111-1111111", "NoInventory", ["1"]).replace(
                b">OrderAcknowledgement</MessageType>", b">OrderFulfillment</MessageType>"
            ),
            "MessageType",
        ),
    ],
)
def test_document_level_problems_fail_the_feed(
    spapi: SpApi, sandbox: RunningSandbox, content: bytes, expected: str
) -> None:
    status, report = _send(spapi, sandbox, content)
    assert status == "FATAL"
    assert expected in _errors(report)[0][1]


def test_shipped_order_cannot_be_canceled(spapi: SpApi, sandbox: RunningSandbox) -> None:
    order_id = sandbox.world.add_order()
    items = [i.order_item_id for i in sandbox.world.orders[order_id].items]
    sandbox.world.ship_elsewhere(order_id)
    status, report = _send(spapi, sandbox, build_cancellation_feed(SELLER, order_id, "NoInventory", items))
    assert status == "DONE"
    assert "cannot be canceled" in _errors(report)[0][1]
    assert sandbox.world.order_state(order_id)["status"] == "SHIPPED"
