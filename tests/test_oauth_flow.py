"""The connect flow end to end against the built-in sandbox, with a test client acting as the browser.

Consent page -> Confirm -> redirect to the loopback listener -> code exchange -> store saved ->
participations.
Plus every way it must fail without storing anything.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests

from fbm_desk.amazon.errors import TokenExchangeFailed
from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import stores as store_db
from fbm_desk.domain.stores import StoreOptions, add_store
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.oauth import (
    CallbackRejected,
    CallbackTimeout,
    ConnectCancelled,
    ConnectFlow,
    ConnectRequest,
    ConnectResult,
    ConsentDenied,
    ListenerError,
    StateMismatch,
)
from fbm_desk.oauth.state import port_from_state
from fbm_desk.sandbox import RunningSandbox
from relay.wsgi import application as relay_app
from tests.support.oauth_browser import consent_redirect, follow, query_of, with_params

pytestmark = pytest.mark.e2e

SELLER = "A2SANDBOXDEMO1"


@pytest.fixture
def core(store_core: CoreServices) -> CoreServices:
    """The services on ``store_sandbox`` (listings, no orders, at Amazon's own pace)."""
    return store_core


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def _begin(
    core: CoreServices, pool: ThreadPoolExecutor, flow: ConnectFlow, timeout_s: float = 60
) -> tuple[str, Future[ConnectResult]]:
    url = flow.start()
    return url, pool.submit(flow.wait, timeout_s)


def _store_count() -> int:
    return len(store_db.list_stores())


def test_connect_round_trip(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    options = StoreOptions(import_pending=True, starting_inventory="zero")
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US", options=options)) as flow:
        url, future = _begin(core, pool, flow)
        assert url.startswith(core.spapi_config.seller_central_url + "/apps/authorize/consent?")
        sent = query_of(url)
        assert sent["application_id"] == core.spapi_config.application_id
        assert sent["version"] == "beta"
        assert sent["redirect_uri"] == f"http://127.0.0.1:{flow.port}/callback"
        assert len(sent["state"]) >= 43  # 256-bit nonce
        location = consent_redirect(url)
        page = follow(location)
        result = future.result(timeout=60)
    assert page.status_code == 200
    assert "Connected — you can close this tab" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    store = result.store
    assert (store.name, store.selling_partner_id, store.marketplace_id) == (
        "Maple US",
        SELLER,
        "ATVPDKIKX0DER",
    )
    assert (store.status, store.import_pending, store.starting_inventory) == ("connected", True, "zero")
    assert not result.reconnected
    assert result.warning == ""
    assert {p.marketplace_id for p in result.participations} >= {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"}
    assert [m.code for m in result.other_marketplaces] == ["CA"]
    token = core.credentials.get_refresh_token(store.id)
    assert token is not None
    assert token.startswith("Atzr|")
    # the stored token really works
    assert core.client_for(store).marketplace_participations()


def test_state_mismatch_gets_error_page_and_stores_nothing(
    core: CoreServices, pool: ThreadPoolExecutor
) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        location = consent_redirect(url)
        forged = with_params(location, state="x" * 43)
        page = follow(forged)
        with pytest.raises(StateMismatch):
            future.result(timeout=60)
        # the genuine redirect arriving afterwards cannot revive the failed attempt
        late = follow(location)
    assert page.status_code == 400
    assert "did not match" in page.text
    assert late.status_code == 400
    assert _store_count() == 0


def test_replayed_redirect_is_refused(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        location = consent_redirect(url)
        assert follow(location).status_code == 200
        future.result(timeout=60)
        replay = follow(location)  # the browser refreshes the page / an attacker replays the URL
    assert replay.status_code == 400
    assert "already used" in replay.text
    assert _store_count() == 1
    with pytest.raises(requests.ConnectionError):
        follow(location)  # the listener is gone once the flow is closed
    # the same redirect sent to a new attempt fails that attempt's state check
    with ConnectFlow(core, ConnectRequest(name="Maple CA", marketplace="CA")) as flow2:
        _, future2 = _begin(core, pool, flow2)
        page = follow(location.replace(f":{port_of(location)}/", f":{flow2.port}/"))
        with pytest.raises(StateMismatch):
            future2.result(timeout=60)
    assert page.status_code == 400
    assert _store_count() == 1


def port_of(url: str) -> int:
    return int(url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def test_timeout_has_a_clear_message(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow, timeout_s=0.3)
        location = consent_redirect(url)
        with pytest.raises(CallbackTimeout, match="did not send the authorization back within"):
            future.result(timeout=60)
        late = follow(location)
    assert late.status_code == 400
    assert _store_count() == 0


def test_user_cancel(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        _, future = _begin(core, pool, flow, timeout_s=120)
        flow.cancel()
        with pytest.raises(ConnectCancelled, match="cancelled"):
            future.result(timeout=60)
    assert _store_count() == 0


def test_cancel_through_the_callers_event(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    stop = threading.Event()
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        flow.start()
        future = pool.submit(flow.wait, 120, stop)
        stop.set()
        with pytest.raises(ConnectCancelled):
            future.result(timeout=60)


def test_denied_consent(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        location = consent_redirect(url, decision="deny")
        assert query_of(location)["error"] == "access_denied"
        page = follow(location)
        with pytest.raises(ConsentDenied, match="declined"):
            future.result(timeout=60)
    assert page.status_code == 400
    assert "declined" in page.text
    assert _store_count() == 0


def test_code_exchange_failure(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        location = consent_redirect(url)
        bogus = "BogusCodeBogusCodeXY"
        page = follow(with_params(location, spapi_oauth_code=bogus))
        with pytest.raises(TokenExchangeFailed) as caught:
            future.result(timeout=60)
    assert page.status_code == 400
    assert "did not accept the authorization code" in page.text
    assert bogus not in str(caught.value)
    assert bogus not in page.text
    assert _store_count() == 0


def test_callback_without_code(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        page = follow(with_params(consent_redirect(url), spapi_oauth_code=None))
        with pytest.raises(CallbackRejected):
            future.result(timeout=60)
    assert page.status_code == 400
    assert _store_count() == 0


def test_port_already_taken(core: CoreServices) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        flow = ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US"), port=port)
        with pytest.raises(ListenerError, match=f"Port {port} .* already in use"):
            flow.start()
        flow.close()


def test_non_callback_paths_do_not_end_the_attempt(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        assert requests.get(f"http://127.0.0.1:{flow.port}/favicon.ico", timeout=10).status_code == 404
        foreign_host = requests.get(
            f"http://127.0.0.1:{flow.port}/callback", headers={"Host": "evil.example"}, timeout=10
        )
        assert foreign_host.status_code == 400
        assert follow(consent_redirect(url)).status_code == 200
        assert future.result(timeout=60).store.name == "Maple US"


def test_same_seller_and_marketplace_twice_is_refused_after_consent(
    core: CoreServices, pool: ThreadPoolExecutor
) -> None:
    add_store(core, name="Existing", marketplace="US", selling_partner_id=SELLER, refresh_token="Atzr|old")
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        page = follow(consent_redirect(url))
        with pytest.raises(InvalidInput, match="already connected in this marketplace as store 'Existing'"):
            future.result(timeout=60)
    assert page.status_code == 400
    assert [s.name for s in store_db.list_stores()] == ["Existing"]


def test_duplicate_name_is_refused_before_the_browser_opens(core: CoreServices) -> None:
    add_store(
        core, name="Maple US", marketplace="CA", selling_partner_id="AOTHERSELLER", refresh_token="Atzr|x"
    )
    flow = ConnectFlow(core, ConnectRequest(name="maple us", marketplace="US"))
    with pytest.raises(InvalidInput, match="already exists"):
        flow.start()
    flow.close()


def test_second_account_in_the_same_marketplace_is_allowed(
    core: CoreServices, pool: ThreadPoolExecutor
) -> None:
    add_store(
        core, name="Other seller", marketplace="US", selling_partner_id="AOTHERSELLER", refresh_token="Atzr|x"
    )
    with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
        url, future = _begin(core, pool, flow)
        follow(consent_redirect(url))
        assert future.result(timeout=60).store.selling_partner_id == SELLER
    assert _store_count() == 2


def test_reconnect_replaces_the_token_in_place(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    old = add_store(
        core, name="Maple US", marketplace="US", selling_partner_id=SELLER, refresh_token="Atzr|old"
    )
    store_db.set_status(old.id, "needs_reconnect", "revoked")
    with ConnectFlow.for_reconnect(core, old.id) as flow:
        url, future = _begin(core, pool, flow)
        follow(consent_redirect(url))
        result = future.result(timeout=60)
    assert result.reconnected
    assert result.store.id == old.id
    assert result.store.status == "connected"
    token = core.credentials.get_refresh_token(old.id)
    assert token is not None
    assert token != "Atzr|old"
    assert _store_count() == 1


def test_reconnect_with_another_account_is_refused(core: CoreServices, pool: ThreadPoolExecutor) -> None:
    old = add_store(
        core, name="Maple US", marketplace="US", selling_partner_id="AOTHERSELLER", refresh_token="Atzr|old"
    )
    with ConnectFlow.for_reconnect(core, old.id) as flow:
        url, future = _begin(core, pool, flow)
        page = follow(consent_redirect(url))
        with pytest.raises(InvalidInput, match="different Amazon account"):
            future.result(timeout=60)
    assert page.status_code == 400
    assert core.credentials.get_refresh_token(old.id) == "Atzr|old"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_https_relay_mode_forwards_to_the_port_in_state(
    app_paths: AppPaths, store_sandbox: RunningSandbox, pool: ThreadPoolExecutor
) -> None:
    relay = make_server("127.0.0.1", 0, relay_app, handler_class=_QuietHandler)
    relay_thread = threading.Thread(target=relay.serve_forever, daemon=True)
    relay_thread.start()
    relay_uri = f"http://127.0.0.1:{relay.server_port}/spapi/callback"  # https in production
    config = dataclasses.replace(store_sandbox.spapi_config(), redirect_uri=relay_uri)
    core = build_core(app_paths, spapi_config=config)
    try:
        with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
            url, future = _begin(core, pool, flow)
            sent = query_of(url)
            assert sent["redirect_uri"] == relay_uri
            assert port_from_state(sent["state"]) == flow.port
            location = consent_redirect(url)
            assert location.startswith(relay_uri)
            page = follow(location)  # relay 302 -> loopback listener
            result = future.result(timeout=60)
        assert page.status_code == 200
        assert "Connected" in page.text
        assert result.store.selling_partner_id == SELLER
    finally:
        core.close()
        relay.shutdown()
        relay.server_close()


def test_no_token_in_sqlite_log_or_errors(
    app_paths: AppPaths,
    store_sandbox: RunningSandbox,
    pool: ThreadPoolExecutor,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str | None,
) -> None:
    from fbm_desk.foundation.logging_setup import setup_logging

    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")
    setup_logging(app_paths, verbose=True, console=False)
    core = build_core(app_paths, spapi_config=store_sandbox.spapi_config())
    try:
        with ConnectFlow(core, ConnectRequest(name="Maple US", marketplace="US")) as flow:
            url, future = _begin(core, pool, flow)
            location = consent_redirect(url)
            code = query_of(location)["spapi_oauth_code"]
            follow(location)
            store = future.result(timeout=60).store
        token = core.credentials.get_refresh_token(store.id)
        assert token
        assert core.credentials.is_insecure
        # a failing attempt too: its error must not carry the code
        with ConnectFlow(core, ConnectRequest(name="Maple CA", marketplace="CA")) as flow:
            url, future = _begin(core, pool, flow)
            reused = with_params(consent_redirect(url), spapi_oauth_code=code)
            follow(reused)
            with pytest.raises(TokenExchangeFailed) as caught:
                future.result(timeout=60)
        assert code not in str(caught.value)
        assert token not in repr(caught.value)
    finally:
        core.close()
    secrets_file = app_paths.insecure_secrets_file
    # the flagged fallback is where it lives; on a workspace it is sealed in the workspace (with the workspace key
    # this file holds; tests/test_workspace_stations.py), never here
    assert (token in secrets_file.read_text(encoding="utf-8")) == (database_url is None)
    for path in Path(app_paths.data_dir).rglob("*"):
        if path.is_file() and path != secrets_file:
            data = path.read_bytes()
            assert token.encode() not in data, f"refresh token leaked into {path.name}"
            assert code.encode() not in data, f"authorization code leaked into {path.name}"
    log_text = app_paths.log_file.read_text(encoding="utf-8")
    assert "OAuth loopback listener" in log_text  # the log was written
    assert token not in log_text
    assert code not in log_text
