"""The order acknowledgement feed (seller cancellation) on the client side, against Amazon's models: the XML
document, the Feeds API requests, the XML processing report, and createFeed never sent twice."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from fbm_desk.amazon.errors import MalformedResponse, OutcomeUnknown
from fbm_desk.amazon.order_feeds import build_cancellation_feed, parse_processing_report
from tests.support.amazon_fakes import S3, SELLER, FakeAmazon, amazon_error, faked_amazon, ok, seller_client
from tests.test_amazon_listings_feeds import feed

US = "ATVPDKIKX0DER"
FEEDS = "/feeds/2021-06-30"
ORDER = "113-1234567-1234567"
REFUSED = f"""<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.02</DocumentVersion><MerchantIdentifier>{SELLER}</MerchantIdentifier></Header>
  <MessageType>ProcessingReport</MessageType>
  <Message><MessageID>1</MessageID><ProcessingReport>
    <DocumentTransactionID>F1</DocumentTransactionID><StatusCode>Complete</StatusCode>
    <ProcessingSummary><MessagesProcessed>1</MessagesProcessed><MessagesSuccessful>0</MessagesSuccessful>
      <MessagesWithError>1</MessagesWithError><MessagesWithWarning>0</MessagesWithWarning></ProcessingSummary>
    <Result><MessageID>1</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>18176</ResultMessageCode>
      <ResultDescription>The order has shipped.</ResultDescription>
      <AdditionalInfo><AmazonOrderID>{ORDER}</AmazonOrderID></AdditionalInfo></Result>
  </ProcessingReport></Message>
</AmazonEnvelope>"""


@pytest.fixture
def fake() -> Iterator[FakeAmazon]:
    with faked_amazon() as amazon:
        yield amazon


def test_cancellation_document_follows_the_envelope_and_order_acknowledgement() -> None:
    root = ET.fromstring(build_cancellation_feed(SELLER, ORDER, "BuyerCanceled", ["11111", "22222"]))  # noqa: S314
    assert root.tag == "AmazonEnvelope"
    assert root.findtext("Header/MerchantIdentifier") == SELLER
    assert root.findtext("MessageType") == "OrderAcknowledgement"
    ack = root.find("Message/OrderAcknowledgement")
    assert ack is not None
    assert [c.tag for c in ack] == ["AmazonOrderID", "StatusCode", "Item", "Item"]  # the XSD's sequence
    assert ack.findtext("StatusCode") == "Failure"
    assert [i.findtext("AmazonOrderItemCode") for i in ack.findall("Item")] == ["11111", "22222"]
    assert {i.findtext("CancelReason") for i in ack.findall("Item")} == {"BuyerCanceled"}
    with pytest.raises(ValueError, match="CancelReason"):
        build_cancellation_feed(SELLER, ORDER, "ChangedMyMind", ["1"])


def test_cancel_order_sends_one_feed_and_reads_amazons_refusal(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{FEEDS}/documents", ok({"feedDocumentId": "DOC1", "url": f"{S3}/upload"}, status=201))
    uploads = fake.document("PUT", "/upload")
    fake.sp("POST", f"{FEEDS}/feeds", ok({"feedId": "F1"}, status=202))
    fake.sp("GET", f"{FEEDS}/feeds/F1", ok(feed("IN_PROGRESS")), ok(feed("DONE", "RES1")))
    fake.sp("GET", f"{FEEDS}/documents/RES1", ok({"feedDocumentId": "RES1", "url": f"{S3}/res"}))
    fake.document("GET", "/res", body=REFUSED.encode(), content_type="text/xml")

    result = seller_client().cancel_order(US, ORDER, "NoInventory", ["11111"], wait_s=600)

    assert (result.feed_id, result.processing_status, result.accepted) == ("F1", "DONE", False)
    assert [(e.code, e.message) for e in result.errors] == [("18176", "The order has shipped.")]
    assert uploads[0].headers["content-type"] == "text/xml; charset=UTF-8"
    create = [r for r in fake.sp_requests if r.method == "POST" and r.url.endswith("/feeds")]
    assert len(create) == 1
    assert b'"feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA"' in (create[0].body or b"")


def test_create_feed_without_an_answer_is_not_sent_again(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{FEEDS}/documents", ok({"feedDocumentId": "DOC1", "url": f"{S3}/upload"}, status=201))
    fake.document("PUT", "/upload")
    fake.sp("POST", f"{FEEDS}/feeds", amazon_error(500, "InternalFailure", "boom"), check_response=False)
    with pytest.raises(OutcomeUnknown):
        seller_client().cancel_order(US, ORDER, "NoInventory", ["11111"], wait_s=600)
    assert len([r for r in fake.sp_requests if r.url.endswith("/feeds")]) == 1


def test_processing_report_accepted_and_unreadable() -> None:
    accepted = REFUSED.replace("<MessagesSuccessful>0", "<MessagesSuccessful>1").replace(
        "<MessagesWithError>1", "<MessagesWithError>0"
    )
    accepted = accepted[: accepted.index("<Result>")] + accepted[accepted.index("</Result>") + 9 :]
    assert parse_processing_report("F1", "DONE", accepted).accepted
    assert not parse_processing_report("F1", "DONE", REFUSED).accepted
    with pytest.raises(MalformedResponse):
        parse_processing_report("F1", "DONE", "<AmazonEnvelope><unclosed></AmazonEnvelope>")
    with pytest.raises(MalformedResponse, match="DTD"):
        parse_processing_report("F1", "DONE", '<!DOCTYPE x [<!ENTITY a "b">]><AmazonEnvelope/>')
