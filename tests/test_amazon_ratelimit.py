"""Token buckets with an injected clock and waiter (nothing sleeps)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fbm_desk.amazon.errors import Cancelled
from fbm_desk.amazon.ratelimit import (
    ANY_SELLER,
    JSON_LISTINGS_FEED_OPERATION,
    MODEL_LIMITS,
    OperationLimit,
    RateLimiter,
    parse_model_limits,
)
from fbm_desk.db.connection import open_database
from fbm_desk.db.rate_buckets import DbBucketStore


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def waiter(self, seconds: float, cancel: threading.Event | None) -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def t() -> FakeTime:
    return FakeTime()


def limiter(
    t: FakeTime, speedup: float = 1.0, margin_s: float = 0.0, shared: DbBucketStore | None = None
) -> RateLimiter:
    return RateLimiter(speedup=speedup, clock=t.clock, waiter=t.waiter, margin_s=margin_s, shared=shared)


def test_limits_come_from_the_model_files() -> None:
    assert MODEL_LIMITS["searchOrders"] == OperationLimit(0.0056, 20)
    assert MODEL_LIMITS["getOrder"] == OperationLimit(0.5, 30)
    assert MODEL_LIMITS["confirmShipment"] == OperationLimit(2.0, 10)
    assert MODEL_LIMITS["patchListingsItem"] == OperationLimit(5.0, 5)
    assert MODEL_LIMITS["createFeed"] == OperationLimit(0.0083, 15)
    assert MODEL_LIMITS["getMarketplaceParticipations"] == OperationLimit(0.016, 15)
    assert parse_model_limits(["sellers-v1.json"]) == {
        "getMarketplaceParticipations": OperationLimit(0.016, 15),
        "getAccount": OperationLimit(0.016, 15),
    }


def test_burst_is_free_then_requests_are_paced_at_the_rate(t: FakeTime) -> None:
    lim = limiter(t)
    for _ in range(10):  # confirmShipment: burst 10
        assert lim.acquire("S", "NA", "confirmShipment") == 0
    assert t.waits == []
    assert lim.acquire("S", "NA", "confirmShipment") == pytest.approx(0.5)  # rate 2/s
    assert lim.acquire("S", "NA", "confirmShipment") == pytest.approx(0.5)
    t.now += 100  # refills, but never beyond the burst
    assert lim.tokens("S", "NA", "confirmShipment") == pytest.approx(10)


def test_pacing_keeps_a_small_reserve_against_network_jitter(t: FakeTime) -> None:
    lim = limiter(t, margin_s=0.25)  # confirmShipment 2/s: keep 0.5 token in hand
    waits = [lim.acquire("S", "NA", "confirmShipment") for _ in range(12)]
    assert waits[:9] == [0] * 9
    assert waits[9] == pytest.approx(0.25)  # the 10th waits until 0.5 token is back
    assert waits[10:] == [pytest.approx(0.5)] * 2  # then the model's rate, unchanged
    assert lim.tokens("S", "NA", "confirmShipment") == pytest.approx(0.5)


def test_buckets_are_per_seller_region_and_operation(t: FakeTime) -> None:
    lim = limiter(t)
    for _ in range(5):
        lim.acquire("S", "NA", "patchListingsItem")
    assert lim.reserve("S", "NA", "patchListingsItem") > 0
    assert lim.reserve("S", "EU", "patchListingsItem") == 0
    assert lim.reserve("OTHER", "NA", "patchListingsItem") == 0
    assert lim.reserve("S", "NA", "getListingsItem") == 0


def test_speedup_divides_waits(t: FakeTime) -> None:
    lim = limiter(t, speedup=100)
    for _ in range(20):
        lim.acquire("S", "NA", "searchOrders")
    assert lim.acquire("S", "NA", "searchOrders") == pytest.approx(1 / 0.0056 / 100)


def test_rate_header_lowers_the_rate_only(t: FakeTime) -> None:
    lim = limiter(t)
    lim.observe_rate("S", "NA", "getOrder", "0.0167")
    lim.observe_rate("S", "NA", "getOrder", "50")  # never raised above the model's rate
    lim.observe_rate("S", "NA", "getOrder", "garbage")
    for _ in range(30):
        lim.acquire("S", "NA", "getOrder")
    assert lim.acquire("S", "NA", "getOrder") == pytest.approx(1 / 0.0167)


def test_drain_after_a_429(t: FakeTime) -> None:
    lim = limiter(t)
    lim.drain("S", "NA", "getReport")
    assert lim.acquire("S", "NA", "getReport") == pytest.approx(0.5)


def test_json_listings_feed_extra_limit_is_five_per_five_minutes_per_region(t: FakeTime) -> None:
    lim = limiter(t)
    for _ in range(5):
        assert lim.acquire(ANY_SELLER, "EU", JSON_LISTINGS_FEED_OPERATION) == 0
    assert lim.acquire(ANY_SELLER, "EU", JSON_LISTINGS_FEED_OPERATION) == pytest.approx(60)
    assert lim.acquire(ANY_SELLER, "NA", JSON_LISTINGS_FEED_OPERATION) == 0


def test_snapshot_and_restore_carry_buckets_across_runs(t: FakeTime) -> None:
    first = limiter(t)
    for _ in range(20):
        first.acquire("S", "NA", "searchOrders")
    saved = first.snapshot()
    assert saved["S|NA|searchOrders"][0] == pytest.approx(0)

    t.now += 120  # the next CLI run, two minutes later: 0.67 of a token refilled
    second = limiter(t)
    second.restore(saved)
    assert second.tokens("S", "NA", "searchOrders") == pytest.approx(120 * 0.0056)
    assert second.acquire("S", "NA", "searchOrders") > 0  # still empty-ish: no fresh burst of 20


def test_cancel_interrupts_a_wait(t: FakeTime) -> None:
    lim = limiter(t)
    cancel = threading.Event()
    for _ in range(15):
        lim.acquire("S", "NA", "createReport", cancel)
    cancel.set()
    with pytest.raises(Cancelled):
        lim.acquire("S", "NA", "createReport", cancel)


def test_shared_limiter_is_thread_safe(t: FakeTime) -> None:
    lim = RateLimiter(clock=t.clock, waiter=lambda s, c: None, margin_s=0.0)
    waits: list[float] = []

    def worker() -> None:
        for _ in range(50):
            waits.append(lim.reserve("S", "NA", "getListingsItem"))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # 200 reservations, burst 10 free, then each one 0.2 s later than the previous (rate 5/s)
    assert sorted(waits)[-1] == pytest.approx((200 - 10) / 5)
    assert sum(1 for w in waits if w == 0) == 10


def test_two_processes_of_one_seller_share_the_buckets_in_the_database(tmp_path: Path, t: FakeTime) -> None:
    """Issue 11 #3: two processes (two limiters) of one seller used to spend a burst each (7 x 429)."""
    opened = open_database(tmp_path / "fbm.sqlite3")
    try:
        first = limiter(t, shared=DbBucketStore())  # what core.limiter injects in each process
        second = limiter(t, shared=DbBucketStore())
        waits = [lim.reserve("S", "NA", "confirmShipment") for _ in range(6) for lim in (first, second)]
        # confirmShipment: burst 10, rate 2/s shared by both: 10 free, then 0.5 s per token, in either process
        assert sum(1 for w in waits if w == 0) == 10
        assert waits[-1] == pytest.approx(1.0)

        t.now += 2.0  # a later process refills for the time that passed
        third = limiter(t, shared=DbBucketStore())
        assert third.reserve("S", "NA", "confirmShipment") == 0.0
        assert third.tokens("S", "NA", "confirmShipment") == pytest.approx(-2.0 + 2.0 * 2.0 - 1.0)
    finally:
        opened.close()
