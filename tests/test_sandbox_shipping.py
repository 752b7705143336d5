"""Sandbox Shipping API v2 (Buy Shipping): every answer validated against shipping-v2.json, labels are real
PDF/PNG/ZPL documents, tracking numbers valid for their carrier, the void window, the model's rate limits and the
shipping role."""

from __future__ import annotations

import base64
import random
import re
import struct
import zlib
from typing import Any

import pytest

from fbm_desk.domain.carriers import carrier_for
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sandbox.ratelimit import limit_for
from fbm_desk.sandbox.shipping_desk import SERVICES, VOID_SECONDS, tracking_number
from tests.support.sandbox_fixtures import SpApi
from tests.support.spapi_contract import validate_request

US_BUSINESS = {"x-amzn-shipping-business-id": "AmazonShipping_US"}
SHIP_FROM = {
    "name": "Maple & Pine Goods",
    "addressLine1": "100 Main St",
    "city": "Springfield",
    "stateOrRegion": "IL",
    "postalCode": "62701",
    "countryCode": "US",
}


def rates_body(
    order_id: str, *, weight: float = 800, ship_from: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "shipFrom": ship_from or SHIP_FROM,
        "packages": [
            {
                "dimensions": {"length": 30, "width": 20, "height": 10, "unit": "CENTIMETER"},
                "weight": {"value": weight, "unit": "GRAM"},
                "insuredValue": {"value": 20.0, "unit": "USD"},
                "packageClientReferenceId": "pkg-1",
                "items": [],
            }
        ],
        "channelDetails": {"channelType": "AMAZON", "amazonOrderDetails": {"orderId": order_id}},
    }


def get_rates(spapi: SpApi, order_id: str, **kw: Any) -> Any:
    body = rates_body(order_id, **kw)
    validate_request("POST", spapi.sb.base_url + "/shipping/v2/shipments/rates", None, body)
    return spapi.post("/shipping/v2/shipments/rates", body, headers=US_BUSINESS)


def purchase(spapi: SpApi, token: str, rate_id: str, fmt: str = "PDF", key: str = "") -> Any:
    spec: dict[str, Any] = {
        "format": fmt,
        "size": {"width": 4, "length": 6, "unit": "INCH"},
        "needFileJoining": False,
        "requestedDocumentTypes": ["LABEL"],
    }
    body = {"requestToken": token, "rateId": rate_id, "requestedDocumentSpecification": spec}
    validate_request("POST", spapi.sb.base_url + "/shipping/v2/shipments", None, body)
    headers = {**US_BUSINESS, **({"x-amzn-IdempotencyKey": key} if key else {})}
    return spapi.post("/shipping/v2/shipments", body, headers=headers)


def _order(sandbox: RunningSandbox) -> str:
    return sandbox.world.add_order(skus=list(sandbox.world.listings)[:1])


def test_rates_purchase_documents_and_void(spapi: SpApi, sandbox: RunningSandbox) -> None:
    order_id = _order(sandbox)
    resp = get_rates(spapi, order_id)
    assert resp.status_code == 200, resp.text
    payload = resp.json()["payload"]
    carriers = {r["carrierName"] for r in payload["rates"]}
    assert {"USPS", "UPS", "FedEx", "Amazon Shipping"} <= carriers
    assert all(r["totalCharge"]["unit"] == "USD" and r["totalCharge"]["value"] > 0 for r in payload["rates"])
    ups = next(r for r in payload["rates"] if r["serviceId"] == "UPS_GROUND")
    bought = purchase(spapi, payload["requestToken"], ups["rateId"], "ZPL", key="k-1")
    assert bought.status_code == 200, bought.text
    detail = bought.json()["payload"]["packageDocumentDetails"][0]
    tracking = detail["trackingId"]
    ups_carrier = carrier_for("UPS")
    assert ups_carrier is not None
    assert ups_carrier.plausible(tracking)
    zpl = base64.b64decode(detail["packageDocuments"][0]["contents"]).decode("ascii")
    assert zpl.startswith("^XA")
    assert zpl.rstrip().endswith("^XZ")
    assert f"^FD{tracking}^FS" in zpl
    # the same idempotency key gives the same shipment, not a second label
    again = purchase(spapi, payload["requestToken"], ups["rateId"], "ZPL", key="k-1")
    assert again.json() == bought.json()
    state = sandbox.world.order_state(order_id)
    assert state["status"] == "SHIPPED"
    assert state["packages"][0]["tracking_number"] == tracking
    assert sandbox.world.pushed()["shipments"] == []  # no confirmShipment was needed
    shipment_id = bought.json()["payload"]["shipmentId"]
    docs = spapi.get(
        f"/shipping/v2/shipments/{shipment_id}/documents",
        params={"packageClientReferenceId": "pkg-1", "format": "PDF"},
        headers=US_BUSINESS,
    )
    assert docs.status_code == 200, docs.text
    pdf = base64.b64decode(docs.json()["payload"]["packageDocumentDetail"]["packageDocuments"][0]["contents"])
    assert pdf.startswith(b"%PDF-1.4")
    assert b"/MediaBox [0 0 288 432]" in pdf
    assert pdf.rstrip().endswith(b"%%EOF")
    tracked = spapi.get(
        "/shipping/v2/tracking", params={"trackingId": tracking, "carrierId": "UPS"}, headers=US_BUSINESS
    )
    assert tracked.status_code == 200
    assert tracked.json()["payload"]["summary"]["status"] == "PreTransit"
    cancel = spapi.call("PUT", f"/shipping/v2/shipments/{shipment_id}/cancel", headers=US_BUSINESS)
    assert cancel.status_code == 200
    assert cancel.json() == {"payload": {}}
    assert sandbox.world.order_state(order_id)["status"] == "UNSHIPPED"
    assert sandbox.world.order_state(order_id)["packages"] == []


def test_png_label_is_a_real_4x6_png(spapi: SpApi, sandbox: RunningSandbox) -> None:
    payload = get_rates(spapi, _order(sandbox)).json()["payload"]
    bought = purchase(spapi, payload["requestToken"], payload["rates"][0]["rateId"], "PNG")
    png = base64.b64decode(
        bought.json()["payload"]["packageDocumentDetails"][0]["packageDocuments"][0]["contents"]
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (812, 1218)  # 4 x 6 inches at 203 dpi
    idat = png.index(b"IDAT")
    length = struct.unpack(">I", png[idat - 4 : idat])[0]
    raw = zlib.decompress(png[idat + 4 : idat + 4 + length])
    assert len(raw) == height * (1 + (width + 7) // 8)
    assert raw.count(b"\x00") > 1000  # black pixels were drawn


def test_void_window_closes(spapi: SpApi, sandbox: RunningSandbox) -> None:
    payload = get_rates(spapi, _order(sandbox)).json()["payload"]
    shipment_id = purchase(spapi, payload["requestToken"], payload["rates"][0]["rateId"]).json()["payload"][
        "shipmentId"
    ]
    sandbox.world.advance(sandbox.world.clock.ttl(VOID_SECONDS) + 1)
    resp = spapi.call("PUT", f"/shipping/v2/shipments/{shipment_id}/cancel", headers=US_BUSINESS)
    assert resp.status_code == 400
    assert "can no longer be canceled" in resp.json()["errors"][0]["message"]


def test_rates_expire_after_ten_minutes(spapi: SpApi, sandbox: RunningSandbox) -> None:
    payload = get_rates(spapi, _order(sandbox)).json()["payload"]
    sandbox.world.advance(sandbox.world.clock.ttl(600) + 1)
    resp = purchase(spapi, payload["requestToken"], payload["rates"][0]["rateId"])
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == "TOKEN_EXPIRED"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"ship_from": {**SHIP_FROM, "postalCode": "ABCDE"}}, "address could not be validated"),
        ({"status": "CANCELLED"}, "not eligible"),
        ({"business": "AmazonShipping_UK"}, "does not serve"),
    ],
)
def test_refusals(spapi: SpApi, sandbox: RunningSandbox, change: dict[str, Any], fragment: str) -> None:
    order_id = _order(sandbox)
    if change.get("status") == "CANCELLED":
        sandbox.world.cancel_order(order_id)
    body = rates_body(order_id, ship_from=change.get("ship_from"))
    headers = {"x-amzn-shipping-business-id": change.get("business", "AmazonShipping_US")}
    resp = spapi.post("/shipping/v2/shipments/rates", body, headers=headers)
    assert resp.status_code == 400
    error = resp.json()["errors"][0]
    assert fragment in f"{error['message']} {error['details']}"


def test_heavy_package_gets_ineligible_services(spapi: SpApi, sandbox: RunningSandbox) -> None:
    payload = get_rates(spapi, _order(sandbox), weight=40000).json()["payload"]
    assert {r["carrierName"] for r in payload["rates"]} == {"UPS", "FedEx"}
    reasons = {x["code"] for r in payload["ineligibleRates"] for x in r["ineligibilityReasons"]}
    assert reasons == {"WEIGHT_RESTRICTIONS"}


def test_role_missing_is_403(spapi: SpApi, sandbox: RunningSandbox) -> None:
    sandbox.world.withhold_shipping_role()
    resp = get_rates(spapi, _order(sandbox))
    assert resp.status_code == 403
    sandbox.world.grant_shipping_role()
    assert get_rates(spapi, _order(sandbox)).status_code == 200


def test_rate_limits_come_from_the_model() -> None:
    for op in ("getRates", "purchaseShipment", "getShipmentDocuments", "cancelShipment", "getTracking"):
        limit = limit_for(op)
        assert (limit.rate, limit.burst) == (80.0, 100)


def test_tracking_numbers_are_valid_for_their_carrier() -> None:
    rng = random.Random(5)
    names = {
        "USPS": "USPS",
        "UPS": "UPS",
        "FEDEX": "FedEx",
        "AMZN_US": "Amazon Shipping",
        "ROYALMAIL": "Royal Mail",
    }
    for service in SERVICES:
        number = tracking_number(rng, service.carrier_id, service.service_id)
        carrier = carrier_for(names.get(service.carrier_id, "Amazon Shipping"))
        assert carrier is not None
        assert carrier.plausible(number), (service.service_id, number)
    usps = tracking_number(rng, "USPS", "USPS_GROUND_ADV")
    digits = [int(d) for d in usps]
    assert (
        sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1]))) % 10
        == (10 - digits[-1]) % 10
    )
    assert re.fullmatch(r"1Z[A-Z0-9]{16}", tracking_number(rng, "UPS", "UPS_GROUND"))
