"""The Buy Shipping client (Shipping API v2): requests checked against shipping-v2.json, Amazon's own example
answers parsed, the retry policy with the idempotency key, and each refusal as an error that says what to do."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
import responses

from fbm_desk.amazon.errors import OutcomeUnknown
from fbm_desk.amazon.shipping_types import (
    ROLE_MISSING_MESSAGE,
    DocumentSpec,
    Parcel,
    ParcelItem,
    RatesExpired,
    ShipAddress,
    ShipmentIneligible,
    ShippingAddressInvalid,
    ShippingRoleMissing,
    VoidWindowClosed,
)
from fbm_desk.foundation.resources import spapi_model_path
from tests.support.amazon_fakes import FakeAmazon, seller_client
from tests.test_amazon_model_examples import examples

US = "ATVPDKIKX0DER"
MODEL = "shipping-v2.json"
RATES = "/shipping/v2/shipments/rates"
SHIP_FROM = ShipAddress("Maple & Pine", "100 Main St", "Springfield", "IL", "62701", "US")
PARCEL = Parcel("111-1-1", 30, 20, 10, 800, "24.99", "USD", (ParcelItem("12345", 1, "24.99"),))
PDF_4X6 = DocumentSpec("PDF", 4, 6, "INCH", (), ("DEFAULT",), (False,))


@pytest.fixture
def fake() -> Iterator[FakeAmazon]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        amazon = FakeAmazon(rsps)
        amazon.lwa()
        yield amazon
        assert amazon.problems == []


def _business_ids() -> list[str]:
    model = json.loads(spapi_model_path(MODEL).read_text(encoding="utf-8"))
    param = next(
        p for p in model["paths"][RATES]["post"]["parameters"] if p["name"] == "x-amzn-shipping-business-id"
    )
    return list(param["enum"])


def _error(code: str, message: str, details: str = "") -> dict[str, object]:
    return {"errors": [{"code": code, "message": message, "details": details}]}


def test_rates_request_follows_the_model_and_amazons_example_parses(fake: FakeAmazon) -> None:
    (example,) = examples(MODEL, "getRates")
    fake.sp("POST", RATES, (200, {}, example), check_response=False)  # the example's "GRAMS" is off-model
    quote = seller_client().shipping_rates(US, "111-1-1", SHIP_FROM, PARCEL)
    sent = fake.sp_requests[0]
    assert sent.headers["x-amzn-shipping-business-id"] == "AmazonShipping_US"
    assert sent.headers["x-amzn-shipping-business-id"] in _business_ids()
    body = json.loads(sent.body or b"{}")
    assert body["channelDetails"] == {"channelType": "AMAZON", "amazonOrderDetails": {"orderId": "111-1-1"}}
    assert "shipTo" not in body  # the Amazon channel takes it from the order
    assert body["packages"][0]["weight"] == {"value": 800, "unit": "GRAM"}
    assert quote.request_token == example["requestToken"]
    first = quote.rates[0]
    assert (first.carrier_name, first.price, first.currency) == ("FOO SHIP GRD", "7.00", "USD")
    assert {d.format for d in first.documents} == {"PNG", "ZPL"}
    assert first.required_services == ("CUST_SIG_VERIFICATION",)  # its signature group isRequired


def test_purchase_is_retried_with_the_same_idempotency_key(fake: FakeAmazon) -> None:
    (example,) = examples(MODEL, "purchaseShipment")
    fake.sp(
        "POST",
        "/shipping/v2/shipments",
        (500, {}, _error("InternalFailure", "We encountered an internal error.")),
        (200, {}, example),
        check_response=False,
    )
    bought = seller_client().purchase_label(US, "TOKEN", "RATE", PDF_4X6, "key-1", ("CUST_SIG_VERIFICATION",))
    keys = [r.headers.get("x-amzn-IdempotencyKey") for r in fake.sp_requests]
    assert keys == ["key-1", "key-1"]  # a write with a key is asked again, not left "outcome unknown"
    assert bought.tracking_id == "1578648261977"
    assert bought.label.format == "PNG"
    assert base64.b64encode(bought.label.contents)
    sent = json.loads(fake.sp_requests[0].body or b"{}")
    assert sent["requestedValueAddedServices"] == [{"id": "CUST_SIG_VERIFICATION"}]
    spec = sent["requestedDocumentSpecification"]
    assert spec["format"] == "PDF"
    assert spec["requestedDocumentTypes"] == ["LABEL"]


def test_void_without_a_key_is_not_sent_twice(fake: FakeAmazon) -> None:
    path = "/shipping/v2/shipments/S1/cancel"
    fake.sp("PUT", path, (500, {}, _error("InternalFailure", "internal error")))
    with pytest.raises(OutcomeUnknown):
        seller_client().void_label(US, "S1")
    assert len(fake.sp_requests) == 1


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (403, _error("Unauthorized", "Access to requested resource is denied.", ""), ShippingRoleMissing, ROLE_MISSING_MESSAGE),
        (400, _error("TOKEN_EXPIRED", "The request token has expired."), RatesExpired, "get the rates again"),
        (400, _error("InvalidRequest", "The address could not be validated."), ShippingAddressInvalid, "cannot validate the address"),
        (400, _error("InvalidRequest", "The order is not eligible for Buy Shipping."), ShipmentIneligible, "will not sell a label"),
    ],
)  # fmt: skip
def test_refusals_say_what_to_do(
    fake: FakeAmazon, status: int, body: dict[str, object], error: type[Exception], words: str
) -> None:
    fake.sp("POST", RATES, (status, {}, body))
    with pytest.raises(error) as caught:
        seller_client().shipping_rates(US, "111-1-1", SHIP_FROM, PARCEL)
    assert words in str(caught.value)


def test_cancel_and_documents(fake: FakeAmazon) -> None:
    fake.sp("PUT", "/shipping/v2/shipments/S1/cancel", (200, {}, {"payload": {}}))
    seller_client().void_label(US, "S1")
    fake.sp(
        "PUT", "/shipping/v2/shipments/S2/cancel", (400, {}, _error("InvalidRequest", "Cannot be canceled."))
    )
    with pytest.raises(VoidWindowClosed, match="will not void this label"):
        seller_client().void_label(US, "S2")
    (example,) = examples(MODEL, "getShipmentDocuments")
    fake.sp("GET", "/shipping/v2/shipments/S1/documents", (200, {}, example), check_response=False)
    doc = seller_client().label_document(US, "S1", "ASUSDI-45343854", "PNG")
    assert doc.format == "PNG"
    assert doc.contents
