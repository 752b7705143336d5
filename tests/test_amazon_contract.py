"""The contract validator itself: it must accept what the models allow and catch what they forbid."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.spapi_contract import (
    ContractViolation,
    _models,
    find_operation,
    validate_request,
    validate_response,
)

EP = "https://sellingpartnerapi-na.amazon.com"
US = "ATVPDKIKX0DER"


def shipment(reference: Any) -> dict[str, Any]:
    return {
        "marketplaceId": US,
        "packageDetail": {
            "packageReferenceId": reference,
            "carrierCode": "UPS",
            "trackingNumber": "1Z",
            "shipDate": "2026-11-24T10:00:00Z",
            "orderItems": [{"orderItemId": "1", "quantity": 1}],
        },
    }


def test_operations_are_found_by_path_template() -> None:
    op = find_operation("PATCH", EP + "/listings/2021-08-01/items/SELLER/A%2FB?marketplaceIds=" + US)
    assert op.operation_id == "patchListingsItem"
    assert op.path_params == {"sellerId": "SELLER", "sku": "A/B"}
    assert find_operation("GET", EP + "/orders/2026-01-01/orders/1-2-3").operation_id == "getOrder"
    assert find_operation("GET", EP + "/orders/2026-01-01/orders/1-2-3").model == "orders-2026-01-01.json"
    with pytest.raises(ContractViolation, match="no such operation"):
        find_operation("GET", EP + "/orders/2025-01-01/orders")
    with pytest.raises(ContractViolation, match="method not allowed"):
        find_operation("DELETE", EP + "/orders/2026-01-01/orders")


def test_query_parameters_are_checked() -> None:
    good = EP + "/orders/2026-01-01/orders"
    validate_request(
        "GET",
        good,
        {
            "lastUpdatedAfter": "2026-11-01T00:00:00Z",
            "includedData": "BUYER,RECIPIENT",
            "marketplaceIds": US,
            "maxResultsPerPage": "100",
        },
    )
    cases = {
        "includedData": ("ADDRESS", "not one of"),
        "lastUpdatedAfter": ("yesterday", "date-time"),
        "maxResultsPerPage": ("many", "integer"),
        "unknownFilter": ("1", "not in the model"),
        "marketplaceIds": (",".join(["X"] * 51), "more than 50"),
    }
    for name, (value, message) in cases.items():
        with pytest.raises(ContractViolation, match=message):
            validate_request("GET", good, {name: value})
    with pytest.raises(ContractViolation, match="required query parameter marketplaceIds"):
        validate_request("GET", EP + "/listings/2021-08-01/items/S/SKU")
    with pytest.raises(ContractViolation, match="above the maximum 20"):
        validate_request("GET", EP + "/listings/2021-08-01/items/S", {"marketplaceIds": US, "pageSize": "21"})
    with pytest.raises(ContractViolation, match="sent 2 times"):
        validate_request("GET", EP + "/listings/2021-08-01/items/S", {"marketplaceIds": [US, US]})


def test_bodies_are_checked_against_the_model_definitions() -> None:
    url = EP + "/orders/v0/orders/111-1/shipmentConfirmation"
    validate_request("POST", url, None, shipment("1"))
    with pytest.raises(ContractViolation, match="not of type 'string'"):
        validate_request("POST", url, None, shipment(1))
    with pytest.raises(ContractViolation, match="body is missing"):
        validate_request("POST", url)
    bad_date = shipment("1")
    bad_date["packageDetail"]["shipDate"] = "11/24/2026"
    with pytest.raises(ContractViolation, match="shipDate"):
        validate_request("POST", url, None, bad_date)
    with pytest.raises(ContractViolation, match="takes no body"):
        validate_request("GET", EP + "/sellers/v1/marketplaceParticipations", None, {"x": 1})


def test_responses_are_checked_per_status() -> None:
    url = EP + "/orders/2026-01-01/orders"
    validate_response("GET", url, 200, {"orders": []})
    validate_response("GET", url, 429, {"errors": [{"code": "QuotaExceeded", "message": "slow down"}]})
    with pytest.raises(ContractViolation, match="'orders' is a required property"):
        validate_response("GET", url, 200, {"pagination": {}})
    with pytest.raises(ContractViolation, match="not declared"):
        validate_response("GET", url, 418, {})
    validate_response("POST", EP + "/orders/v0/orders/1/shipmentConfirmation", 204, None)
    with pytest.raises(ContractViolation, match="no body"):
        validate_response("POST", EP + "/orders/v0/orders/1/shipmentConfirmation", 204, {"ok": True})


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("get", "/orders/2026-01-01/orders"),
        ("get", "/orders/2026-01-01/orders/{orderId}"),
        ("get", "/reports/2021-06-30/reports/{reportId}"),
        ("get", "/feeds/2021-06-30/feeds/{feedId}"),
        ("patch", "/listings/2021-08-01/items/{sellerId}/{sku}"),
        ("get", "/sellers/v1/marketplaceParticipations"),
    ],
)
def test_amazons_own_examples_validate(method: str, template: str) -> None:
    checked = 0
    for model in _models().values():
        spec = model["paths"].get(template, {}).get(method)
        if spec is None:
            continue
        for status, response in spec["responses"].items():
            examples = [response.get("examples", {}).get("application/json")]
            examples += [s.get("response") for s in response.get("x-amzn-api-sandbox", {}).get("static", [])]
            for example in examples:
                if example is not None:
                    url = EP + template.replace("{", "x").replace("}", "")
                    validate_response(method, url, int(status), example)
                    checked += 1
    assert checked > 0
