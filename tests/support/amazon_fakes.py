"""`responses`-based fake of Amazon's HTTP edge for client unit tests.

Every SP-API request the client sends is checked against the models (``spapi_contract.validate_request``) and
for the required headers; every canned 2xx JSON answer is checked with ``validate_response`` so the fixtures
stay faithful to Amazon. Violations are raised inside the client call *and* collected in ``problems``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

from fbm_desk.amazon.client import SpApiClient
from fbm_desk.amazon.config import SpApiConfig
from tests.support.spapi_contract import validate_request, validate_response

ENDPOINT = "https://sp.test"
LWA_URL = "https://lwa.test/auth/o2/token"
S3 = "https://s3.test"
SELLER = "A1SELLER"


def make_config(speedup: float = 1e6) -> SpApiConfig:
    return SpApiConfig(
        client_id="amzn1.application-oa2-client.test",
        client_secret="not-a-real-secret",
        application_id="amzn1.sp.solution.test",
        lwa_token_url=LWA_URL,
        spapi_endpoint=ENDPOINT,
        speedup=speedup,
    )


def seller_client() -> SpApiClient:
    """A client for the fake seller ``SELLER`` in North America, on ``make_config()``."""
    return SpApiClient(make_config(), refresh_token="Atzr|r", selling_partner_id=SELLER, region="NA")


Reply = tuple[int, dict[str, str], Any]  # status, headers, JSON body (or bytes, or an exception to raise)


class FakeAmazon:
    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.rsps = rsps
        self.problems: list[str] = []
        self.sp_requests: list[requests.PreparedRequest] = []
        self.lwa_forms: list[dict[str, list[str]]] = []
        self.tokens_issued = 0

    # LWA ----------------------------------------------------------------------------------------------------
    def lwa(self, *replies: Reply) -> None:
        """Queue LWA answers; with none given, every refresh succeeds with a fresh token."""
        queue = list(replies)

        def callback(req: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            body = req.body if isinstance(req.body, str) else (req.body or b"").decode()
            self.lwa_forms.append(parse_qs(body))
            if not str(req.headers.get("content-type", "")).startswith("application/x-www-form-urlencoded"):
                self.problems.append("LWA request is not form-encoded")
            if queue:
                status, headers, payload = queue.pop(0)
                return status, headers, json.dumps(payload)
            self.tokens_issued += 1
            grant = {
                "access_token": f"Atza|token-{self.tokens_issued}",
                "refresh_token": "Atzr|refresh",
                "token_type": "bearer",
                "expires_in": 3600,
            }
            return 200, {}, json.dumps(grant)

        self.rsps.add_callback(responses.POST, LWA_URL, callback=callback)

    # SP-API -------------------------------------------------------------------------------------------------
    def sp(self, method: str, path: str, *replies: Reply, check_response: bool = True) -> None:
        """Queue answers for one SP-API path; the last one repeats."""
        queue = list(replies)

        def callback(req: requests.PreparedRequest) -> tuple[int, dict[str, str], str | bytes]:
            self.sp_requests.append(req)
            self._check_request(req)
            status, headers, payload = queue.pop(0) if len(queue) > 1 else queue[0]
            if isinstance(payload, BaseException):
                raise payload
            headers = {"x-amzn-RequestId": f"req-{len(self.sp_requests)}", **headers}
            if isinstance(payload, bytes | str):
                return status, headers, payload
            if check_response and 200 <= status < 300:
                try:
                    validate_response(method, req.url or "", status, payload)
                except AssertionError as exc:
                    self.problems.append(str(exc))
                    raise
            return (
                status,
                {"content-type": "application/json", **headers},
                ("" if payload is None else json.dumps(payload)),
            )

        self.rsps.add_callback(method, ENDPOINT + path, callback=callback)

    def _check_request(self, req: requests.PreparedRequest) -> None:
        problems = []
        token = req.headers.get("x-amz-access-token", "")
        if not token.startswith("Atza|"):
            problems.append("missing x-amz-access-token")
        if not str(req.headers.get("user-agent", "")).startswith("FBM-Desk/"):
            problems.append("user-agent is not FBM-Desk/<version> (...)")
        if req.headers.get("accept") != "application/json":
            problems.append("accept is not application/json")
        body = None
        if req.body:
            raw = req.body if isinstance(req.body, bytes) else req.body.encode()
            body = json.loads(raw)
        try:
            validate_request(req.method or "", req.url or "", None, body)
        except AssertionError as exc:
            problems.append(str(exc))
        if problems:
            self.problems.extend(problems)
            raise AssertionError("; ".join(problems))

    # presigned documents ------------------------------------------------------------------------------------
    def document(
        self, method: str, path: str, status: int = 200, body: bytes = b"", content_type: str = ""
    ) -> list[requests.PreparedRequest]:
        seen: list[requests.PreparedRequest] = []

        def callback(req: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
            seen.append(req)
            if "x-amz-access-token" in req.headers:
                self.problems.append("SP-API token sent to a presigned URL")
            return status, ({"content-type": content_type} if content_type else {}), body

        self.rsps.add_callback(method, S3 + path, callback=callback)
        return seen

    def queries(self) -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(r.url or "").query) for r in self.sp_requests]


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, headers or {}, body


def amazon_error(status: int, code: str, message: str, details: str = "") -> Reply:
    return status, {}, {"errors": [{"code": code, "message": message, "details": details}]}


@contextmanager
def faked_amazon(*, lwa: bool = True) -> Iterator[FakeAmazon]:
    """Amazon's HTTP edge faked for the ``with`` block (LWA answering unless ``lwa=False``); on a clean exit,
    asserts that every request the client sent followed the models."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        amazon = FakeAmazon(rsps)
        if lwa:
            amazon.lwa()
        yield amazon
        assert amazon.problems == []
