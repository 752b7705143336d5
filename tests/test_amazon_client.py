"""SP-API client against a `responses` fake: orders, shipments, LWA, and every error path of the transport."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import responses

from fbm_desk.amazon.client import SpApiClient, build_consent_url, exchange_authorization_code
from fbm_desk.amazon.errors import (
    AccessDenied,
    AmazonNotFound,
    AmazonRejected,
    AmazonUnavailable,
    AuthorizationRevoked,
    Cancelled,
    MalformedResponse,
    TokenExchangeFailed,
)
from fbm_desk.amazon.lwa import AccessTokenProvider, LwaClient
from fbm_desk.amazon.marketplaces import by_code
from fbm_desk.amazon.types import ShipmentConfirmation, ShipmentItem
from fbm_desk.foundation.errors import InvalidInput
from tests.support.amazon_fakes import LWA_URL, SELLER, FakeAmazon, amazon_error, make_config, ok

US = "ATVPDKIKX0DER"
ORDERS = "/orders/2026-01-01/orders"
INVALID_TOKEN = "The access token you provided is revoked, malformed or invalid."


@pytest.fixture
def fake() -> Iterator[FakeAmazon]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        amazon = FakeAmazon(rsps)
        yield amazon
        assert amazon.problems == []


def make_client(cancel: threading.Event | None = None) -> SpApiClient:
    return SpApiClient(
        make_config(), refresh_token="Atzr|refresh", selling_partner_id=SELLER, region="NA", cancel=cancel
    )


def order(order_id: str, status: str = "UNSHIPPED", *, pending: bool = False) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "orderId": order_id,
        "createdTime": "2026-11-20T10:00:00Z",
        "lastUpdatedTime": "2026-11-20T11:00:00Z",
        "programs": ["PRIME"],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": US, "marketplaceName": "Amazon.com"},
        "fulfillment": {
            "fulfillmentStatus": "PENDING" if pending else status,
            "fulfilledBy": "MERCHANT",
            "fulfillmentServiceLevel": "STANDARD",
            "shipByWindow": {"latestDateTime": "2026-11-22T23:59:59Z"},
        },
        "orderItems": [
            {
                "orderItemId": f"{order_id}-1",
                "quantityOrdered": 2,
                "product": {
                    "asin": "B000000001",
                    "sellerSku": "MUG-01",
                    "title": "Tasse «Café» – grün",
                    "price": {"unitPrice": {"amount": "9.99", "currencyCode": "USD"}},
                },
            }
        ],
    }
    if not pending:
        raw["recipient"] = {
            "deliveryAddress": {
                "name": "Jane Doe",
                "addressLine1": "1 Main St",
                "city": "Seattle",
                "postalCode": "98101",
                "countryCode": "US",
            }
        }
        raw["proceeds"] = {"grandTotal": {"amount": "19.98", "currencyCode": "USD"}}
    return raw


# searchOrders ---------------------------------------------------------------------------------------------
def test_search_orders_pages_with_the_same_filters_and_parses_orders(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp(
        "GET",
        ORDERS,
        ok(
            {
                "orders": [order("111-0000001-0000001"), order("111-0000001-0000002", pending=True)],
                "pagination": {"nextToken": "tok+/=1"},
                "lastUpdatedBefore": "2026-11-24T09:00:00Z",
            }
        ),
        ok(
            {"orders": [order("111-0000001-0000003", "SHIPPED")], "lastUpdatedBefore": "2026-11-24T09:00:00Z"}
        ),
    )
    client = make_client()
    since = datetime(2026, 11, 20, tzinfo=UTC)
    pages = list(
        client.search_orders([US], last_updated_after=since, fulfillment_statuses=["PENDING", "UNSHIPPED"])
    )

    assert [len(p.orders) for p in pages] == [2, 1]
    assert pages[0].next_token == "tok+/=1"
    assert pages[1].next_token is None
    first, pending = pages[0].orders
    assert first.address is not None
    assert first.address.city == "Seattle"
    assert first.items[0].seller_sku == "MUG-01"
    assert first.items[0].quantity_ordered == 2
    assert first.total_amount == "19.98"
    assert first.is_prime
    assert pending.fulfillment_status == "PENDING"
    assert pending.address is None
    assert pending.total_amount == ""

    q1, q2 = fake.queries()
    assert q2.pop("paginationToken") == ["tok+/=1"]
    assert q1 == q2  # same filters on the next page
    assert q1["fulfilledBy"] == ["MERCHANT"]
    assert q1["fulfillmentStatuses"] == ["PENDING,UNSHIPPED"]  # csv, as the model's default collectionFormat
    assert q1["includedData"] == ["RECIPIENT,FULFILLMENT,PROCEEDS,PACKAGES,BUYER,CANCELLATION"]
    assert q1["maxResultsPerPage"] == ["100"]
    assert q1["lastUpdatedAfter"] == ["2026-11-20T00:00:00Z"]
    assert client.stats.api_calls == 2
    assert len(client.stats.request_ids) == 2


def test_last_updated_before_is_clamped_two_minutes_into_the_past(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, ok({"orders": []}))
    client = make_client()
    future = datetime.now(UTC) + timedelta(hours=1)
    pages = list(
        client.search_orders(
            [US], last_updated_after=datetime.now(UTC) - timedelta(days=1), last_updated_before=future
        )
    )
    sent = datetime.fromisoformat(fake.queries()[0]["lastUpdatedBefore"][0].replace("Z", "+00:00"))
    assert sent <= datetime.now(UTC) - timedelta(minutes=2)
    assert pages[0].last_updated_before == sent  # no echo from Amazon: the window end we really asked for


def test_a_window_that_ends_before_it_starts_makes_no_call(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, ok({"orders": []}))
    client = make_client()
    pages = list(
        client.search_orders(
            [US], last_updated_after=datetime.now(UTC), last_updated_before=datetime.now(UTC)
        )
    )
    assert pages[0].orders == ()
    assert fake.sp_requests == []


def test_created_after_and_get_order(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, ok({"orders": [], "createdBefore": "2026-11-24T09:00:00Z"}))
    fake.sp("GET", ORDERS + "/111-0000001-0000009", ok({"order": order("111-0000001-0000009", "SHIPPED")}))
    client = make_client()
    pages = list(client.search_orders([US], created_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert pages[0].last_updated_before == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert fake.queries()[0]["createdAfter"] == ["2026-11-01T00:00:00Z"]
    got = client.get_order("111-0000001-0000009")
    assert got.order_id == "111-0000001-0000009"
    assert got.fulfillment_status == "SHIPPED"


# confirmShipment ------------------------------------------------------------------------------------------
def test_confirm_shipment_sends_package_reference_as_string_and_iso_date(fake: FakeAmazon) -> None:
    fake.lwa()
    path = "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation"
    fake.sp("POST", path, ok(None, status=204))
    shipped = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    make_client().confirm_shipment(
        "111-0000001-0000001",
        US,
        ShipmentConfirmation(
            package_reference_id=1,
            carrier_code="Other",
            carrier_name="Hermes",
            tracking_number="H123",
            ship_date=shipped,
            items=(ShipmentItem("111-1", 2),),
            shipping_method="Standard",
        ),
    )
    body = json.loads(fake.sp_requests[0].body or b"")
    detail = body["packageDetail"]
    assert body["marketplaceId"] == US
    assert detail["packageReferenceId"] == "1"
    assert detail["shipDate"] == "2026-11-24T15:30:00Z"
    assert detail["carrierName"] == "Hermes"
    assert detail["shippingMethod"] == "Standard"
    assert detail["orderItems"] == [{"orderItemId": "111-1", "quantity": 2}]


def test_confirm_shipment_rejection_carries_amazons_message(fake: FakeAmazon) -> None:
    fake.lwa()
    path = "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation"
    fake.sp("POST", path, amazon_error(400, "InvalidInput", "Invalid Input", "invalid tracking number"))
    with pytest.raises(AmazonRejected) as err:
        make_client().confirm_shipment(
            "111-0000001-0000001",
            US,
            ShipmentConfirmation(
                2, "UPS", "bad", datetime(2026, 11, 24, tzinfo=UTC), (ShipmentItem("1", 1),)
            ),
        )
    assert "Invalid Input" in err.value.amazon_message
    assert "invalid tracking number" in err.value.amazon_message
    assert err.value.status == 400
    assert "Invalid Input" in str(err.value)


# transport error paths ------------------------------------------------------------------------------------
def test_429_storm_is_retried_then_succeeds_and_counted(fake: FakeAmazon) -> None:
    fake.lwa()
    throttled = amazon_error(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
    fake.sp("GET", ORDERS, throttled, throttled, throttled, ok({"orders": []}))
    client = make_client()
    pages = list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert pages[0].orders == ()
    assert client.stats.api_calls == 4
    assert client.stats.throttled == 3
    assert client.stats.retries == 3


def test_429_that_never_ends_gives_amazon_unavailable(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, amazon_error(429, "QuotaExceeded", "You exceeded your quota."))
    client = make_client()
    with pytest.raises(AmazonUnavailable) as err:
        list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert client.stats.throttled == 6
    assert client.stats.api_calls == 6
    assert "throttling" in str(err.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(fake: FakeAmazon, status: int) -> None:
    fake.lwa()
    fake.sp(
        "GET",
        ORDERS,
        amazon_error(status, "InternalFailure", "We encountered an internal error."),
        ok({"orders": []}),
    )
    client = make_client()
    list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert client.stats.api_calls == 2
    assert client.stats.throttled == 0


def test_timeouts_and_dropped_connections_are_retried(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp(
        "GET",
        ORDERS,
        (0, {}, requests.ReadTimeout("slow")),
        (0, {}, requests.ConnectionError("reset")),
        ok({"orders": []}),
    )
    client = make_client()
    list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert client.stats.api_calls == 3


def test_persistent_timeouts_give_amazon_unavailable(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, (0, {}, requests.ConnectTimeout("down")))
    client = make_client()
    with pytest.raises(AmazonUnavailable):
        list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert client.stats.api_calls == 6


def test_invalid_token_403_refreshes_once_and_retries(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp(
        "GET",
        ORDERS,
        amazon_error(403, "Unauthorized", "Access to requested resource is denied.", INVALID_TOKEN),
        ok({"orders": []}),
    )
    client = make_client()
    list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert len(fake.lwa_forms) == 2  # first token, then one refresh
    tokens = [r.headers["x-amz-access-token"] for r in fake.sp_requests]
    assert tokens == ["Atza|token-1", "Atza|token-2"]


def test_invalid_token_twice_means_authorization_revoked(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp(
        "GET",
        ORDERS,
        amazon_error(403, "Unauthorized", "Access to requested resource is denied.", INVALID_TOKEN),
    )
    with pytest.raises(AuthorizationRevoked) as err:
        list(make_client().search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert "reconnect the store" in str(err.value)
    assert len(fake.lwa_forms) == 2
    assert len(fake.sp_requests) == 2


def test_403_without_token_detail_is_access_denied_after_one_refresh(fake: FakeAmazon) -> None:
    # the models list "Expired Token" among 403 reasons and an imitation may omit the details: one fresh
    # token and one retry, then a persistent 403 without a token detail is a denial (not a revocation)
    fake.lwa()
    fake.sp("GET", ORDERS, amazon_error(403, "Unauthorized", "Access to requested resource is denied."))
    with pytest.raises(AccessDenied):
        list(make_client().search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert len(fake.lwa_forms) == 2
    assert len(fake.sp_requests) == 2


def test_revoked_refresh_token_raises_authorization_revoked(fake: FakeAmazon) -> None:
    fake.lwa(
        (
            400,
            {},
            {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : refresh_token",
            },
        )
    )
    fake.sp("GET", ORDERS, ok({"orders": []}))
    with pytest.raises(AuthorizationRevoked) as err:
        list(make_client().search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert str(err.value) == "Amazon no longer accepts this store's authorization — reconnect the store"
    assert "Atzr" not in repr(err.value)
    assert fake.sp_requests == []


def test_access_token_is_cached_between_calls(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, ok({"orders": []}))
    client = make_client()
    for _ in range(3):
        list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert len(fake.lwa_forms) == 1
    form = fake.lwa_forms[0]
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == ["Atzr|refresh"]


def test_malformed_json_is_a_malformed_response(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, (200, {"content-type": "application/json"}, b'{"orders": [{"orderId": '))
    with pytest.raises(MalformedResponse):
        list(make_client().search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))


def test_400_and_404_map_to_rejected_and_not_found(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, amazon_error(400, "InvalidInput", "We could not decode your NextToken"))
    fake.sp("GET", ORDERS + "/111-0000001-0000404", amazon_error(404, "NotFound", "Order not found"))
    client = make_client()
    with pytest.raises(AmazonRejected) as rejected:
        list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert rejected.value.code == "InvalidInput"
    assert "NextToken" in str(rejected.value)
    assert rejected.value.request_id.startswith("req-")
    with pytest.raises(AmazonNotFound):
        client.get_order("111-0000001-0000404")
    assert client.stats.api_calls == 2  # 4xx are not retried


def test_cancel_stops_before_the_next_request(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, ok({"orders": [], "pagination": {"nextToken": "t2"}}), ok({"orders": []}))
    cancel = threading.Event()
    client = make_client(cancel)
    pages = client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC))
    next(pages)
    cancel.set()
    with pytest.raises(Cancelled):
        next(pages)
    assert len(fake.sp_requests) == 1


def test_requests_carry_user_agent_and_no_secrets_in_repr(fake: FakeAmazon) -> None:
    fake.lwa()
    fake.sp("GET", ORDERS, ok({"orders": []}))
    client = make_client()
    list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    ua = fake.sp_requests[0].headers["user-agent"]
    assert ua.startswith("FBM-Desk/")
    assert "(Language=Python/3." in ua
    assert "Platform=" in ua
    assert "Atz" not in repr(client)
    assert "secret" not in repr(client.config)


# LWA code exchange and consent URL ------------------------------------------------------------------------
def test_exchange_authorization_code(fake: FakeAmazon) -> None:
    fake.lwa(
        (
            200,
            {},
            {
                "access_token": "Atza|a",
                "refresh_token": "Atzr|new",
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )
    )
    grant = exchange_authorization_code(make_config(), "ANdNAVhyhqirUelHGEHA", "https://relay.example/cb")
    assert grant.refresh_token == "Atzr|new"
    assert "Atzr" not in repr(grant)
    form = fake.lwa_forms[0]
    assert form["grant_type"] == ["authorization_code"]
    assert form["code"] == ["ANdNAVhyhqirUelHGEHA"]
    assert form["redirect_uri"] == ["https://relay.example/cb"]
    assert form["client_id"] == ["amzn1.application-oa2-client.test"]


def test_expired_or_reused_code_gives_a_clear_error(fake: FakeAmazon) -> None:
    fake.lwa(
        (
            400,
            {},
            {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : code",
            },
        )
    )
    with pytest.raises(TokenExchangeFailed) as err:
        exchange_authorization_code(make_config(), "old", "https://relay.example/cb")
    assert "5 minutes" in str(err.value)
    assert "redirect URI" in str(err.value)


def test_lwa_outage_is_retried_then_unavailable() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, LWA_URL, status=503, json={})
        with pytest.raises(AmazonUnavailable):
            exchange_authorization_code(make_config(), "code", "https://relay.example/cb")
        assert len(rsps.calls) == 3


def test_build_consent_url() -> None:
    url = build_consent_url(make_config(), by_code("UK"), "st@te", "https://relay.example/cb")
    assert url.startswith("https://sellercentral-europe.amazon.com/apps/authorize/consent?")
    assert "application_id=amzn1.sp.solution.test" in url
    assert "state=st%40te" in url
    assert "redirect_uri=https%3A%2F%2Frelay.example%2Fcb" in url
    assert "version=beta" not in url  # Amazon's real Seller Central: only when the app is marked as a Draft
    draft = build_consent_url(
        replace(make_config(), consent_beta=True), by_code("UK"), "s", "https://r.example/cb"
    )
    assert draft.endswith("&version=beta")


def test_bad_search_arguments_fail_before_iterating(fake: FakeAmazon) -> None:
    with pytest.raises(InvalidInput):
        make_client().search_orders([US])  # neither after-bound
    with pytest.raises(InvalidInput):
        make_client().search_orders([US], last_updated_after=datetime.now(UTC), max_results_per_page=101)


def test_every_call_is_logged_without_tokens_or_query_values(
    fake: FakeAmazon, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fbm_desk.amazon")
    fake.lwa()
    fake.sp("GET", ORDERS, amazon_error(503, "ServiceUnavailable", "busy"), ok({"orders": []}))
    list(make_client().search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    lines = [r.getMessage() for r in caplog.records if r.name == "fbm_desk.amazon.http"]
    assert len(lines) == 2
    assert lines[0].startswith("searchOrders -> 503 in ")
    assert lines[0].endswith("ms (request id req-1)")
    assert lines[1].startswith("searchOrders -> 200 in ")
    assert "Atza" not in caplog.text
    assert "Atzr" not in caplog.text
    assert US not in caplog.text
    assert "not-a-real-secret" not in caplog.text


def test_access_token_is_refreshed_a_minute_before_it_expires(fake: FakeAmazon) -> None:
    fake.lwa()
    now = [0.0]
    tokens = AccessTokenProvider(LwaClient(make_config(), requests.Session()), "Atzr|r", clock=lambda: now[0])
    assert tokens.get() == "Atza|token-1"
    now[0] = 3600 - 61
    assert tokens.get() == "Atza|token-1"
    now[0] = 3600 - 59
    assert tokens.get() == "Atza|token-2"
    assert tokens.refreshes == 2
    assert "Atz" not in repr(tokens)


def test_cancel_interrupts_a_retry_backoff(fake: FakeAmazon) -> None:
    fake.lwa()
    cancel = threading.Event()

    def throttled(req: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        cancel.set()  # the user presses Stop while the client is about to back off
        return 429, {}, json.dumps({"errors": [{"code": "QuotaExceeded", "message": "slow down"}]})

    fake.rsps.add_callback(responses.GET, "https://sp.test" + ORDERS, callback=throttled)
    client = make_client(cancel)
    with pytest.raises(Cancelled):
        list(client.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert client.stats.api_calls == 1
    assert client.stats.throttled == 1
