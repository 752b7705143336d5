"""Listings Items (search/get/patch), JSON_LISTINGS_FEED quantity feeds and Sellers participations."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from fbm_desk.amazon.errors import AmazonRejected
from fbm_desk.amazon.feeds import build_feed_document
from fbm_desk.amazon.types import QuantityUpdate
from fbm_desk.foundation.errors import InvalidInput
from tests.support.amazon_fakes import (
    S3,
    SELLER,
    FakeAmazon,
    amazon_error,
    faked_amazon,
    ok,
    seller_client,
)
from tests.support.spapi_contract import ContractViolation, validate_feed_document, validate_processing_report

US = "ATVPDKIKX0DER"
ITEMS = f"/listings/2021-08-01/items/{SELLER}"
FEEDS = "/feeds/2021-06-30"


@pytest.fixture
def fake() -> Iterator[FakeAmazon]:
    with faked_amazon() as amazon:
        yield amazon


def item(sku: str, channel: str = "DEFAULT", quantity: int | None = 5) -> dict[str, Any]:
    availability: dict[str, Any] = {"fulfillmentChannelCode": channel}
    if quantity is not None:
        availability["quantity"] = quantity
    return {
        "sku": sku,
        "summaries": [
            {
                "marketplaceId": US,
                "asin": "B0000000" + sku[-2:],
                "productType": "HOME",
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"],
                "itemName": f"Item {sku} – naïve",
                "createdDate": "2026-11-23T08:00:00Z",
                "lastUpdatedDate": "2026-11-23T09:00:00Z",
            }
        ],
        "fulfillmentAvailability": [availability],
    }


def test_search_new_listings_pages_and_skips_fba(fake: FakeAmazon) -> None:
    fake.sp(
        "GET",
        ITEMS,
        ok(
            {
                "numberOfResults": 3,
                "pagination": {"nextToken": "p2"},
                "items": [item("S-01"), item("F-02", "AMAZON_NA", None)],
            }
        ),
        ok({"numberOfResults": 3, "items": [item("S-03", quantity=0)]}),
    )
    rows = list(seller_client().search_new_listings(US, datetime(2026, 11, 23, tzinfo=UTC)))
    assert [r.seller_sku for r in rows] == ["S-01", "S-03"]
    assert rows[0].product_type == "HOME"
    assert rows[0].status == "Active"  # the report's vocabulary, whatever the source
    assert rows[0].quantity == 5
    assert rows[0].opened_at == datetime(2026, 11, 23, 8, tzinfo=UTC)
    assert rows[1].quantity == 0
    q1, q2 = fake.queries()
    assert q2.pop("pageToken") == ["p2"]
    assert q1 == q2
    assert q1["includedData"] == ["summaries,offers,fulfillmentAvailability"]
    assert q1["sortBy"] == ["createdDate"]
    assert q1["pageSize"] == ["20"]
    assert q1["createdAfter"] == ["2026-11-23T00:00:00Z"]


def test_get_listing_url_encodes_the_sku(fake: FakeAmazon) -> None:
    fake.sp("GET", ITEMS + "/A%2FB%20C%23", ok(item("A/B C#")))
    row = seller_client().get_listing(US, "A/B C#")
    assert row.seller_sku == "A/B C#"
    assert fake.sp_requests[0].path_url.startswith(ITEMS + "/A%2FB%20C%23?")


def test_patch_quantity_merges_default_channel(fake: FakeAmazon) -> None:
    fake.sp(
        "PATCH",
        ITEMS + "/MUG-01",
        ok({"sku": "MUG-01", "status": "ACCEPTED", "submissionId": "sub1", "issues": []}),
    )
    result = seller_client().patch_quantity(US, "MUG-01", "HOME", 7)
    assert result.accepted
    assert result.submission_id == "sub1"
    body = json.loads(fake.sp_requests[0].body or b"")
    assert body == {
        "productType": "HOME",
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
            }
        ],
    }
    assert fake.queries()[0]["marketplaceIds"] == [US]


def test_patch_invalid_and_rejected(fake: FakeAmazon) -> None:
    issue = {
        "code": "90220",
        "message": "'quantity' is invalid",
        "severity": "ERROR",
        "categories": ["INVALID_ATTRIBUTE"],
    }
    fake.sp(
        "PATCH",
        ITEMS + "/MUG-01",
        ok({"sku": "MUG-01", "status": "INVALID", "submissionId": "s", "issues": [issue]}),
        amazon_error(400, "BAD_REQUEST", "Invalid patch"),
    )
    c = seller_client()
    result = c.patch_quantity(US, "MUG-01", "HOME", 3)
    assert not result.accepted
    assert result.issues[0].message == "'quantity' is invalid"
    with pytest.raises(AmazonRejected, match="Invalid patch"):
        c.patch_quantity(US, "MUG-01", "HOME", 3)
    with pytest.raises(InvalidInput):
        c.patch_quantity(US, "MUG-01", "HOME", -1)


def feed(status: str, result: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "feedId": "F1",
        "feedType": "JSON_LISTINGS_FEED",
        "createdTime": "2026-11-24T09:00:00Z",
        "processingStatus": status,
    }
    if result:
        body["resultFeedDocumentId"] = result
    return body


def test_quantity_feed_end_to_end(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{FEEDS}/documents", ok({"feedDocumentId": "DOC1", "url": f"{S3}/upload"}, status=201))
    uploads = fake.document("PUT", "/upload")
    fake.sp("POST", f"{FEEDS}/feeds", ok({"feedId": "F1"}, status=202))
    fake.sp(
        "GET", f"{FEEDS}/feeds/F1", ok(feed("IN_QUEUE")), ok(feed("IN_PROGRESS")), ok(feed("DONE", "RES1"))
    )
    fake.sp(
        "GET",
        f"{FEEDS}/documents/RES1",
        ok({"feedDocumentId": "RES1", "url": f"{S3}/res", "compressionAlgorithm": "GZIP"}),
    )
    report = {
        "header": {"sellerId": SELLER, "version": "2.0", "feedId": "F1"},
        "issues": [
            {"messageId": 2, "code": "4000001", "severity": "ERROR", "message": "SKU not found"},
            {"messageId": 1, "sku": "A-1", "code": "18", "severity": "WARNING", "message": "slow"},
        ],
        "summary": {
            "errors": 1,
            "warnings": 1,
            "messagesProcessed": 3,
            "messagesAccepted": 2,
            "messagesInvalid": 1,
        },
    }
    validate_processing_report(report)
    fake.document(
        "GET", "/res", body=gzip.compress(json.dumps(report).encode()), content_type="application/json"
    )
    updates = [
        QuantityUpdate("A-1", "HOME", 4),
        QuantityUpdate("B-2", "HOME", 0),
        QuantityUpdate("C-3", "TOY", 9),
    ]

    result = seller_client().submit_quantity_feed(US, updates, wait_s=600)

    assert result.done
    assert result.feed_id == "F1"
    assert result.accepted_skus == ("A-1", "C-3")
    assert result.issues_by_sku["B-2"][0].message == "SKU not found"
    assert result.issues_by_sku["A-1"][0].severity == "WARNING"
    put = uploads[0]
    assert put.headers["content-type"] == "application/json; charset=UTF-8"
    assert "x-amz-access-token" not in put.headers
    document = json.loads(put.body or b"")
    validate_feed_document(document)
    assert [m["messageId"] for m in document["messages"]] == [1, 2, 3]
    assert {m["operationType"] for m in document["messages"]} == {"PATCH"}
    create_feed = json.loads(fake.sp_requests[1].body or b"")
    assert create_feed == {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [US],
        "inputFeedDocumentId": "DOC1",
    }


def test_feed_still_processing_after_wait_returns_in_progress(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{FEEDS}/documents", ok({"feedDocumentId": "DOC1", "url": f"{S3}/upload"}, status=201))
    fake.document("PUT", "/upload")
    fake.sp("POST", f"{FEEDS}/feeds", ok({"feedId": "F1"}, status=202))
    fake.sp("GET", f"{FEEDS}/feeds/F1", ok(feed("IN_PROGRESS")))
    result = seller_client().submit_quantity_feed(US, [QuantityUpdate("A-1", "HOME", 1)], wait_s=60)
    assert result.processing_status == "IN_PROGRESS"
    assert not result.done
    assert result.accepted_skus == ()


def test_feed_document_schema_is_enforced() -> None:
    document = build_feed_document(SELLER, [QuantityUpdate("A-1", "HOME", 2)])
    validate_feed_document(document)
    document["messages"][0]["operationType"] = "REPLACE_ALL"
    with pytest.raises(ContractViolation):
        validate_feed_document(document)


def test_marketplace_participations_keep_known_marketplaces(fake: FakeAmazon) -> None:
    def participation(mid: str, name: str) -> dict[str, Any]:
        return {
            "marketplace": {
                "id": mid,
                "name": name,
                "countryCode": "US",
                "defaultCurrencyCode": "USD",
                "defaultLanguageCode": "en_US",
                "domainName": "www.amazon.com",
            },
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": "Demo Store",
        }

    fake.sp(
        "GET",
        "/sellers/v1/marketplaceParticipations",
        ok({"payload": [participation(US, "Amazon.com"), participation("A3H6HPSLHAK3XG", "Non-Amazon")]}),
    )
    (only,) = seller_client().marketplace_participations()
    assert only.marketplace_id == US
    assert only.is_participating
    assert only.store_name == "Demo Store"


def test_an_fba_network_sku_without_availability_is_not_taken_as_merchant() -> None:
    from fbm_desk.amazon.listings import parse_item

    fba = {"sku": "F-9", "summaries": [{"marketplaceId": US, "asin": "B0", "fnSku": "X00ABC"}]}
    assert parse_item(fba, US).fulfillment_channel == "AMAZON"
    plain = {"sku": "M-9", "summaries": [{"marketplaceId": US, "asin": "B0"}]}
    assert parse_item(plain, US).fulfillment_channel == "DEFAULT"
