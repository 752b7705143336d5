"""The HTTP layer under every SP-API operation: headers, pacing, retries, error mapping, logging, counting."""

from __future__ import annotations

import json
import logging
import platform
import random
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from fbm_desk import __version__ as _app_version
from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.errors import (
    AccessDenied,
    AmazonError,
    AmazonNotFound,
    AmazonRejected,
    AmazonUnavailable,
    AuthorizationRevoked,
    Cancelled,
    MalformedResponse,
)
from fbm_desk.amazon.lwa import REVOKED_MESSAGE, AccessTokenProvider
from fbm_desk.amazon.ratelimit import RateLimiter, Waiter, default_waiter

log = logging.getLogger(__name__)

TIMEOUT = (10.0, 60.0)  # (connect, read) seconds, on every request
MAX_TRIES = 6
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# No answer, or the connection dropped mid-answer: retried like a 503.
NETWORK_ERRORS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
INVALID_TOKEN_HINTS = (
    "access token you provided is revoked",
    "malformed or invalid",
    "expired token",
    "token has expired",
    "token is expired",
    "invalid token",
    "invalid access token",
)

ParamValue = str | int | float | bool | Sequence[str]


def user_agent() -> str:
    """``FBM-Desk/<version> (Language=Python/3.x.y; Platform=<OS>/<release>)`` (spapi-notes §1.2)."""
    py = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    return (
        f"FBM-Desk/{_app_version} (Language=Python/{py}; Platform={platform.system()}/{platform.release()})"
    )


USER_AGENT = user_agent()[:500]  # Amazon allows at most 500 characters


@dataclass
class CallStats:
    """What a sync run reports about its Amazon traffic. Mutable; ``reset()`` between runs."""

    api_calls: int = 0  # SP-API requests sent, retries included
    throttled: int = 0  # 429 answers
    throttle_wait_s: float = 0.0  # time spent in client-side pacing and retry back-off
    retries: int = 0
    downloads: int = 0  # presigned-URL transfers (report/feed documents), not SP-API calls
    request_ids: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.api_calls = self.throttled = self.retries = self.downloads = 0
        self.throttle_wait_s = 0.0
        self.request_ids = []


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any  # parsed JSON, or None for an empty body (204)
    headers: Mapping[str, str]
    request_id: str


@dataclass(frozen=True)
class AmazonErrorBody:
    code: str
    message: str
    details: str


def parse_errors(body: Any) -> list[AmazonErrorBody]:
    """Amazon's ``{"errors":[{code,message,details}]}`` (tolerant of missing fields)."""
    out: list[AmazonErrorBody] = []
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        for err in body["errors"]:
            if isinstance(err, dict):
                out.append(
                    AmazonErrorBody(
                        str(err.get("code") or ""),
                        str(err.get("message") or ""),
                        str(err.get("details") or ""),
                    )
                )
    return out


def serialize_params(params: Mapping[str, ParamValue | None]) -> dict[str, str]:
    """Query values as the models declare them: arrays are ``csv`` (Swagger 2.0's default format)."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            out[name] = str(value)
        else:
            items = list(value)
            if items:
                out[name] = ",".join(items)
    return out


class SpApiTransport:
    """Sends SP-API requests for one seller/region. Used by the per-API modules, not by the app directly."""

    def __init__(
        self,
        config: SpApiConfig,
        tokens: AccessTokenProvider,
        limiter: RateLimiter,
        *,
        selling_partner_id: str,
        region: str,
        session: requests.Session,
        cancel: threading.Event | None = None,
        stats: CallStats | None = None,
        waiter: Waiter = default_waiter,
        rng: Callable[[float, float], float] = random.uniform,
        download_session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self.endpoint = config.endpoint_for(region)
        self.tokens = tokens
        self.limiter = limiter
        self.selling_partner_id = selling_partner_id
        self.region = region
        self.session = session
        self.cancel = cancel
        self.stats = stats if stats is not None else CallStats()
        self._waiter = waiter
        self._rng = rng
        self._download_session = download_session or requests.Session()
        self._speedup = max(1.0, config.speedup)

    def close(self) -> None:
        self._download_session.close()

    # waiting ------------------------------------------------------------------------------------------------
    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled()

    def sleep(self, seconds: float) -> None:
        """A wait the app makes on its own (polling): divided by speedup, interruptible."""
        self.check_cancel()
        if seconds > 0:
            self._waiter(seconds / self._speedup, self.cancel)

    def _backoff(self, attempt: int) -> None:
        delay = self._rng(0.0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0**attempt)) / self._speedup
        self.stats.throttle_wait_s += delay
        self.stats.retries += 1
        if delay > 0:
            self._waiter(delay, self.cancel)

    # SP-API calls -------------------------------------------------------------------------------------------
    def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, ParamValue | None] | None = None,
        json_body: Any = None,
        extra_limits: Sequence[tuple[str, str]] = (),
        expect_body: bool = True,
    ) -> ApiResponse:
        """One SP-API operation, paced and retried; ``extra_limits``: more (seller, operation) buckets.

        ``expect_body=False``: a success needs no body (confirmShipment's 204), so an unreadable one is ignored.
        """
        url = self.endpoint + path
        query = serialize_params(params or {})
        data = None if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        refreshed = False
        attempt = 0
        while True:
            self.check_cancel()
            waited = self.limiter.acquire(self.selling_partner_id, self.region, operation, self.cancel)
            for seller, op in extra_limits:
                waited += self.limiter.acquire(seller, self.region, op, self.cancel)
            self.stats.throttle_wait_s += waited
            self.check_cancel()
            token = self.tokens.get()
            headers = {
                "x-amz-access-token": token,
                "user-agent": USER_AGENT,
                "accept": "application/json",
            }
            if data is not None:
                headers["content-type"] = "application/json"
            started = time.monotonic()
            try:
                resp = self.session.request(
                    method, url, params=query, data=data, headers=headers, timeout=TIMEOUT
                )
            except NETWORK_ERRORS as exc:
                self.stats.api_calls += 1
                log.info(
                    "%s: no answer after %d ms (%s)",
                    operation,
                    (time.monotonic() - started) * 1000,
                    type(exc).__name__,
                )
                attempt += 1
                if attempt >= MAX_TRIES:
                    raise AmazonUnavailable(
                        f"Amazon could not be reached ({operation}: {type(exc).__name__}); try again later.",
                        operation=operation,
                    ) from exc
                self._backoff(attempt)
                continue
            self.stats.api_calls += 1
            request_id = resp.headers.get("x-amzn-RequestId", "")
            if request_id:
                self.stats.request_ids.append(request_id)
            log.info(
                "%s -> %s in %d ms (request id %s)",
                operation,
                resp.status_code,
                (time.monotonic() - started) * 1000,
                request_id or "-",
            )
            status = resp.status_code
            if 200 <= status < 300:
                self.limiter.observe_rate(
                    self.selling_partner_id,
                    self.region,
                    operation,
                    resp.headers.get("x-amzn-RateLimit-Limit"),
                )
                parsed = _json_or_none(resp, operation, request_id) if expect_body else _json_quiet(resp)
                if _only_errors(parsed):
                    # a 2xx whose body is nothing but Amazon's error list is a refusal, not a success
                    text = _amazon_text(parse_errors(parsed))
                    raise AmazonRejected(
                        f"Amazon rejected the request ({operation}): {text or 'no reason given'}.",
                        status=status,
                        code=_code(parse_errors(parsed)),
                        request_id=request_id,
                        operation=operation,
                        amazon_message=text,
                    )
                return ApiResponse(status, parsed, resp.headers, request_id)
            body = _json_quiet(resp)
            errors = parse_errors(body)
            if status in RETRY_STATUSES:
                if status == 429:
                    self.stats.throttled += 1
                    self.limiter.drain(self.selling_partner_id, self.region, operation)
                attempt += 1
                if attempt >= MAX_TRIES:
                    what = "is throttling requests" if status == 429 else f"answered {status}"
                    raise AmazonUnavailable(
                        f"Amazon {what} ({operation}) after {MAX_TRIES} tries; try again later.",
                        status=status,
                        code=errors[0].code if errors else "",
                        request_id=request_id,
                        operation=operation,
                    )
                self._backoff(attempt)
                continue
            if status in (401, 403) and not refreshed:
                # 401, or a 403 ("Unauthorized, Expired Token, ..." per the models; an imitation may leave
                # out the details): one fresh access token and one more try before giving up
                refreshed = True
                self.tokens.invalidate(token)
                continue
            if status in (401, 403) and _is_invalid_token(status, errors):
                raise AuthorizationRevoked(
                    REVOKED_MESSAGE,
                    status=status,
                    code=_code(errors),
                    request_id=request_id,
                    operation=operation,
                )
            raise _error_for(status, errors, operation, request_id)

    # presigned URLs (report/feed documents) -----------------------------------------------------------------
    def transfer(
        self, method: str, url: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> requests.Response:
        """GET/PUT a presigned document URL with a plain session: no SP-API headers, same retry policy."""
        attempt = 0
        while True:
            self.check_cancel()
            started = time.monotonic()
            try:
                resp = self._download_session.request(
                    method, url, data=data, headers=dict(headers or {}), timeout=TIMEOUT
                )
            except NETWORK_ERRORS as exc:
                attempt += 1
                if attempt >= MAX_TRIES:
                    raise AmazonUnavailable(
                        f"Amazon's document storage could not be reached ({type(exc).__name__}); try later."
                    ) from exc
                self._backoff(attempt)
                continue
            self.stats.downloads += 1
            log.info(
                "document %s -> %s in %d ms", method, resp.status_code, (time.monotonic() - started) * 1000
            )
            if resp.status_code in RETRY_STATUSES:
                attempt += 1
                if attempt >= MAX_TRIES:
                    raise AmazonUnavailable(
                        f"Amazon's document storage answered {resp.status_code}; try again later.",
                        status=resp.status_code,
                    )
                self._backoff(attempt)
                continue
            if resp.status_code >= 400:
                raise AmazonError(
                    f"Amazon's document storage refused the transfer ({resp.status_code}); the link may have "
                    "expired (it is valid for 5 minutes). Try again.",
                    status=resp.status_code,
                )
            return resp


def _json_or_none(resp: requests.Response, operation: str, request_id: str) -> Any:
    if resp.status_code == 204 or not resp.content:
        return None
    try:
        return json.loads(resp.content)
    except ValueError as exc:
        raise MalformedResponse(
            f"Amazon sent an unreadable answer for {operation}; try again later.",
            status=resp.status_code,
            request_id=request_id,
            operation=operation,
        ) from exc


def _json_quiet(resp: requests.Response) -> Any:
    try:
        return json.loads(resp.content) if resp.content else None
    except ValueError:
        return None


def _only_errors(body: Any) -> bool:
    """``{"errors":[...]}`` with nothing else of substance (v0 may pair ``payload`` with ``errors``)."""
    if not isinstance(body, dict) or not parse_errors(body):
        return False
    # an empty list is an answer (e.g. "orders": []); null, "" or {} beside the errors is not
    return all(value is None or value == "" or value == {} for key, value in body.items() if key != "errors")


def _code(errors: Sequence[AmazonErrorBody]) -> str:
    return errors[0].code if errors else ""


def _is_invalid_token(status: int, errors: Sequence[AmazonErrorBody]) -> bool:
    if status == 401:
        return True
    text = " ".join(f"{e.message} {e.details}" for e in errors).lower()
    return any(hint in text for hint in INVALID_TOKEN_HINTS)


def _amazon_text(errors: Sequence[AmazonErrorBody]) -> str:
    parts = []
    for e in errors:
        text = e.message or e.code
        if e.details and e.details not in text:
            text = f"{text} ({e.details})"
        if text:
            parts.append(text)
    return "; ".join(parts)


def _error_for(
    status: int, errors: Sequence[AmazonErrorBody], operation: str, request_id: str
) -> AmazonError:
    text = _amazon_text(errors)
    common: dict[str, Any] = {
        "status": status,
        "code": _code(errors),
        "request_id": request_id,
        "operation": operation,
        "amazon_message": text,
    }
    if status == 403:
        return AccessDenied(
            f"Amazon denied access ({operation}): {text or 'forbidden'}. The app may lack a role for this "
            "data, or the store was authorized for another region — reconnect the store.",
            **common,
        )
    if status == 404:
        return AmazonNotFound(f"Amazon could not find it ({operation}): {text or 'not found'}.", **common)
    if 400 <= status < 500:
        return AmazonRejected(f"Amazon rejected the request ({operation}): {text or status}.", **common)
    return AmazonUnavailable(f"Amazon answered {status} ({operation}); try again later.", **common)
