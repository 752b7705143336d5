"""Pytest fixtures for the built-in Amazon sandbox.

Import the fixture functions into a test module (or list this module in root ``pytest_plugins``)::

    from tests.support.sandbox_fixtures import sandbox_fixture, sandbox_env_fixture, spapi_fixture

- ``sandbox``: a fresh, static (``alive=False``) sandbox per test, sped up ``SPEEDUP`` times.
- ``sandbox_env``: the ``FBM_DESK_*`` variables pointing a CLI subprocess at it.
- ``spapi``: a tiny raw SP-API caller (``SpApi``) with a live access token for the demo seller, which checks
  every JSON answer against Amazon's models (``tests.support.spapi_contract.validate_response``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.spapi_contract import validate_response

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
