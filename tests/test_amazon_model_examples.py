"""Our client's parsers fed with Amazon's own canned answers from the model files, and faithful variations.

An independent imitation of Amazon built from the same models will answer with these examples (the
``x-amzn-api-sandbox`` static/dynamic entries and the responses' ``examples``), or with anything else the models
allow: optional fields missing, extra fields, other date spellings, empty arrays, no ``pagination``. The
expected values below are read straight from the raw JSON, not through our parsers.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from fbm_desk.amazon._parse import parse_datetime
from fbm_desk.amazon.client import SpApiClient
from fbm_desk.amazon.errors import AccessDenied, AmazonRejected, AmazonUnavailable, OutcomeUnknown
from fbm_desk.amazon.feeds import parse_processing_report
from fbm_desk.amazon.orders import parse_order
from fbm_desk.amazon.types import QuantityUpdate, ShipmentConfirmation, ShipmentItem
from fbm_desk.db.pii import reveal
from fbm_desk.foundation.resources import spapi_model_path
from tests.support.amazon_fakes import ENDPOINT, S3, SELLER, FakeAmazon, make_config, ok

US = "ATVPDKIKX0DER"
ORDERS = "/orders/2026-01-01/orders"
SINCE = datetime(2024, 12, 1, tzinfo=UTC)


# examples from the model files --------------------------------------------------------------------------------
def _model(name: str) -> dict[str, Any]:
    return json.loads(spapi_model_path(name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def model_examples(model: str, operation_id: str, status: str) -> list[Any]:
    """Every canned response body of one operation and status: sandbox static/dynamic entries and examples."""
    found: list[Any] = []
    for ops in _model(model)["paths"].values():
        for op in ops.values():
            if not isinstance(op, dict) or op.get("operationId") != operation_id:
                continue
            response = op["responses"].get(status, {})
            for kind in ("static", "dynamic"):
                for entry in response.get("x-amzn-api-sandbox", {}).get(kind, []):
                    found.append(entry.get("response"))
            for key, value in response.get("examples", {}).items():
                # keyed by MIME type; Amazon's sellers model keys the example by the body's property instead
                found.append(value if "/" in key else {key: value})
    assert found or status != "200", f"{model} {operation_id} {status}: no examples found"
    return found


def examples(model: str, operation_id: str, status: str = "200") -> list[Any]:
    return [copy.deepcopy(e) for e in model_examples(model, operation_id, status)]


def _ids(model: str, operation_id: str, status: str = "200") -> list[str]:
    return [f"{operation_id}-{n}" for n in range(len(model_examples(model, operation_id, status)))]


@pytest.fixture
def fake() -> Iterator[FakeAmazon]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        amazon = FakeAmazon(rsps)
        amazon.lwa()
        yield amazon
        assert amazon.problems == []


def client() -> SpApiClient:
    return SpApiClient(make_config(), refresh_token="Atzr|r", selling_partner_id=SELLER, region="NA")


# expected values straight from the raw order ----------------------------------------------------------------
def _get(raw: Any, *path: str, default: Any = None) -> Any:
    for key in path:
        if not isinstance(raw, dict) or key not in raw:
            return default
        raw = raw[key]
    return raw


def assert_order_matches(raw: dict[str, Any]) -> None:
    parsed = parse_order(raw)
    assert parsed.order_id == raw["orderId"]
    assert parsed.created_time == parse_datetime(raw["createdTime"])
    assert parsed.last_updated_time == parse_datetime(raw["lastUpdatedTime"])
    assert parsed.marketplace_id == _get(raw, "salesChannel", "marketplaceId", default="")
    assert parsed.fulfillment_status == _get(raw, "fulfillment", "fulfillmentStatus", default="")
    assert parsed.fulfilled_by == _get(raw, "fulfillment", "fulfilledBy", default="")
    assert parsed.programs == tuple(raw.get("programs", []))
    assert parsed.total_amount == str(_get(raw, "proceeds", "grandTotal", "amount", default=""))
    assert [i.order_item_id for i in parsed.items] == [i["orderItemId"] for i in raw["orderItems"]]
    for item, raw_item in zip(parsed.items, raw["orderItems"], strict=True):
        assert item.seller_sku == _get(raw_item, "product", "sellerSku", default="")
        assert item.asin == _get(raw_item, "product", "asin", default="")
        assert item.quantity_ordered == raw_item["quantityOrdered"]
        fulfilled = _get(raw_item, "fulfillment", "quantityFulfilled")
        if fulfilled is not None:
            assert item.quantity_shipped == fulfilled
        assert item.unit_price == str(_get(raw_item, "product", "price", "unitPrice", "amount", default=""))
    address = _get(raw, "recipient", "deliveryAddress")
    if address and (address.get("name") or address.get("addressLine1") or address.get("city")):
        assert parsed.address is not None
        assert parsed.address.name == address.get("name", "")
        assert parsed.address.address_line1 == address.get("addressLine1", "")
        assert parsed.address.city == address.get("city", "")
        assert parsed.address.state_or_region == address.get("stateOrRegion", "")
        assert parsed.address.postal_code == address.get("postalCode", "")
        assert parsed.address.country_code == address.get("countryCode", "")
    else:
        assert parsed.address is None
    assert [p.tracking_number for p in parsed.packages] == [
        p.get("trackingNumber", "") for p in raw.get("packages", [])
    ]
    for package, raw_package in zip(parsed.packages, raw.get("packages", []), strict=True):
        assert package.package_reference_id == raw_package["packageReferenceId"]
        assert package.carrier == raw_package.get("carrier", "")
        assert package.status == _get(raw_package, "packageStatus", "status", default="")
        assert [(i.order_item_id, i.quantity) for i in package.items] == [
            (i["orderItemId"], i["quantity"]) for i in raw_package.get("packageItems", [])
        ]


# searchOrders / getOrder --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    examples("orders-2026-01-01.json", "searchOrders"),
    ids=_ids("orders-2026-01-01.json", "searchOrders"),
)
def test_search_orders_examples_are_parsed(fake: FakeAmazon, body: dict[str, Any]) -> None:
    last = copy.deepcopy(body)
    last.pop("pagination", None)
    fake.sp("GET", ORDERS, ok(body), ok(last))
    pages = list(client().search_orders([US], last_updated_after=SINCE, fulfillment_statuses=["UNSHIPPED"]))

    paged = bool(_get(body, "pagination", "nextToken"))
    assert len(pages) == (2 if paged else 1)
    for page in pages:
        assert [o.order_id for o in page.orders] == [o["orderId"] for o in body["orders"]]
    for raw in body["orders"]:
        assert_order_matches(raw)
    echoed = body.get("lastUpdatedBefore") or body.get("createdBefore")
    assert pages[-1].last_updated_before == parse_datetime(echoed)
    if paged:
        first, second = fake.queries()
        assert second.pop("paginationToken") == [body["pagination"]["nextToken"]]
        assert first == second


@pytest.mark.parametrize(
    "body", examples("orders-2026-01-01.json", "getOrder"), ids=_ids("orders-2026-01-01.json", "getOrder")
)
def test_get_order_examples_are_parsed(fake: FakeAmazon, body: dict[str, Any]) -> None:
    order_id = body["order"]["orderId"]
    fake.sp("GET", f"{ORDERS}/{order_id}", ok(body))
    parsed = client().get_order(order_id)
    assert parsed.order_id == order_id
    assert_order_matches(body["order"])


def _all_model_orders() -> list[dict[str, Any]]:
    orders = [o for body in examples("orders-2026-01-01.json", "searchOrders") for o in body["orders"]]
    return orders + [body["order"] for body in examples("orders-2026-01-01.json", "getOrder")]


def _minimal(raw: dict[str, Any]) -> dict[str, Any]:
    """Only what the model requires (Order: orderId, createdTime, lastUpdatedTime, salesChannel, orderItems)."""
    return {
        "orderId": raw["orderId"],
        "createdTime": raw["createdTime"],
        "lastUpdatedTime": raw["lastUpdatedTime"],
        "salesChannel": {"marketplaceId": raw["salesChannel"]["marketplaceId"]},
        "orderItems": [
            {"orderItemId": i["orderItemId"], "quantityOrdered": i["quantityOrdered"], "product": {}}
            for i in raw["orderItems"]
        ],
    }


def _respell_dates(node: Any, spelling: str) -> Any:
    """Every ``...Z`` date-time respelled: fractional seconds, ``+00:00`` or a non-UTC offset."""
    if isinstance(node, dict):
        return {k: _respell_dates(v, spelling) for k, v in node.items()}
    if isinstance(node, list):
        return [_respell_dates(v, spelling) for v in node]
    if isinstance(node, str) and len(node) == 20 and node[10] == "T" and node.endswith("Z"):
        if spelling == "fraction":
            return node[:-1] + ".123Z"
        if spelling == "offset":
            return node[:-1] + "+00:00"
        if spelling == "nanos":
            return node[:-1] + ".123456789Z"
        moment = datetime.fromisoformat(node[:-1] + "+00:00")
        return moment.astimezone(datetime.fromisoformat("2024-01-01T00:00:00+09:00").tzinfo).isoformat()
    return node


@pytest.mark.parametrize("spelling", ["fraction", "offset", "nanos", "tokyo"])
def test_order_dates_in_any_iso_spelling_mean_the_same_instant(spelling: str) -> None:
    for raw in _all_model_orders():
        respelled = parse_order(_respell_dates(raw, spelling))
        plain = parse_order(raw)
        assert respelled.created_time.replace(microsecond=0) == plain.created_time
        assert respelled.last_updated_time.replace(microsecond=0) == plain.last_updated_time
        assert respelled.latest_ship_date is not None or plain.latest_ship_date is None
        if plain.latest_ship_date is not None:
            assert respelled.latest_ship_date is not None
            assert respelled.latest_ship_date.replace(microsecond=0) == plain.latest_ship_date


def test_minimal_orders_parse_with_empty_defaults() -> None:
    for raw in _all_model_orders():
        parsed = parse_order(_minimal(raw))
        assert parsed.order_id == raw["orderId"]
        assert parsed.fulfillment_status == ""
        assert parsed.address is None
        assert parsed.packages == ()
        assert parsed.total_amount == ""
        assert [i.quantity_ordered for i in parsed.items] == [i["quantityOrdered"] for i in raw["orderItems"]]
        assert {i.quantity_shipped for i in parsed.items} <= {0}


def test_extra_fields_empty_arrays_and_numeric_amounts_are_tolerated() -> None:
    for raw in _all_model_orders():
        extra = copy.deepcopy(raw)
        extra["someFutureField"] = {"nested": [1, 2]}
        extra["programs"] = []
        extra["packages"] = []
        extra.setdefault("fulfillment", {})["newFlag"] = True
        for item in extra["orderItems"]:
            item["surprise"] = "x"
            unit = _get(item, "product", "price", "unitPrice")
            if isinstance(unit, dict):
                unit["amount"] = float(unit["amount"])  # an imitation may send a JSON number
        parsed = parse_order(extra)
        assert parsed.programs == ()
        assert parsed.packages == ()
        for item, raw_item in zip(parsed.items, raw["orderItems"], strict=True):
            amount = _get(raw_item, "product", "price", "unitPrice", "amount")
            if amount is not None:
                assert float(item.unit_price) == float(amount)


def test_shipped_quantity_from_unfulfilled_or_packages_when_fulfilled_is_absent() -> None:
    raw = {
        "orderId": "111-0000000-0000001",
        "createdTime": "2026-11-20T10:00:00Z",
        "lastUpdatedTime": "2026-11-20T11:00:00Z",
        "salesChannel": {"marketplaceId": US},
        "fulfillment": {"fulfillmentStatus": "PARTIALLY_SHIPPED", "fulfilledBy": "MERCHANT"},
        "orderItems": [
            {
                "orderItemId": "A",
                "quantityOrdered": 3,
                "product": {},
                "fulfillment": {"quantityUnfulfilled": 1},
            },
            {"orderItemId": "B", "quantityOrdered": 2, "product": {}},
            {
                "orderItemId": "C",
                "quantityOrdered": 2,
                "product": {},
                "fulfillment": {"quantityFulfilled": 0},
            },
        ],
        "packages": [
            {
                "packageReferenceId": "1",
                "carrier": "UPS",
                "trackingNumber": "1Z999AA10123456784",
                "packageStatus": {"status": "IN_TRANSIT"},
                "packageItems": [{"orderItemId": "B", "quantity": 1}, {"orderItemId": "C", "quantity": 1}],
            },
            {
                "packageReferenceId": "2",
                "carrier": "UPS",
                "trackingNumber": "1Z999AA10123456785",
                "packageStatus": {"status": "CANCELLED"},
                "packageItems": [{"orderItemId": "B", "quantity": 1}],
            },
        ],
    }
    a, b, c = parse_order(raw).items
    assert a.quantity_shipped == 2  # ordered 3, 1 unfulfilled
    assert b.quantity_shipped == 1  # no detail: the live package's unit (the cancelled one does not count)
    assert c.quantity_shipped == 0  # Amazon's explicit count wins


# confirmShipment ----------------------------------------------------------------------------------------------
CONFIRMATION = ShipmentConfirmation(
    package_reference_id=1,
    carrier_code="FedEx",
    tracking_number="112345678",
    ship_date=datetime(2022, 2, 11, 1, 0, tzinfo=UTC),
    items=(ShipmentItem("79039765272157", 1),),
    shipping_method="FedEx Ground",
)


@pytest.mark.parametrize(
    "reply",
    [(204, None), (204, b""), (200, b""), (200, {}), (200, {"payload": None})],
    ids=["204-none", "204-empty", "200-empty", "200-object", "200-payload"],
)
def test_confirm_shipment_success_shapes(fake: FakeAmazon, reply: tuple[int, Any]) -> None:
    status, body = reply
    # 200 is not in the model (204 is): an imitation may still use it; its body must not matter
    path = "/orders/v0/orders/902-1106328-1059050/shipmentConfirmation"
    fake.sp("POST", path, (status, {}, body), check_response=False)
    client().confirm_shipment("902-1106328-1059050", US, CONFIRMATION)
    sent = json.loads(fake.sp_requests[0].body or b"")
    model_request = _model("orders-v0.json")["paths"]["/orders/v0/orders/{orderId}/shipmentConfirmation"][
        "post"
    ]
    example = model_request["responses"]["204"]["x-amzn-api-sandbox"]["static"][0]["request"]["parameters"]
    expected_keys = set(example["body"]["value"]["packageDetail"]) - {"shipFromSupplySourceId", "carrierName"}
    assert set(sent["packageDetail"]) == expected_keys
    assert sent["packageDetail"]["packageReferenceId"] == "1"
    assert sent["packageDetail"]["shipDate"] == "2022-02-11T01:00:00Z"


def test_confirm_shipment_400_example_is_a_rejection_with_amazons_message(fake: FakeAmazon) -> None:
    (body,) = examples("orders-v0.json", "confirmShipment", "400")
    fake.sp("POST", "/orders/v0/orders/902-1106328-1059050/shipmentConfirmation", (400, {}, body))
    with pytest.raises(AmazonRejected) as err:
        client().confirm_shipment("902-1106328-1059050", US, CONFIRMATION)
    assert err.value.amazon_message == "Invalid Input"
    assert err.value.code == "Invalid Input"


def test_200_with_an_errors_body_is_not_taken_as_success(fake: FakeAmazon) -> None:
    fake.sp(
        "POST",
        "/orders/v0/orders/902-1106328-1059050/shipmentConfirmation",
        (200, {}, {"errors": [{"code": "InvalidInput", "message": "Order already fulfilled"}]}),
        check_response=False,
    )
    with pytest.raises(AmazonRejected) as err:
        client().confirm_shipment("902-1106328-1059050", US, CONFIRMATION)
    assert "Order already fulfilled" in err.value.amazon_message


# error bodies -------------------------------------------------------------------------------------------------
def test_error_bodies_without_details_or_request_id(fake: FakeAmazon) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post("https://lwa.test/auth/o2/token", json={"access_token": "Atza|x", "expires_in": 3600})
        rsps.get(ENDPOINT + ORDERS + "/1", status=403, json={"errors": [{"code": "Unauthorized"}]})
        rsps.get(
            ENDPOINT + ORDERS + "/2", status=400, json={"errors": [{"code": "InvalidInput", "message": "m"}]}
        )
        rsps.get(ENDPOINT + ORDERS + "/3", status=503, body=b"<html>Service Unavailable</html>")
        rsps.get(ENDPOINT + ORDERS + "/4", status=403, body=b"")
        c = client()
        with pytest.raises(AccessDenied):
            c.get_order("1")
        with pytest.raises(AmazonRejected) as err:
            c.get_order("2")
        assert err.value.amazon_message == "m"
        assert err.value.request_id == ""
        with pytest.raises(AmazonUnavailable):
            c.get_order("3")
        with pytest.raises(AccessDenied):
            c.get_order("4")
    fake.problems.clear()


def test_expired_token_403_without_details_refreshes_once(fake: FakeAmazon) -> None:
    """An imitation may say only "Unauthorized" (no details) for an expired token: refresh once, then retry."""
    (body,) = [b for b in examples("orders-2026-01-01.json", "getOrder")[:1]]
    order_id = body["order"]["orderId"]
    fake.sp(
        "GET",
        f"{ORDERS}/{order_id}",
        (
            403,
            {},
            {"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]},
        ),
        ok(body),
    )
    c = client()
    assert c.get_order(order_id).order_id == order_id
    assert c.tokens.refreshes == 2


def test_lwa_token_answer_variations() -> None:
    from fbm_desk.amazon.lwa import _grant

    grant = _grant(
        {"access_token": "Atza|a", "token_type": "Bearer", "expires_in": "3600"}, fallback_refresh="R"
    )
    assert (grant.refresh_token, grant.expires_in, grant.token_type.lower()) == ("R", 3600, "bearer")
    grant = _grant({"access_token": "Atza|a", "expires_in": 3600.0}, fallback_refresh="R")
    assert grant.expires_in == 3600
    grant = _grant({"access_token": "Atza|a"}, fallback_refresh="R")
    assert grant.expires_in == 3600


# reports ------------------------------------------------------------------------------------------------------
REPORTS = "/reports/2021-06-30"


def test_report_examples_flow_and_document_without_compression(fake: FakeAmazon) -> None:
    (created,) = examples("reports-2021-06-30.json", "createReport", "202")
    (in_progress,) = examples("reports-2021-06-30.json", "getReport")
    (document,) = examples("reports-2021-06-30.json", "getReportDocument")
    report_id = created["reportId"]
    done = dict(in_progress, processingStatus="DONE", reportDocumentId=document["reportDocumentId"])
    fake.sp("POST", f"{REPORTS}/reports", ok(created, status=202))
    fake.sp("GET", f"{REPORTS}/reports/{report_id}", ok(in_progress), ok(done))
    fake.sp("GET", f"{REPORTS}/documents/{document['reportDocumentId']}", ok(document))
    tsv = "seller-sku\titem-name\tasin1\tquantity\tfulfillment-channel\r\nSKU-1\tMug\tB000000001\t3\tDEFAULT\r\n"
    fake.rsps.get(document["url"], body=tsv.encode(), content_type="text/plain")
    rows = client().fetch_listings_report(US)
    assert [(r.seller_sku, r.title, r.asin, r.quantity) for r in rows] == [("SKU-1", "Mug", "B000000001", 3)]


@pytest.mark.parametrize("terminal", ["DONE", "CANCELLED", "FATAL"])
def test_report_that_is_terminal_at_once(fake: FakeAmazon, terminal: str) -> None:
    fake.sp("POST", f"{REPORTS}/reports", ok({"reportId": "R9"}, status=202))
    body: dict[str, Any] = {
        "reportId": "R9",
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "createdTime": "2026-11-24T09:00:00.000Z",
        "processingStatus": terminal,
    }
    if terminal == "DONE":
        body["reportDocumentId"] = "D9"
    fake.sp("GET", f"{REPORTS}/reports/R9", ok(body))
    fake.sp("GET", f"{REPORTS}/documents/D9", ok({"reportDocumentId": "D9", "url": f"{S3}/d9"}))
    fake.document(
        "GET",
        "/d9",
        body=b"seller-sku\tfulfillment-channel\nX-1\tDEFAULT\n",
        content_type="text/tab-separated-values",
    )
    c = client()
    if terminal == "FATAL":
        with pytest.raises(Exception, match="FATAL"):
            c.fetch_listings_report(US)
        return
    rows = c.fetch_listings_report(US)
    assert [r.seller_sku for r in rows] == (["X-1"] if terminal == "DONE" else [])
    assert c.stats.api_calls == (3 if terminal == "DONE" else 2)


@pytest.mark.parametrize(
    "charset", ["Cp1252", "windows-1252", "UTF-8", "utf8", "Shift_JIS", "ISO-8859-1", '"UTF-8"', ""]
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_report_tsv_by_name_any_charset_newline_and_bom(charset: str, newline: str, bom: bool) -> None:
    from fbm_desk.amazon.documents import decode
    from fbm_desk.amazon.reports import parse_listings_tsv

    title = "Café – 1" if charset.strip('"').lower() not in ("shift_jis",) else "日本のマグ"
    if charset.strip('"').upper() == "ISO-8859-1":
        title = "Café 1"
    header = ["status", "extra-column", "quantity", "fulfillment-channel", "asin1", "item-name", "seller-sku"]
    lines = [
        "\t".join(header),
        "\t".join(["Active", "?", "7", "DEFAULT", "B000000001", title, "SKU-1"]),
        "\t".join(["Active", "?", "1", "AMAZON_NA", "B000000002", "FBA", "SKU-2"]),
        "\t".join(["Inactive", "", "", "", "B000000003", "No channel column value", "SKU-3"]),
        "",
    ]
    encoding = {"": "utf-8"}.get(charset, charset.strip('"'))
    data = newline.join(lines).encode("cp932" if encoding.lower() == "shift_jis" else encoding)
    if bom and encoding.lower().replace("-", "") in ("utf8",):
        data = b"\xef\xbb\xbf" + data
    content_type = f"text/plain;charset={charset}" if charset else "text/plain"
    rows = parse_listings_tsv(decode(data, content_type))
    assert [(r.seller_sku, r.title, r.quantity, r.status) for r in rows] == [
        ("SKU-1", title, 7, "Active"),  # SKU-3 has no channel: never taken as merchant-fulfilled
    ]


def test_report_with_a_bom_and_missing_optional_columns() -> None:
    from fbm_desk.amazon.documents import decode
    from fbm_desk.amazon.reports import parse_listings_tsv

    data = "\ufeffseller-sku\tfulfillment-channel\r\nONLY-SKU\tDEFAULT\r\n".encode()
    rows = parse_listings_tsv(decode(data, "text/plain; charset=UTF-8"))
    assert [(r.seller_sku, r.asin, r.title, r.quantity) for r in rows] == [("ONLY-SKU", "", "", None)]
    # a BOM the charset did not strip (declared cp1252 but written by a UTF-8 tool) still finds the column
    rows = parse_listings_tsv("\ufeffSeller-SKU\tItem-Name\tFulfillment-Channel\nA\tB\tDEFAULT\n")
    assert [(r.seller_sku, r.title) for r in rows] == [("A", "B")]


# listings -----------------------------------------------------------------------------------------------------
LISTINGS = f"/listings/2021-08-01/items/{SELLER}"


@pytest.mark.parametrize(
    "body",
    examples("listings-items-2021-08-01.json", "searchListingsItems"),
    ids=_ids("listings-items-2021-08-01.json", "searchListingsItems"),
)
def test_search_listings_examples(fake: FakeAmazon, body: dict[str, Any]) -> None:
    last = copy.deepcopy(body)
    last.pop("pagination", None)
    fake.sp("GET", LISTINGS, ok(body), ok(last))
    rows = list(client().search_new_listings(US, SINCE))
    merchant = [
        i
        for i in body["items"]
        if not i.get("fulfillmentAvailability")
        or any(a.get("fulfillmentChannelCode") == "DEFAULT" for a in i["fulfillmentAvailability"])
    ]
    assert [r.seller_sku for r in rows] == [i["sku"] for i in merchant] * 2
    for row, raw in zip(rows, merchant, strict=False):
        summary = next(s for s in raw["summaries"] if s["marketplaceId"] == US)
        assert row.asin == summary["asin"]
        assert row.title == summary["itemName"]
        assert row.product_type == summary["productType"]
        default = next(a for a in raw["fulfillmentAvailability"] if a["fulfillmentChannelCode"] == "DEFAULT")
        assert row.quantity == default.get("quantity")
    first, second = fake.queries()
    assert second.pop("pageToken") == [body["pagination"]["nextToken"]]
    assert first == second


@pytest.mark.parametrize(
    "body",
    examples("listings-items-2021-08-01.json", "getListingsItem"),
    ids=_ids("listings-items-2021-08-01.json", "getListingsItem"),
)
def test_get_listing_examples(fake: FakeAmazon, body: dict[str, Any]) -> None:
    fake.sp("GET", f"{LISTINGS}/{body['sku']}", ok(body))
    row = client().get_listing(US, body["sku"])
    summary = next(s for s in body["summaries"] if s["marketplaceId"] == US)
    assert (row.seller_sku, row.asin, row.title) == (body["sku"], summary["asin"], summary["itemName"])
    assert row.status == ("Active" if "BUYABLE" in summary["status"] else "Inactive")
    assert row.opened_at == parse_datetime(summary["createdDate"])


@pytest.mark.parametrize(
    "body",
    examples("listings-items-2021-08-01.json", "patchListingsItem"),
    ids=_ids("listings-items-2021-08-01.json", "patchListingsItem"),
)
def test_patch_listing_examples(fake: FakeAmazon, body: dict[str, Any]) -> None:
    fake.sp("PATCH", f"{LISTINGS}/{body['sku']}", ok(body))
    result = client().patch_quantity(US, body["sku"], "LUGGAGE", 3)
    assert (result.sku, result.status, result.submission_id) == (
        body["sku"],
        body["status"],
        body["submissionId"],
    )
    assert result.accepted == (body["status"] == "ACCEPTED")
    assert [(i.code, i.message, i.severity) for i in result.issues] == [
        (i["code"], i["message"], i["severity"]) for i in body["issues"]
    ]


def test_listing_error_example_is_a_rejection(fake: FakeAmazon) -> None:
    (body,) = examples("listings-items-2021-08-01.json", "patchListingsItem", "400")
    fake.sp("PATCH", f"{LISTINGS}/BadSKU", (400, {}, body))
    with pytest.raises(AmazonRejected) as err:
        client().patch_quantity(US, "BadSKU", "LUGGAGE", 3)
    assert err.value.code == "BAD_REQUEST"


# feeds --------------------------------------------------------------------------------------------------------
FEEDS = "/feeds/2021-06-30"


def _processing_report_example() -> dict[str, Any]:
    path = spapi_model_path("listings-feed-processing-report-schema-v2.example.json")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_feed_examples_flow(fake: FakeAmazon) -> None:
    (doc,) = examples("feeds-2021-06-30.json", "createFeedDocument", "201")
    (created,) = examples("feeds-2021-06-30.json", "createFeed", "202")
    (cancelled,) = examples("feeds-2021-06-30.json", "getFeed")
    (result_doc,) = examples("feeds-2021-06-30.json", "getFeedDocument")
    feed_id = created["feedId"]
    done = dict(cancelled, feedType="JSON_LISTINGS_FEED", processingStatus="DONE")
    done["resultFeedDocumentId"] = result_doc["feedDocumentId"]
    fake.sp("POST", f"{FEEDS}/documents", ok(doc, status=201))
    fake.rsps.put(doc["url"], status=200)
    fake.sp("POST", f"{FEEDS}/feeds", ok(created, status=202))
    fake.sp("GET", f"{FEEDS}/feeds/{feed_id}", ok(dict(done, processingStatus="IN_QUEUE")), ok(done))
    fake.sp("GET", f"{FEEDS}/documents/{result_doc['feedDocumentId']}", ok(result_doc))
    report = _processing_report_example()
    fake.rsps.get(result_doc["url"], body=gzip.compress(json.dumps(report).encode()))  # no content type
    updates = [QuantityUpdate(f"My-SKU-{c}", "LUGGAGE", 1) for c in "ABCD"]
    result = client().submit_quantity_feed(US, updates, wait_s=600)
    assert result.done
    assert result.accepted_skus == ("My-SKU-A", "My-SKU-D")
    assert set(result.issues_by_sku) == {"My-SKU-B", "My-SKU-C"}
    assert len(result.issues_by_sku["My-SKU-B"]) == 2


def test_cancelled_feed_example_has_no_outcome(fake: FakeAmazon) -> None:
    (cancelled,) = examples("feeds-2021-06-30.json", "getFeed")
    fake.sp("POST", f"{FEEDS}/documents", ok({"feedDocumentId": "D", "url": f"{S3}/up"}, status=201))
    fake.document("PUT", "/up")
    fake.sp("POST", f"{FEEDS}/feeds", ok({"feedId": cancelled["feedId"]}, status=202))
    fake.sp("GET", f"{FEEDS}/feeds/{cancelled['feedId']}", ok(cancelled))
    result = client().submit_quantity_feed(US, [QuantityUpdate("A", "LUGGAGE", 1)], wait_s=600)
    assert result.processing_status == "CANCELLED"
    assert result.accepted_skus == ()


def test_processing_report_variations() -> None:
    skus = {1: "A", 2: "B", 3: "C"}
    # only message ids (no sku), lower-case severity, a warning, no summary
    report = {
        "header": {"sellerId": SELLER, "version": "2.0", "feedId": "F"},
        "issues": [
            {"messageId": 2, "code": "1", "severity": "error", "message": "bad"},
            {"messageId": 3, "code": "2", "severity": "WARNING", "message": "meh"},
        ],
    }
    result = parse_processing_report("F", "DONE", report, skus)
    assert result.accepted_skus == ("A", "C")
    assert [i.severity for i in result.issues_by_sku["B"]] == ["ERROR"]
    # no issues key at all: everything accepted
    assert parse_processing_report("F", "DONE", {"header": {}}, skus).accepted_skus == ("A", "B", "C")
    # a feed-level error (no sku, no message id): nothing can be taken as accepted
    level = {"issues": [{"code": "4000003", "severity": "ERROR", "message": "The feed could not be read"}]}
    result = parse_processing_report("F", "DONE", level, skus)
    assert result.accepted_skus == ()
    assert result.issues_by_sku["A"][0].message == "The feed could not be read"
    # messagesInvalid counted without any issue listed: nothing can be taken as accepted either
    summary_only = {
        "summary": {
            "errors": 0,
            "warnings": 0,
            "messagesProcessed": 3,
            "messagesAccepted": 0,
            "messagesInvalid": 3,
        }
    }
    assert parse_processing_report("F", "DONE", summary_only, skus).accepted_skus == ()


# sellers ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    examples("sellers-v1.json", "getMarketplaceParticipations"),
    ids=_ids("sellers-v1.json", "getMarketplaceParticipations"),
)
def test_marketplace_participation_examples(fake: FakeAmazon, body: dict[str, Any]) -> None:
    fake.sp("GET", "/sellers/v1/marketplaceParticipations", ok(body))
    found = client().marketplace_participations()
    assert [(m.marketplace_id, m.country_code, m.name, m.is_participating, m.store_name) for m in found] == [
        (
            p["marketplace"]["id"],
            p["marketplace"]["countryCode"],
            p["marketplace"]["name"],
            p["participation"]["isParticipating"],
            p["storeName"],
        )
        for p in body["payload"]
    ]


def test_marketplace_participations_tolerate_missing_optional_parts(fake: FakeAmazon) -> None:
    body = {
        "payload": [
            {
                "marketplace": {
                    "id": US,
                    "countryCode": "US",
                    "name": "Amazon.com",
                    "defaultCurrencyCode": "USD",
                    "defaultLanguageCode": "en_US",
                },
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
                "storeName": "S",
            },
            {
                "marketplace": {
                    "id": "A1PA6795UKMFR9",
                    "countryCode": "DE",
                    "name": "Amazon.de",
                    "defaultCurrencyCode": "EUR",
                    "defaultLanguageCode": "de_DE",
                },
                "participation": {"isParticipating": False, "hasSuspendedListings": False},
                "storeName": "S",
                "extra": 1,
            },
        ]
    }
    fake.sp("GET", "/sellers/v1/marketplaceParticipations", ok(body), check_response=False)
    found = client().marketplace_participations()
    assert [(m.marketplace_id, m.is_participating) for m in found] == [(US, True), ("A1PA6795UKMFR9", False)]


# the model's orders through the importer ----------------------------------------------------------------------
def _as_status(raw: dict[str, Any], status: str) -> dict[str, Any]:
    """The same order earlier in its life: PENDING (no address, nothing shipped) or UNSHIPPED."""
    early = copy.deepcopy(raw)
    early["fulfillment"]["fulfillmentStatus"] = status
    early["lastUpdatedTime"] = early["createdTime"]
    early.pop("packages", None)
    if status == "PENDING":
        early.pop("recipient", None)
    for item in early["orderItems"]:
        item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": item["quantityOrdered"]}
    return early


def test_model_orders_go_through_the_importer_from_pending_to_their_final_state(db: Any) -> None:
    from fbm_desk.db.models import Order, OrderItem, Package
    from fbm_desk.db.order_import import apply_orders_page
    from fbm_desk.db.stores import insert_store

    store = insert_store(
        name="Shop", marketplace_id=US, region="NA", selling_partner_id=SELLER, import_pending=True
    )
    merchant = [o for o in _all_model_orders() if _get(o, "fulfillment", "fulfilledBy") == "MERCHANT"]
    assert merchant
    for raw in merchant:  # one store holds them all (the examples come from many marketplaces)
        raw["salesChannel"]["marketplaceId"] = US
    stages = [[parse_order(_as_status(o, "PENDING")) for o in merchant]]
    stages.append([parse_order(_as_status(o, "UNSHIPPED")) for o in merchant])
    stages.append([parse_order(o) for o in merchant])
    outcomes = [
        apply_orders_page(store, page, now=f"2026-11-24T10:0{n}:00Z") for n, page in enumerate(stages)
    ]
    assert outcomes[0].created == len({o["orderId"] for o in merchant})
    for raw in merchant:
        local = Order.get(Order.amazon_order_id == raw["orderId"])
        status = raw["fulfillment"]["fulfillmentStatus"]
        assert local.amazon_status == status
        expected = {"UNSHIPPED": "released", "SHIPPED": "shipped", "PARTIALLY_SHIPPED": "partially_shipped"}
        assert local.state == expected.get(status, local.state)
        assert not local.payment_hold
        address = _get(raw, "recipient", "deliveryAddress", default={})
        assert reveal("ship_name", local.ship_name) == address.get("name", "")  # stored encrypted
        assert local.ship_city == address.get("city", "")
        shipped = {
            i.order_item_id: i.quantity_shipped for i in OrderItem.select().where(OrderItem.order == local.id)
        }
        for item in raw["orderItems"]:
            fulfilled = _get(item, "fulfillment", "quantityFulfilled")
            if fulfilled is not None:
                assert shipped[item["orderItemId"]] == fulfilled
        trackings = {p.tracking_number for p in Package.select().where(Package.order == local.id)}
        assert {p["trackingNumber"].replace(" ", "") for p in raw.get("packages", [])} <= {
            t.replace(" ", "") for t in trackings
        }
    # a rerun of the final page changes nothing
    again = apply_orders_page(store, stages[-1], now="2026-11-24T11:00:00Z")
    assert (again.created, again.updated) == (0, 0)


def test_confirm_shipment_2xx_with_an_unreadable_body_is_not_done(fake: FakeAmazon) -> None:
    # issue 11: a 2xx whose body cannot be read (a front end answering in Amazon's place) is no proof the
    # confirmation was processed; the shipments job keeps the package queued and sends it again
    path = "/orders/v0/orders/902-1106328-1059050/shipmentConfirmation"
    fake.sp("POST", path, (200, {"content-type": "text/plain"}, b"OK"), check_response=False)
    with pytest.raises(OutcomeUnknown):
        client().confirm_shipment("902-1106328-1059050", US, CONFIRMATION)


def test_confirm_shipment_2xx_without_a_body_is_done(fake: FakeAmazon) -> None:
    path = "/orders/v0/orders/902-1106328-1059050/shipmentConfirmation"
    fake.sp("POST", path, (200, {"content-type": "application/json"}, b""), check_response=False)
    client().confirm_shipment("902-1106328-1059050", US, CONFIRMATION)


def test_report_declared_gzip_but_already_inflated_by_content_encoding(fake: FakeAmazon) -> None:
    fake.sp("POST", f"{REPORTS}/reports", ok({"reportId": "R7"}, status=202))
    done = {
        "reportId": "R7",
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "createdTime": "2026-11-24T09:00:00+00:00",
        "processingStatus": "DONE",
        "reportDocumentId": "D7",
    }
    fake.sp("GET", f"{REPORTS}/reports/R7", ok(done))
    doc = {"reportDocumentId": "D7", "url": f"{S3}/d7", "compressionAlgorithm": "GZIP"}
    fake.sp("GET", f"{REPORTS}/documents/D7", ok(doc))
    fake.rsps.get(
        f"{S3}/d7",
        body=gzip.compress(b"seller-sku\tquantity\tfulfillment-channel\nZ-1\t4\tDEFAULT\n"),
        headers={"content-encoding": "gzip", "content-type": "text/plain;charset=UTF-8"},
    )
    rows = client().fetch_listings_report(US)
    assert [(r.seller_sku, r.quantity) for r in rows] == [("Z-1", 4)]


def test_orders_of_another_marketplace_are_not_imported_into_a_store(db: Any) -> None:
    from fbm_desk.db.models import Order
    from fbm_desk.db.order_import import apply_orders_page
    from fbm_desk.db.stores import insert_store

    store = insert_store(name="Shop", marketplace_id=US, region="NA", selling_partner_id=SELLER)
    raws = [_as_status(o, "UNSHIPPED") for o in _all_model_orders()]
    for raw in raws:
        raw["fulfillment"]["fulfilledBy"] = "MERCHANT"
    outcome = apply_orders_page(store, [parse_order(r) for r in raws], now="2026-11-24T10:00:00Z")
    expected = {r["orderId"] for r in raws if r["salesChannel"]["marketplaceId"] == US}
    assert {o.amazon_order_id for o in Order.select()} == expected
    assert outcome.skipped == len({r["orderId"] for r in raws} - expected)


# a stricter imitation: the generic product type refused -------------------------------------------------------
@pytest.mark.parametrize("refusal", ["invalid-200", "rejected-400", "unrelated"])
def test_inventory_patch_learns_the_real_product_type_when_the_generic_one_is_refused(
    db: Any, fake: FakeAmazon, refusal: str
) -> None:
    from fbm_desk.amazon.types import ListingRow
    from fbm_desk.db.listings import pushable_listings, upsert_listings
    from fbm_desk.db.models import Listing
    from fbm_desk.db.stores import insert_store
    from fbm_desk.sync.base import JobContext
    from fbm_desk.sync.inventory_job import InventoryJob

    store = insert_store(name="Shop", marketplace_id=US, region="NA", selling_partner_id=SELLER)
    upsert_listings(store, [ListingRow("GM-ZDPI-9B4E", asin="B071VG5N9D", title="Suitcase", quantity=5)])
    (lst,) = pushable_listings(store.id)
    assert lst.product_type == "PRODUCT"  # the report has no product type column
    message = "The productType PRODUCT does not match the listing's product type"
    if refusal == "unrelated":
        message = "The SKU is not in your catalog"
    invalid = {
        "sku": "GM-ZDPI-9B4E",
        "status": "INVALID",
        "submissionId": "s1",
        "issues": [{"code": "90000900", "message": message, "severity": "ERROR", "categories": []}],
    }
    (accepted,) = examples("listings-items-2021-08-01.json", "patchListingsItem")[:1]
    first = (400, {}, {"errors": [{"code": "InvalidInput", "message": message}]})
    fake.sp(
        "PATCH", f"{LISTINGS}/GM-ZDPI-9B4E", ok(invalid) if refusal != "rejected-400" else first, ok(accepted)
    )
    (item,) = examples("listings-items-2021-08-01.json", "getListingsItem")[:1]
    fake.sp("GET", f"{LISTINGS}/GM-ZDPI-9B4E", ok(item))
    ctx = JobContext(core=None, store=store, client=client())  # type: ignore[arg-type]

    if refusal == "unrelated":  # nothing to learn: Amazon's answer stands, no extra call
        result = InventoryJob._patch_one(ctx, lst, 3)
        assert not result.accepted
        assert [r.method for r in fake.sp_requests] == ["PATCH"]
        return
    result = InventoryJob._patch_one(ctx, lst, 3)
    assert result.accepted
    assert [r.method for r in fake.sp_requests] == ["PATCH", "GET", "PATCH"]
    assert json.loads(fake.sp_requests[-1].body or b"")["productType"] == "LUGGAGE"
    assert Listing.get(Listing.seller_sku == "GM-ZDPI-9B4E").product_type == "LUGGAGE"  # learnt for good


def test_cancelled_amazon_packages_are_not_recorded_as_shipments(db: Any) -> None:
    from fbm_desk.db.models import Order, Package
    from fbm_desk.db.order_import import apply_orders_page
    from fbm_desk.db.stores import insert_store

    store = insert_store(name="Shop", marketplace_id=US, region="NA", selling_partner_id=SELLER)
    (body,) = [b for b in examples("orders-2026-01-01.json", "getOrder") if b["order"].get("packages")][:1]
    raw = body["order"]
    raw["salesChannel"]["marketplaceId"] = US
    apply_orders_page(store, [parse_order(_as_status(raw, "UNSHIPPED"))], now="2026-11-24T10:00:00Z")
    live, dead = copy.deepcopy(raw["packages"][0]), copy.deepcopy(raw["packages"][0])
    dead["packageReferenceId"] = "99"
    dead["trackingNumber"] = "1Z999AA10123456784"
    dead["packageStatus"] = {"status": "CANCELLED"}
    raw["packages"] = [live, dead]
    apply_orders_page(store, [parse_order(raw)], now="2026-11-24T10:01:00Z")
    local = Order.get(Order.amazon_order_id == raw["orderId"])
    trackings = [p.tracking_number for p in Package.select().where(Package.order == local.id)]
    assert trackings == [live["trackingNumber"].replace(" ", "")]


def test_a_2xx_answer_beside_an_errors_list_is_still_an_answer(fake: FakeAmazon) -> None:
    body = {"orders": [], "errors": [{"code": "Warning", "message": "partial data"}]}
    fake.sp("GET", ORDERS, ok(body), check_response=False)
    pages = list(client().search_orders([US], last_updated_after=SINCE))
    assert [p.orders for p in pages] == [()]


def test_short_lived_access_tokens_are_reused_for_half_their_life() -> None:
    import requests

    from fbm_desk.amazon.lwa import AccessTokenProvider, LwaClient

    grant = {"access_token": "Atza|short", "token_type": "Bearer", "expires_in": 60}  # no refresh_token
    with responses.RequestsMock() as rsps:
        rsps.post("https://lwa.test/auth/o2/token", json=grant)
        rsps.post("https://lwa.test/auth/o2/token", json=dict(grant, access_token="Atza|next"))
        now = [0.0]
        lwa = LwaClient(make_config(), requests.Session())
        tokens = AccessTokenProvider(lwa, "Atzr|r", clock=lambda: now[0])
        assert tokens.get() == "Atza|short"
        now[0] = 29.0
        assert tokens.get() == "Atza|short"  # a 60-second margin would refresh on every call
        now[0] = 31.0
        assert tokens.get() == "Atza|next"
        assert tokens.refreshes == 2
