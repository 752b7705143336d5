"""Demo mode end to end: the real sandbox on loopback, the real jobs (run_job) on the real runner, the
scheduler's catch-up at demo pace; start, restart in the same data dir, stop."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db.models import Listing, Order
from fbm_desk.foundation.paths import resolve_paths
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.runner import JobRunner
from fbm_desk.sync.scheduler import SyncScheduler
from fbm_desk.tools.demo import DEMO_STORE_NAME, DemoHandle, demo_paths, start_demo

FAST = 600.0  # the sandbox's and the client's pace in tests (the demo itself runs at DEMO_SPEEDUP)
WAIT_MS = 60_000


@pytest.fixture
def demo(core: CoreServices) -> Iterator[DemoHandle]:
    handle = start_demo(core, speedup=FAST)
    yield handle
    handle.stop()


def test_demo_uses_its_own_data_dir_unless_one_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = demo_paths()
    assert default.data_dir == resolve_paths(None).data_dir / "demo"
    assert default.data_dir.is_relative_to(tmp_path / "xdg")
    assert demo_paths(tmp_path / "mine").data_dir == (tmp_path / "mine").resolve()
    monkeypatch.setenv("FBM_DESK_DATA_DIR", str(tmp_path / "env"))
    assert demo_paths().data_dir == (tmp_path / "env").resolve()


def test_start_demo_connects_the_demo_store_to_the_sandbox(core: CoreServices, demo: DemoHandle) -> None:
    store = demo.store
    assert demo.created_store
    assert (store.name, store.marketplace_id, store.status) == (DEMO_STORE_NAME, "ATVPDKIKX0DER", "connected")
    assert store.import_pending
    assert store.starting_inventory == "match"
    assert store.selling_partner_id == demo.sandbox.info.selling_partner_id
    assert core.credentials.get_refresh_token(store.id) == demo.sandbox.info.refresh_token
    config = core.spapi_config
    assert config.spapi_endpoint == demo.endpoint
    assert config.lwa_token_url == demo.sandbox.info.lwa_token_url
    assert config.has_app_credentials
    assert config.speedup == FAST
    assert demo.time_scale == 60


def test_restarting_the_demo_keeps_one_store_and_refreshes_its_token(core: CoreServices) -> None:
    first = start_demo(core, speedup=FAST)
    first.stop()
    core.credentials.set_refresh_token(first.store.id, "Atzr|stale")
    store_db.set_status(first.store.id, "needs_reconnect", "revoked")
    second = start_demo(core, speedup=FAST)
    try:
        assert not second.created_store
        assert second.store.id == first.store.id
        assert second.store.status == "connected"
        assert core.credentials.get_refresh_token(second.store.id) == second.sandbox.info.refresh_token
        assert [s.name for s in store_db.list_stores()] == [DEMO_STORE_NAME]
        assert core.spapi_config.spapi_endpoint == second.endpoint
    finally:
        second.stop()


def _port_open(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return True
    except OSError:
        return False


def test_stop_closes_the_sandbox(core: CoreServices) -> None:
    handle = start_demo(core, speedup=FAST)
    assert _port_open(handle.endpoint)
    handle.stop()
    handle.stop()  # idempotent (Services.close may call it again)
    assert not _port_open(handle.endpoint)


@pytest.mark.e2e
def test_first_syncs_and_catch_up_fill_every_screen(qtbot, core: CoreServices, demo: DemoHandle) -> None:
    runner = JobRunner(core)
    results: dict[str, SyncResult] = {}
    runner.job_finished.connect(lambda _sid, kind, result: results.__setitem__(kind, result))
    runner.job_failed.connect(lambda _sid, kind, result: results.__setitem__(kind, result))
    try:
        with qtbot.waitSignal(runner.idle, timeout=WAIT_MS):
            assert demo.first_syncs(runner) == [JobKind.PRODUCTS_FULL, JobKind.ORDERS]
        assert {k: r.status for k, r in results.items()} == {"products-full": "ok", "orders": "ok"}, results
        assert Listing.select().where(Listing.store == demo.store.id).count() > 0
        states = {o.state for o in Order.select(Order.state).where(Order.store == demo.store.id)}
        assert "held" in states  # import pending orders is on for the demo store
        assert "released" in states

        # The scheduler at demo pace catches up on the jobs that never ran, once each.
        scheduler = SyncScheduler(runner, time_scale=demo.time_scale)
        with qtbot.waitSignal(runner.idle, timeout=WAIT_MS):
            queued = scheduler.start(paused=True)
        scheduler.shutdown()
        caught_up = {kind.value for _, kind in queued}
        never_ran = {"products", "orders-sweep", "inventory", "shipments"}
        # At demo pace orders are due every 30 s: on a slow machine they may be due again already.
        assert never_ran <= caught_up <= never_ran | {"orders"}
        failed = {k: r.error for k, r in results.items() if r.status != "ok"}
        assert failed == {}
    finally:
        runner.shutdown(timeout=30)


def test_restarting_the_demo_keeps_its_amazon(core: CoreServices) -> None:
    """Issue 17: after a restart a queued package met "Order not found", an added store needed reconnecting and
    order dates shifted: the sandbox world is now kept with the demo's data folder."""
    first = start_demo(core, speedup=FAST)
    world = first.sandbox.world
    arrived = world.add_order(skus={"MUG-ENAMEL-GRN": 1})  # an order that arrived while the demo ran
    pending = world.add_order(status="PENDING")
    created = {oid: o.created for oid, o in world.orders.items()}
    code = world.auth.issue_code(world.auth.redirect_uris[0])  # another store authorized in the demo
    app = world.auth.app
    status, body = world.auth.token_request(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": world.auth.redirect_uris[0],
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
    )
    assert status == 200
    first.stop()
    assert (core.paths.data_dir / "sandbox-world.json").is_file()
    second = start_demo(core, speedup=FAST)
    try:
        again = second.sandbox.world
        assert arrived in again.orders
        assert again.orders[pending].status == "PENDING"
        assert {oid: o.created for oid, o in again.orders.items()} == created  # no dates shifted
        status, _ = again.auth.token_request(
            {
                "grant_type": "refresh_token",
                "refresh_token": str(body["refresh_token"]),
                "client_id": app.client_id,
                "client_secret": app.client_secret,
            }
        )
        assert status == 200  # still authorized: no reconnecting
    finally:
        second.stop()
