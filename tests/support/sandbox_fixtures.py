"""Pytest fixtures for the built-in Amazon sandbox.

Registered for every test by ``pytest_plugins`` in ``tests/conftest.py``; a test just names the fixture.

- ``sandbox``: a fresh, static (``alive=False``) sandbox per test, sped up ``SPEEDUP`` times.
- ``sandbox_env``: the ``FBM_DESK_*`` variables pointing a CLI subprocess at it.
- ``spapi``: a tiny raw SP-API caller (``SpApi``) with a live access token for the demo seller, which checks
  every JSON answer against Amazon's models (``tests.support.spapi_contract.validate_response``).
- ``quiet`` / ``quiet_core``: like ``sandbox`` but with listings and no orders (each test creates exactly the
  orders it needs), and the app's services (``CoreServices``) on it: the sync tests.
- ``store_sandbox`` / ``store_core``: listings, no orders, at Amazon's own pace (not sped up), and the app's
  services on it: connecting stores (OAuth flow, Add Store dialog, Stores tab).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fbm_desk.core import CoreServices
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.spapi_contract import validate_response
from tests.support.sync_env import make_core

SPEEDUP = 600.0
USER_AGENT = "FBMDeskTests/1.0 (Language=Python/3.11; Platform=Linux)"


class SpApi:
    """Raw HTTP calls to the sandbox's SP-API with the headers Amazon requires."""

    def __init__(self, sb: RunningSandbox, *, validate: bool = True) -> None:
        self.sb = sb
        self.validate = validate
        self.http = requests.Session()
        self.access_token = self.fresh_token()

    def fresh_token(self, refresh_token: str | None = None) -> str:
        info = self.sb.info
        resp = self.http.post(
            info.lwa_token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token or info.refresh_token,
                "client_id": info.client_id,
                "client_secret": info.client_secret,
            },
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        return str(resp.json()["access_token"])

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        validate: bool | None = None,
    ) -> requests.Response:
        hdrs = {"x-amz-access-token": self.access_token, "user-agent": USER_AGENT}
        hdrs.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("content-type", "application/json")
        url = self.sb.base_url + path
        resp = self.http.request(method, url, params=params, data=data, headers=hdrs, timeout=10)
        if self.validate if validate is None else validate:
            payload = resp.json() if resp.content else None
            validate_response(method, resp.url, resp.status_code, payload)
        return resp

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.call("POST", path, body=body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.call("PATCH", path, body=body, **kw)


@pytest.fixture(name="sandbox")
def sandbox_fixture() -> Iterator[RunningSandbox]:
    with start_sandbox(speedup=SPEEDUP, alive=False) as sb:
        yield sb


@pytest.fixture(name="sandbox_env")
def sandbox_env_fixture(sandbox: RunningSandbox) -> dict[str, str]:
    return sandbox.env()


@pytest.fixture(name="spapi")
def spapi_fixture(sandbox: RunningSandbox) -> SpApi:
    return SpApi(sandbox)


@pytest.fixture(name="quiet")
def quiet_fixture() -> Iterator[RunningSandbox]:
    with start_sandbox(speedup=SPEEDUP, alive=False, order_count=0) as sb:
        yield sb


@pytest.fixture(name="store_sandbox")
def store_sandbox_fixture() -> Iterator[RunningSandbox]:
    with start_sandbox(order_count=0) as sb:
        yield sb


def _core_on(app_paths: AppPaths, sandbox: RunningSandbox) -> Iterator[CoreServices]:
    core = make_core(app_paths, sandbox)
    yield core
    core.close()


@pytest.fixture(name="quiet_core")
def quiet_core_fixture(app_paths: AppPaths, quiet: RunningSandbox) -> Iterator[CoreServices]:
    yield from _core_on(app_paths, quiet)


@pytest.fixture(name="store_core")
def store_core_fixture(app_paths: AppPaths, store_sandbox: RunningSandbox) -> Iterator[CoreServices]:
    yield from _core_on(app_paths, store_sandbox)
