"""The one retry policy (``amazon.retry``): each failure class, POSTs that may have been done, the
cancellable back-off, and LWA under the same rules (against a `responses` fake)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import requests
import responses
from urllib3.exceptions import ProtocolError

from fbm_desk.amazon import orders
from fbm_desk.amazon.client import SpApiClient, exchange_authorization_code
from fbm_desk.amazon.connection import StoreConnection
from fbm_desk.amazon.errors import AmazonUnavailable, Cancelled, OutcomeUnknown
from fbm_desk.amazon.http import SpApiTransport
from fbm_desk.amazon.lwa import LwaClient
from fbm_desk.amazon.ratelimit import RateLimiter, default_waiter
from fbm_desk.amazon.retry import Failure, RetryPolicy, classify_exception, classify_status
from fbm_desk.amazon.types import ShipmentConfirmation, ShipmentItem
from tests.support.amazon_fakes import LWA_URL, SELLER, FakeAmazon, amazon_error, make_config, ok

US = "ATVPDKIKX0DER"
CONFIRM = "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation"
ORDERS = "/orders/2026-01-01/orders"
SHIPMENT = ShipmentConfirmation(
    1, "UPS", "1Z999AA10123456784", datetime(2026, 11, 20, tzinfo=UTC), (ShipmentItem("item-1", 1),)
)
DONE = ok(None, status=204)


@pytest.fixture(scope="module")
def refused() -> requests.ConnectionError:
    """The exception requests really raises when nothing listens on the port (captured before mocking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    try:
        with requests.Session() as session:
            session.get(f"http://127.0.0.1:{port}/", timeout=5)
    except requests.ConnectionError as exc:
        return exc
    raise AssertionError("something answered on a closed port")


RESET = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))


@pytest.fixture
def fake() -> Iterator[FakeAmazon]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        amazon = FakeAmazon(rsps)
        amazon.lwa()
        yield amazon
        assert amazon.problems == []


def recording_transport(waits: list[float], speedup: float = 1e6) -> SpApiTransport:
    """A transport whose back-off waits are recorded (at their longest: rng returns the upper bound)."""
    config = make_config(speedup)
    connection = StoreConnection(config, "Atzr|r")
    return SpApiTransport(
        config,
        connection.tokens,
        RateLimiter(speedup=speedup),
        selling_partner_id=SELLER,
        region="NA",
        session=connection.session,
        waiter=lambda seconds, cancel: waits.append(seconds),
        rng=lambda low, high: high,
    )


def confirm(client: SpApiClient) -> None:
    client.confirm_shipment("111-0000001-0000001", US, SHIPMENT)


def client(cancel: threading.Event | None = None) -> SpApiClient:
    return SpApiClient(
        make_config(), refresh_token="Atzr|r", selling_partner_id=SELLER, region="NA", cancel=cancel
    )


# classification --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (200, None),
        (204, None),
        (429, Failure.THROTTLED),
        (503, Failure.UNAVAILABLE),
        (500, Failure.SERVER_ERROR),
        (502, Failure.SERVER_ERROR),
        (504, Failure.SERVER_ERROR),
        (401, Failure.AUTH),
        (403, Failure.AUTH),
        (400, Failure.CLIENT),
        (404, Failure.CLIENT),
    ],
)
def test_status_classes(status: int, failure: Failure | None) -> None:
    assert classify_status(status) is failure


def test_exception_classes(refused: requests.ConnectionError) -> None:
    assert classify_exception(refused) is Failure.NOT_SENT
    assert classify_exception(requests.ConnectTimeout("no syn-ack")) is Failure.NOT_SENT
    assert classify_exception(requests.ReadTimeout("slow")) is Failure.NO_ANSWER
    assert classify_exception(RESET) is Failure.NO_ANSWER
    assert classify_exception(requests.ConnectionError("unknown")) is Failure.NO_ANSWER  # unproven: sent
    assert classify_exception(requests.exceptions.ChunkedEncodingError("cut")) is Failure.NO_ANSWER


@pytest.mark.parametrize("failure", list(Failure))
def test_which_failures_are_retried_for_which_methods(failure: Failure) -> None:
    policy = RetryPolicy(max_tries=6)
    nothing_done = failure in (Failure.THROTTLED, Failure.UNAVAILABLE, Failure.NOT_SENT)
    transient = nothing_done or failure in (Failure.SERVER_ERROR, Failure.NO_ANSWER)
    assert policy.may_retry(failure, idempotent=True, tries=1) is transient
    assert policy.may_retry(failure, idempotent=False, tries=1) is nothing_done
    assert not policy.may_retry(failure, idempotent=True, tries=6)


def test_backoff_is_full_jitter_divided_by_speedup() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=60.0, speedup=10.0)
    assert [policy.delay(n, lambda low, high: high) for n in (1, 2, 6, 7)] == [0.2, 0.4, 6.0, 6.0]
    assert policy.delay(3, lambda low, high: low) == 0.0


# POSTs that may have been done -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "failure",
    [
        (0, {}, requests.ReadTimeout("slow")),
        (0, {}, RESET),
        amazon_error(500, "InternalFailure", "We encountered an internal error."),
        amazon_error(504, "GatewayTimeout", "timeout"),
    ],
    ids=["read-timeout", "reset-after-send", "500", "504"],
)
def test_post_is_not_sent_again_when_it_may_have_been_done(
    fake: FakeAmazon, failure: tuple[int, dict[str, str], object]
) -> None:
    fake.sp("POST", CONFIRM, failure, DONE)
    c = client()
    with pytest.raises(OutcomeUnknown) as err:
        confirm(c)
    assert len(fake.sp_requests) == 1
    assert err.value.operation == "confirmShipment"
    assert "not sent again" in err.value.user_message
    assert isinstance(err.value, AmazonUnavailable)  # a retry-later error for the run log and the CLI


def test_post_is_retried_when_the_connection_was_refused(
    fake: FakeAmazon, refused: requests.ConnectionError
) -> None:
    fake.sp("POST", CONFIRM, (0, {}, refused), (0, {}, requests.ConnectTimeout("no answer to SYN")), DONE)
    c = client()
    confirm(c)
    assert len(fake.sp_requests) == 3
    assert c.stats.retries == 2


@pytest.mark.parametrize("status", [429, 503])
def test_post_is_retried_with_backoff_after_429_and_503(fake: FakeAmazon, status: int) -> None:
    fake.sp(
        "POST",
        CONFIRM,
        amazon_error(status, "QuotaExceeded", "slow down"),
        amazon_error(status, "x", "y"),
        DONE,
    )
    waits: list[float] = []
    transport = recording_transport(waits, speedup=2.0)
    orders.confirm_shipment(transport, "111-0000001-0000001", US, SHIPMENT)
    assert len(fake.sp_requests) == 3
    assert waits == [1.0, 2.0]  # 2 s then 4 s at most, divided by the speedup
    assert transport.stats.throttled == (2 if status == 429 else 0)
    assert transport.stats.retries == 2


def test_get_is_retried_after_a_read_timeout_and_a_reset(fake: FakeAmazon) -> None:
    fake.sp("GET", ORDERS, (0, {}, requests.ReadTimeout("slow")), (0, {}, RESET), ok({"orders": []}))
    c = client()
    list(c.search_orders([US], last_updated_after=datetime(2026, 11, 1, tzinfo=UTC)))
    assert c.stats.api_calls == 3


def test_unreachable_amazon_ends_with_a_clear_error(
    fake: FakeAmazon, refused: requests.ConnectionError
) -> None:
    fake.sp("POST", CONFIRM, (0, {}, refused))
    c = client()
    with pytest.raises(AmazonUnavailable) as err:
        confirm(c)
    assert not isinstance(err.value, OutcomeUnknown)  # never sent: nothing to wonder about
    assert "could not be reached" in err.value.user_message
    assert len(fake.sp_requests) == 6


# cancel ----------------------------------------------------------------------------------------------------
def run_until_waiting(
    call: Callable[[threading.Event, Callable[[float, threading.Event | None], None]], None],
) -> BaseException | None:
    """Run ``call`` on a thread; once it sits in a back-off wait, set its cancel event. Returns what it
    raised. The back-off is an hour long, so only an interrupted wait lets the thread end."""
    cancel, waiting = threading.Event(), threading.Event()
    outcome: list[BaseException | None] = [None]

    def waiter(seconds: float, event: threading.Event | None) -> None:
        waiting.set()
        default_waiter(seconds, event)

    def target() -> None:
        try:
            call(cancel, waiter)
        except BaseException as exc:
            outcome[0] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    assert waiting.wait(10)
    cancel.set()
    worker.join(10)
    assert not worker.is_alive(), "the back-off wait ignored the cancel event"
    return outcome[0]


HOUR = RetryPolicy(base_s=3600.0, cap_s=3600.0)


def test_cancel_interrupts_the_spapi_backoff_at_once(fake: FakeAmazon) -> None:
    fake.sp("GET", ORDERS, amazon_error(429, "QuotaExceeded", "slow down"))
    config = make_config(speedup=1.0)
    connection = StoreConnection(config, "Atzr|r")

    def call(cancel: threading.Event, waiter: Callable[[float, threading.Event | None], None]) -> None:
        transport = SpApiTransport(
            config,
            connection.tokens,
            RateLimiter(speedup=1e6),
            selling_partner_id=SELLER,
            region="NA",
            session=connection.session,
            cancel=cancel,
            waiter=waiter,
            rng=lambda low, high: high,
            policy=HOUR,
        )
        transport.call("searchOrders", "GET", ORDERS)

    assert isinstance(run_until_waiting(call), Cancelled)
    assert len(fake.sp_requests) == 1
    connection.close()


def test_cancel_interrupts_the_lwa_backoff_at_once() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, LWA_URL, status=503, json={})

        def call(cancel: threading.Event, waiter: Callable[[float, threading.Event | None], None]) -> None:
            with requests.Session() as session:
                LwaClient(make_config(speedup=1.0), session, policy=HOUR, waiter=waiter).refresh(
                    "Atzr|r", cancel
                )

        assert isinstance(run_until_waiting(call), Cancelled)
        assert len(rsps.calls) == 1


# LWA: the same policy --------------------------------------------------------------------------------------
def test_lwa_refresh_is_retried_after_a_timeout_and_a_refused_connection(
    refused: requests.ConnectionError,
) -> None:
    calls: list[int] = []
    replies: list[BaseException] = [requests.ReadTimeout("slow"), refused]

    def callback(req: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        calls.append(1)
        if replies:
            raise replies.pop(0)
        return 200, {}, '{"access_token": "Atza|t", "expires_in": 3600, "token_type": "bearer"}'

    with responses.RequestsMock() as rsps, requests.Session() as session:
        rsps.add_callback(responses.POST, LWA_URL, callback=callback)
        grant = LwaClient(make_config(), session).refresh("Atzr|r")
    assert grant.access_token == "Atza|t"
    assert len(calls) == 3  # a token refresh is safe to repeat, even after a timeout


def test_code_exchange_is_not_sent_again_after_a_timeout() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.POST, LWA_URL, body=requests.ReadTimeout("slow"))
        rsps.add(responses.POST, LWA_URL, json={"access_token": "Atza|t", "refresh_token": "Atzr|new"})
        with pytest.raises(OutcomeUnknown) as err:
            exchange_authorization_code(make_config(), "code", "https://relay.example/cb")
        assert len(rsps.calls) == 1  # the code works once: a second try could only be refused
        assert "login service" in err.value.user_message


def test_lwa_gives_up_after_its_tries_with_the_policys_message() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, LWA_URL, status=500, json={})
        with requests.Session() as session, pytest.raises(AmazonUnavailable) as err:
            LwaClient(make_config(), session).refresh("Atzr|r")
        assert len(rsps.calls) == 3
        assert "answered 500 (token refresh) after 3 tries" in err.value.user_message
