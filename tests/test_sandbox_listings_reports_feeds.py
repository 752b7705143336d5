"""Sandbox Listings Items, Reports (GET_MERCHANT_LISTINGS_ALL_DATA) and Feeds (JSON_LISTINGS_FEED)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest
import requests

from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.sandbox_fixtures import SpApi
from tests.support.spapi_contract import validate_processing_report

US = "ATVPDKIKX0DER"
SELLER = "A2SANDBOXDEMO1"
ITEMS = f"/listings/2021-08-01/items/{SELLER}"


def _poll(spapi: SpApi, sandbox: RunningSandbox, path: str) -> dict:
    seen = []
    for _ in range(20):
        body = spapi.get(path).json()
        seen.append(body["processingStatus"])
        if body["processingStatus"] in ("DONE", "CANCELLED", "FATAL"):
            return body
        sandbox.world.advance(0.01)  # 6 Amazon seconds at 600x
    raise AssertionError(f"never finished: {seen}")


def test_listings_report_is_gzip_tsv_in_cp1252(spapi: SpApi, sandbox: RunningSandbox) -> None:
    created = spapi.post(
        "/reports/2021-06-30/reports",
        {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]},
    )
    assert created.status_code == 202
    report = _poll(spapi, sandbox, f"/reports/2021-06-30/reports/{created.json()['reportId']}")
    assert report["processingStatus"] == "DONE"
    doc = spapi.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}").json()
    assert doc["compressionAlgorithm"] == "GZIP"
    download = requests.get(doc["url"], timeout=10)  # presigned: no SP-API headers
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/plain;charset=Cp1252"
    text = gzip.decompress(download.content).decode("cp1252")
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    assert len(rows) == len(sandbox.world.listings)
    assert {"item-name", "seller-sku", "asin1", "quantity", "fulfillment-channel", "status"} <= set(rows[0])
    channels = {r["fulfillment-channel"] for r in rows}
    assert channels == {"DEFAULT", "AMAZON_NA"}
    names = " ".join(r["item-name"] for r in rows)
    assert "Crème Brûlée" in names
    assert "Müsli" in names
    assert "Jalapeño" in names
    assert "?ód?" in names  # "Łódź": Ł and ź are not in Cp1252
    by_sku = {r["seller-sku"]: r for r in rows}
    assert by_sku["MP-KIT-001"]["quantity"] == str(sandbox.world.listing_quantity("MP-KIT-001"))

    sandbox.world.advance(31)  # presigned URLs expire after 5 minutes (scaled, at least 30 s)
    expired = requests.get(doc["url"], timeout=10)
    assert expired.status_code == 403
    assert b"Request has expired" in expired.content


def test_report_goes_in_queue_in_progress_done() -> None:
    # speed-up 0.01: the queue takes 200 real seconds, so only ``advance`` moves the report along
    with start_sandbox(speedup=0.01) as slow:
        api = SpApi(slow)
        report_id = api.post(
            "/reports/2021-06-30/reports",
            {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]},
        ).json()["reportId"]
        path = f"/reports/2021-06-30/reports/{report_id}"
        assert api.get(path).json()["processingStatus"] == "IN_QUEUE"
        slow.world.advance(250)
        assert api.get(path).json()["processingStatus"] == "IN_PROGRESS"
        slow.world.advance(400)
        done = api.get(path).json()
        assert done["processingStatus"] == "DONE"
        assert done["reportDocumentId"]
        assert done["processingStartTime"] <= done["processingEndTime"]


def test_search_listings_pages_and_created_after(spapi: SpApi, sandbox: RunningSandbox) -> None:
    params = {
        "marketplaceIds": US,
        "pageSize": "20",
        "sortBy": "sku",
        "sortOrder": "ASC",
        "includedData": "summaries,fulfillmentAvailability,offers,attributes,issues,productTypes",
    }
    skus, token = [], None
    while True:
        resp = spapi.get(ITEMS, params=params | ({"pageToken": token} if token else {}))
        assert resp.status_code == 200
        body = resp.json()
        skus += [i["sku"] for i in body["items"]]
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert skus == sorted(sandbox.world.listings)
    assert body["numberOfResults"] == len(skus)

    since = (datetime.now(UTC) - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.world.add_listing("NEW-SKU-1", "Birch Bark Coasters, Set of 4", product_type="HOME")
    new = spapi.get(
        ITEMS, params={"marketplaceIds": US, "createdAfter": since, "sortBy": "createdDate"}
    ).json()
    assert [i["sku"] for i in new["items"]] == ["NEW-SKU-1"]
    assert spapi.get(ITEMS, params={"marketplaceIds": US, "pageSize": "21"}).status_code == 400


def test_get_listings_item_and_not_found(spapi: SpApi) -> None:
    item = spapi.get(
        f"{ITEMS}/MP-KIT-001",
        params={"marketplaceIds": US, "includedData": "summaries,fulfillmentAvailability"},
    )
    assert item.status_code == 200
    assert item.json()["fulfillmentAvailability"][0]["fulfillmentChannelCode"] == "DEFAULT"
    missing = spapi.get(f"{ITEMS}/NOPE", params={"marketplaceIds": US})
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "NOT_FOUND"


def _patch(
    spapi: SpApi,
    sku: str,
    value: list,
    path: str = "/attributes/fulfillment_availability",
    product_type: str | None = "KITCHEN",
):
    body: dict = {"patches": [{"op": "merge", "path": path, "value": value}]}
    if product_type is not None:
        body["productType"] = product_type
    return spapi.patch(f"{ITEMS}/{sku}", body, params={"marketplaceIds": US})


def test_patch_quantity_is_applied(spapi: SpApi, sandbox: RunningSandbox) -> None:
    resp = _patch(spapi, "MP-KIT-001", [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}])
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ACCEPTED"
    assert body["sku"] == "MP-KIT-001"
    assert body["submissionId"]
    assert sandbox.world.listing_quantity("MP-KIT-001") == 7
    assert sandbox.world.pushed()["listing_patches"][-1]["sku"] == "MP-KIT-001"


@pytest.mark.parametrize(
    ("sku", "value", "path"),
    [
        (
            "MP-KIT-001",
            [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
            "/attributes/fulfillmentAvailability",
        ),
        ("MP-KIT-001", [{"quantity": 3}], "/attributes/fulfillment_availability"),
        (
            "MP-KIT-001",
            [{"fulfillment_channel_code": "", "quantity": 3}],
            "/attributes/fulfillment_availability",
        ),
        (
            "NO-SUCH-SKU",
            [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
            "/attributes/fulfillment_availability",
        ),
    ],
)
def test_invalid_patches_are_invalid(
    spapi: SpApi, sandbox: RunningSandbox, sku: str, value: list, path: str
) -> None:
    before = sandbox.world.listing_quantity("MP-KIT-001")
    resp = _patch(spapi, sku, value, path=path)
    assert resp.status_code == 200
    assert resp.json()["status"] == "INVALID"
    assert resp.json()["issues"][0]["severity"] == "ERROR"
    assert sandbox.world.listing_quantity("MP-KIT-001") == before


def test_patch_without_product_type_is_400(spapi: SpApi) -> None:
    resp = _patch(
        spapi, "MP-KIT-001", [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}], product_type=None
    )
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == "InvalidInput"


def test_json_listings_feed_round_trip(spapi: SpApi, sandbox: RunningSandbox) -> None:
    content_type = "application/json; charset=UTF-8"
    doc = spapi.post("/feeds/2021-06-30/documents", {"contentType": content_type})
    assert doc.status_code == 201
    feed_doc = {
        "header": {"sellerId": SELLER, "version": "2.0"},
        "messages": [
            {
                "messageId": 1,
                "sku": "MP-KIT-001",
                "operationType": "PATCH",
                "productType": "KITCHEN",
                "patches": [
                    {
                        "op": "merge",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 42}],
                    }
                ],
            },
            {
                "messageId": 2,
                "sku": "GHOST-SKU",
                "operationType": "PATCH",
                "productType": "KITCHEN",
                "patches": [
                    {
                        "op": "merge",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}],
                    }
                ],
            },
        ],
    }
    data = json.dumps(feed_doc).encode()
    wrong = requests.put(doc.json()["url"], data=data, headers={"Content-Type": "text/plain"}, timeout=10)
    assert wrong.status_code == 403
    put = requests.put(doc.json()["url"], data=data, headers={"Content-Type": content_type}, timeout=10)
    assert put.status_code == 200
    created = spapi.post(
        "/feeds/2021-06-30/feeds",
        {
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [US],
            "inputFeedDocumentId": doc.json()["feedDocumentId"],
        },
    )
    assert created.status_code == 202
    feed = _poll(spapi, sandbox, f"/feeds/2021-06-30/feeds/{created.json()['feedId']}")
    assert feed["processingStatus"] == "DONE"
    result = spapi.get(f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}").json()
    report = requests.get(result["url"], timeout=10).json()
    validate_processing_report(report)
    assert report["summary"]["messagesAccepted"] == 1
    assert report["summary"]["messagesInvalid"] == 1
    assert [i["sku"] for i in report["issues"]] == ["GHOST-SKU"]
    assert sandbox.world.listing_quantity("MP-KIT-001") == 42
    assert len(sandbox.world.pushed()["feed_messages"]) == 2


def test_truncated_gzip_fault(spapi: SpApi, sandbox: RunningSandbox) -> None:
    created = spapi.post(
        "/reports/2021-06-30/reports",
        {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]},
    )
    report = _poll(spapi, sandbox, f"/reports/2021-06-30/reports/{created.json()['reportId']}")
    url = spapi.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}").json()["url"]
    sandbox.world.inject_fault("downloadDocument", "truncated_gzip")
    broken = requests.get(url, timeout=10).content
    with pytest.raises((EOFError, zlib.error, OSError)):
        gzip.decompress(broken)
    assert gzip.decompress(requests.get(url, timeout=10).content)  # the fault was for one call only
