"""Sandbox throttling, fault injection, the /_sandbox control API, determinism and alive mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from fbm_desk.sandbox import RunningSandbox, World, start_sandbox
from tests.support.sandbox_fixtures import SpApi

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
SEARCH = "/orders/2026-01-01/orders"


def _since() -> str:
    return (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_rate_limit_gives_429_at_burst_plus_one() -> None:
    with start_sandbox(speedup=1.0) as sb:  # real refill: 0.0056 requests/s for searchOrders
        api = SpApi(sb)
        params = {"lastUpdatedAfter": _since(), "maxResultsPerPage": "1"}
        statuses = [api.get(SEARCH, params=params).status_code for _ in range(21)]
        assert statuses == [200] * 20 + [429]
        throttled = api.get(SEARCH, params=params)
        assert throttled.status_code == 429
        assert throttled.json() == {
            "errors": [
                {
                    "code": "QuotaExceeded",
                    "message": "You exceeded your quota for the requested resource.",
                    "details": "",
                }
            ]
        }
        assert "x-amzn-RateLimit-Limit" not in throttled.headers
        assert api.get(PARTICIPATIONS).status_code == 200  # buckets are per operation
        counters = sb.world.counters()
        assert counters["calls"]["searchOrders"] == 22
        assert counters["throttled"]["searchOrders"] == 2


def test_rate_limits_can_be_turned_off() -> None:
    with start_sandbox(rate_limits=False) as sb:
        api = SpApi(sb)
        assert all(api.get(PARTICIPATIONS).status_code == 200 for _ in range(25))


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("429", 429, "QuotaExceeded"), ("500", 500, "InternalFailure"), ("503", 503, "ServiceUnavailable")],
)
def test_injected_errors_hit_the_next_n_calls(
    spapi: SpApi, sandbox: RunningSandbox, kind: str, status: int, code: str
) -> None:
    sandbox.world.inject_fault("getMarketplaceParticipations", kind, count=2)
    first, second = spapi.get(PARTICIPATIONS), spapi.get(PARTICIPATIONS)
    assert (first.status_code, second.status_code) == (status, status)
    assert first.json()["errors"][0]["code"] == code
    assert spapi.get(PARTICIPATIONS).status_code == 200


def test_malformed_json_dropped_connection_slow_and_token_faults(
    spapi: SpApi, sandbox: RunningSandbox
) -> None:
    world = sandbox.world
    world.inject_fault("getMarketplaceParticipations", "malformed_json")
    broken = spapi.get(PARTICIPATIONS, validate=False)
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    world.inject_fault("getMarketplaceParticipations", "drop")
    with pytest.raises(requests.ConnectionError):
        spapi.get(PARTICIPATIONS)
    world.inject_fault("*", "slow", delay=0.05)
    assert spapi.get(PARTICIPATIONS).status_code == 200
    world.inject_fault("getMarketplaceParticipations", "403_invalid_token")
    assert spapi.get(PARTICIPATIONS).status_code == 403
    world.inject_fault("lwaToken", "500")
    with pytest.raises(AssertionError):
        spapi.fresh_token()
    assert spapi.get(PARTICIPATIONS).status_code == 200


def test_http_control_api_mirrors_the_world(sandbox: RunningSandbox) -> None:
    base = f"{sandbox.base_url}/_sandbox"
    info = requests.get(f"{base}/info", timeout=10).json()
    assert info == sandbox.info.to_dict()
    created = requests.post(
        f"{base}/add_order", json={"skus": {"MP-KIT-001": 2}, "status": "PENDING"}, timeout=10
    )
    order_id = created.json()["result"]
    assert sandbox.world.order_state(order_id)["status"] == "PENDING"
    assert requests.post(f"{base}/release_order", json={"order_id": order_id}, timeout=10).status_code == 200
    state = requests.get(f"{base}/orders/{order_id}", timeout=10).json()
    assert state["status"] == "UNSHIPPED"
    assert state["items"][0]["quantity"] == 2
    assert requests.post(f"{base}/release_order", json={"order_id": order_id}, timeout=10).status_code == 400
    assert requests.post(f"{base}/cancel_order", json={"order_id": "nope"}, timeout=10).status_code == 404
    requests.post(f"{base}/set_listing_quantity", json={"sku": "MP-KIT-001", "quantity": 5}, timeout=10)
    assert sandbox.world.listing_quantity("MP-KIT-001") == 5
    requests.post(
        f"{base}/inject_fault", json={"operation": "getOrder", "kind": "503", "count": 3}, timeout=10
    )
    assert requests.get(f"{base}/faults", timeout=10).json() == {"getOrder": [["503", 3]]}
    assert requests.post(f"{base}/generate_orders", json={"count": 50}, timeout=10).json() == {"result": 50}
    assert set(requests.get(f"{base}/pushed", timeout=10).json()) == {
        "shipments",
        "listing_patches",
        "feed_messages",
    }
    assert requests.post(f"{base}/no_such_thing", json={}, timeout=10).status_code == 404


def test_world_is_deterministic_for_a_seed() -> None:
    a, b, c = World(seed=7), World(seed=7), World(seed=8)
    assert sorted(a.orders) == sorted(b.orders)
    assert [o.status for o in a.orders.values()] == [o.status for o in b.orders.values()]
    assert a.auth.demo_refresh_token == b.auth.demo_refresh_token
    assert sorted(a.orders) != sorted(c.orders)


def test_seeded_world_is_varied_and_in_the_past() -> None:
    world = World(seed=1)
    now = world.clock.now()
    statuses = {(o.fulfilled_by, o.status) for o in world.orders.values()}
    for wanted in ("PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED"):
        assert ("MERCHANT", wanted) in statuses
    assert ("AMAZON", "SHIPPED") in statuses
    assert all(o.last_updated <= now - timedelta(minutes=2) for o in world.orders.values())
    assert all(o.created >= now - timedelta(days=26) for o in world.orders.values())
    assert 50 <= len(world.listings) <= 70
    assert any(lst.is_fba for lst in world.listings.values())


def test_alive_world_releases_pending_orders_and_gets_new_ones() -> None:
    world = World(seed=3, speedup=60.0, alive=True)
    pending = world.order_ids(status="PENDING")
    assert pending
    before = len(world.orders)
    stamp = {oid: world.orders[oid].last_updated for oid in pending}
    world.advance(60)  # = one hour of Amazon time at 60x
    assert len(world.orders) > before
    moved = [oid for oid in pending if world.orders[oid].status != "PENDING"]
    assert moved
    assert all(world.orders[oid].last_updated > stamp[oid] for oid in moved)
    assert {world.orders[oid].status for oid in moved} <= {"UNSHIPPED", "CANCELLED"}


def test_static_world_does_not_move_on_its_own() -> None:
    world = World(seed=3, speedup=60.0, alive=False)
    pending = set(world.order_ids(status="PENDING"))
    world.advance(3600)
    assert set(world.order_ids(status="PENDING")) == pending


def test_unknown_paths_missing_user_agent_and_json_feed_limit(spapi: SpApi, sandbox: RunningSandbox) -> None:
    missing = spapi.get("/orders/2026-01-01/nothing-here", validate=False)
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "NotFound"
    assert spapi.call("DELETE", PARTICIPATIONS, validate=False).status_code == 405
    no_agent = spapi.get(PARTICIPATIONS, headers={"user-agent": ""})
    assert no_agent.status_code == 400
    assert "user-agent" in no_agent.json()["errors"][0]["message"]
    # JSON_LISTINGS_FEED: at most 5 submissions per 5 minutes, on top of createFeed's own bucket
    with start_sandbox(speedup=1.0) as slow:
        api = SpApi(slow)
        doc = api.post("/feeds/2021-06-30/documents", {"contentType": "application/json"}).json()
        spec = {
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "inputFeedDocumentId": doc["feedDocumentId"],
        }
        statuses = [api.post("/feeds/2021-06-30/feeds", spec).status_code for _ in range(6)]
        assert statuses == [202] * 5 + [429]
