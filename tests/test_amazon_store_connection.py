"""One access token and one HTTP session per store for the life of the process (issue 10, item 3), against
the built-in sandbox: consecutive runs share the token, counters stay per run, a reconnected store never
keeps its old token, and closing the services leaves no socket open."""

from __future__ import annotations

import contextlib
import os
from urllib.parse import urlsplit

import pytest

from fbm_desk.amazon.client import exchange_authorization_code
from fbm_desk.core import CoreServices
from fbm_desk.db.stores import get_store
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_core, make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e


def token_requests(sb: RunningSandbox) -> int:
    return sb.world.counters()["calls"].get("lwaToken", 0)


def test_three_orders_runs_make_one_token_request(quiet_core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(quiet_core, quiet)
    quiet.world.reset_counters()
    results = [run_job(quiet_core, get_store(store.id), JobKind.ORDERS) for _ in range(3)]
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    assert token_requests(quiet) == 1
    assert [r.api_calls for r in results] == [1, 1, 1]  # the counters are per run, not cumulative


def test_counters_and_cancel_stay_per_run(quiet_core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(quiet_core, quiet)
    first = quiet_core.client_for(get_store(store.id))
    second = quiet_core.client_for(get_store(store.id))
    assert first.connection is second.connection  # one session and token for the store
    assert first.stats is not second.stats
    first.marketplace_participations()
    assert (first.stats.api_calls, second.stats.api_calls) == (1, 0)


def test_a_reconnected_store_never_uses_its_old_token(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    assert run_job(quiet_core, get_store(store.id), JobKind.ORDERS).status == "ok"
    old = quiet_core.client_for(get_store(store.id)).connection

    redirect = "https://relay.example/cb"
    grant = exchange_authorization_code(
        quiet_core.spapi_config, quiet.world.auth.issue_code(redirect), redirect
    )
    quiet_core.credentials.set_refresh_token(store.id, grant.refresh_token)  # what Reconnect stores
    quiet.world.revoke_refresh_token(quiet.info.refresh_token)  # the old one (and its access tokens) dies

    result = run_job(quiet_core, get_store(store.id), JobKind.ORDERS)
    assert result.status == "ok", result.error
    assert old.closed
    assert quiet_core.client_for(get_store(store.id)).connection is not old


def test_a_removed_authorization_closes_the_stores_connection(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    connection = quiet_core.client_for(get_store(store.id)).connection
    quiet_core.credentials.delete_refresh_token(store.id)
    result = run_job(quiet_core, get_store(store.id), JobKind.ORDERS)
    assert result.status == "failed"
    assert "Reconnect" in result.error
    assert connection.closed


def client_sockets(port: int) -> int:
    """Open TCP sockets of this process connected to ``port`` (Linux: /proc/net/tcp + /proc/self/fd)."""
    ours = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                ours.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[9] in ours:
                    count += 1
    return count


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="counts sockets through Linux's /proc")
def test_runs_reuse_one_connection_and_closing_the_services_closes_it(
    app_paths: AppPaths, quiet: RunningSandbox
) -> None:
    port = urlsplit(quiet.base_url).port or 80
    core = make_core(app_paths, quiet)
    store = make_store(core, quiet)
    order_id = quiet.world.add_order(skus={merchant_skus(quiet, 1)[0]: 1})
    settle(quiet, order_id)
    for kind in (JobKind.PRODUCTS_FULL, JobKind.ORDERS, JobKind.ORDERS):  # documents, SP-API and LWA
        assert run_job(core, get_store(store.id), kind).status == "ok"
    assert client_sockets(port) == 1  # kept alive for the next run, shared by LWA, SP-API and documents
    connection = core.client_for(get_store(store.id)).connection  # still referenced: only close() frees it
    core.close()
    assert connection.closed
    assert client_sockets(port) == 0
