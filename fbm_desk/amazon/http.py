"""The HTTP layer under every SP-API operation: headers, pacing, error mapping, logging, counting.

Retries follow the one policy in ``amazon.retry``; answers are read by ``amazon.answers``.
"""

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
from fbm_desk.amazon.answers import (
    AmazonErrorBody,
    amazon_text,
    error_for,
    first_code,
    is_invalid_token,
    json_or_none,
    json_quiet,
    only_errors,
    parse_errors,
)
from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.errors import (
    AmazonError,
    AmazonRejected,
    AuthorizationRevoked,
    Cancelled,
    OutcomeUnknown,
)
from fbm_desk.amazon.lwa import REVOKED_MESSAGE, AccessTokenProvider
from fbm_desk.amazon.ratelimit import RateLimiter, Waiter, default_waiter
from fbm_desk.amazon.retry import (
    IDEMPOTENT_METHODS,
    NETWORK_ERRORS,
    TIMEOUT,
    TRANSIENT,
    Attempts,
    Failure,
    RetryPolicy,
    classify_exception,
    classify_status,
)

__all__ = [
    "TIMEOUT",
    "AmazonErrorBody",
    "ApiResponse",
    "CallStats",
    "ParamValue",
    "SpApiTransport",
    "parse_errors",
    "serialize_params",
    "user_agent",
]

log = logging.getLogger(__name__)

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
    request_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any  # parsed JSON, or None for an empty body (204)
    headers: Mapping[str, str]
    request_id: str


@dataclass(frozen=True)
class _Request:
    operation: str
    method: str
    url: str
    query: dict[str, str]
    data: bytes | None
    extra_limits: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...] = ()


def _readable(resp: requests.Response) -> bool:
    """No body (204), or a JSON one: an answer the operation itself gave."""
    if not resp.content.strip():
        return True
    try:
        json.loads(resp.content)
    except ValueError:
        return False
    return True


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
    """Sends SP-API requests for one seller/region during one run (its own cancel event and counters).

    The session and the token provider are the store's, shared by its runs; the transport owns nothing to
    close. Used by the per-API modules, not by the app directly.
    """

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
        policy: RetryPolicy | None = None,
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
        self.policy = policy or RetryPolicy(speedup=config.speedup)
        self._waiter = waiter
        self._rng = rng
        self._download_session = download_session or session
        self._speedup = max(1.0, config.speedup)

    # waiting ------------------------------------------------------------------------------------------------
    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled()

    def sleep(self, seconds: float) -> None:
        """A wait the app makes on its own (polling): divided by speedup, interruptible."""
        self.check_cancel()
        if seconds > 0:
            self._waiter(seconds / self._speedup, self.cancel)

    def _attempts(self, service: str, operation: str, *, idempotent: bool) -> Attempts:
        return self.policy.attempts(
            service, operation, idempotent=idempotent, cancel=self.cancel, waiter=self._waiter, rng=self._rng
        )

    def _backoff(self, attempts: Attempts, failure: Failure, **details: Any) -> None:
        """Count and wait before the next try, or raise (``Attempts.failed``)."""
        self.stats.throttle_wait_s += attempts.failed(failure, **details)
        self.stats.retries += 1

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
        headers: Mapping[str, str] | None = None,
        idempotency_key: str = "",
    ) -> ApiResponse:
        """One SP-API operation, paced and retried; ``extra_limits``: more (seller, operation) buckets.

        ``expect_body=False``: a success needs no body (confirmShipment's 204). A 2xx whose body cannot be read
        is no proof that a write was done (a front end may have answered in the service's place): for a
        POST/PUT/PATCH it raises ``OutcomeUnknown``, whatever ``expect_body`` says. ``headers``: the
        operation's own header parameters. ``idempotency_key`` (sent as ``x-amzn-IdempotencyKey``) makes
        Amazon recognise a repeat of the same write, so the policy may send it again like a read.
        """
        data = None if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        extra = {**(headers or {}), **({"x-amzn-IdempotencyKey": idempotency_key} if idempotency_key else {})}
        request = _Request(
            operation,
            method,
            self.endpoint + path,
            serialize_params(params or {}),
            data,
            tuple(extra_limits),
            tuple(extra.items()),
        )
        idempotent = bool(idempotency_key) or method.upper() in IDEMPOTENT_METHODS
        attempts = self._attempts("Amazon", operation, idempotent=idempotent)
        refreshed = False
        while True:
            token = self._prepare(request)
            try:
                resp = self._send(request, token)
            except NETWORK_ERRORS as exc:
                self._backoff(attempts, classify_exception(exc), cause=exc)
                continue
            failure = classify_status(resp.status_code)
            if failure is None:
                return self._success(request, resp, expect_body)
            if failure is Failure.AUTH and not refreshed:
                # 401, or a 403 ("Unauthorized, Expired Token, ..." per the models; an imitation may leave
                # out the details): one fresh access token and one more try before giving up
                refreshed = True
                self.tokens.invalidate(token)
                continue
            self._failed(request, resp, failure, attempts)

    def _prepare(self, request: _Request) -> str:
        """Wait for the rate limiter's tokens, then hand out the store's access token."""
        self.check_cancel()
        waited = self.limiter.acquire(self.selling_partner_id, self.region, request.operation, self.cancel)
        for seller, op in request.extra_limits:
            waited += self.limiter.acquire(seller, self.region, op, self.cancel)
        self.stats.throttle_wait_s += waited
        self.check_cancel()
        return self.tokens.get(self.cancel)

    def _send(self, request: _Request, token: str) -> requests.Response:
        headers = {"x-amz-access-token": token, "user-agent": USER_AGENT, "accept": "application/json"}
        headers.update(request.headers)
        if request.data is not None:
            headers["content-type"] = "application/json"
        started = time.monotonic()
        self.stats.api_calls += 1
        try:
            resp = self.session.request(
                request.method,
                request.url,
                params=request.query,
                data=request.data,
                headers=headers,
                timeout=TIMEOUT,
            )
        except NETWORK_ERRORS as exc:
            ms = (time.monotonic() - started) * 1000
            log.info("%s: no answer after %d ms (%s)", request.operation, ms, type(exc).__name__)
            raise
        request_id = resp.headers.get("x-amzn-RequestId", "")
        if request_id:
            self.stats.request_ids.append(request_id)
        ms = (time.monotonic() - started) * 1000
        log.info(
            "%s -> %s in %d ms (request id %s)", request.operation, resp.status_code, ms, request_id or "-"
        )
        return resp

    def _success(self, request: _Request, resp: requests.Response, expect_body: bool) -> ApiResponse:
        request_id = resp.headers.get("x-amzn-RequestId", "")
        limit = resp.headers.get("x-amzn-RateLimit-Limit")
        self.limiter.observe_rate(self.selling_partner_id, self.region, request.operation, limit)
        if request.method.upper() not in IDEMPOTENT_METHODS and not _readable(resp):
            log.warning(
                "%s -> %s with an unreadable body: not taken as done", request.operation, resp.status_code
            )
            raise OutcomeUnknown(
                f"Amazon answered {request.operation} with {resp.status_code} but a body that cannot be read, "
                "so it is not known to be done; it is sent again on the next run.",
                status=resp.status_code,
                request_id=request_id,
                operation=request.operation,
            )
        parsed = json_or_none(resp, request.operation, request_id) if expect_body else json_quiet(resp)
        if only_errors(parsed):
            # a 2xx whose body is nothing but Amazon's error list is a refusal, not a success
            errors = parse_errors(parsed)
            text = amazon_text(errors)
            raise AmazonRejected(
                f"Amazon rejected the request ({request.operation}): {text or 'no reason given'}.",
                status=resp.status_code,
                code=first_code(errors),
                request_id=request_id,
                operation=request.operation,
                amazon_message=text,
            )
        return ApiResponse(resp.status_code, parsed, resp.headers, request_id)

    def _failed(
        self, request: _Request, resp: requests.Response, failure: Failure, attempts: Attempts
    ) -> None:
        """After an error status: back off for a transient failure, else raise the matching error."""
        status, request_id = resp.status_code, resp.headers.get("x-amzn-RequestId", "")
        errors = parse_errors(json_quiet(resp))
        if failure in TRANSIENT:
            if failure is Failure.THROTTLED:
                self.stats.throttled += 1
                self.limiter.drain(self.selling_partner_id, self.region, request.operation)
            self._backoff(attempts, failure, status=status, code=first_code(errors), request_id=request_id)
            return
        if failure is Failure.AUTH and is_invalid_token(status, errors):
            raise AuthorizationRevoked(
                REVOKED_MESSAGE,
                status=status,
                code=first_code(errors),
                request_id=request_id,
                operation=request.operation,
            )
        raise error_for(status, errors, request.operation, request_id)

    # presigned URLs (report/feed documents) -----------------------------------------------------------------
    def transfer(
        self, method: str, url: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> requests.Response:
        """GET/PUT a presigned document URL: no SP-API headers, the same retry policy.

        A PUT to a presigned URL overwrites the same document (nothing happens until createFeed names it),
        so repeating it is harmless: both methods count as idempotent here.
        """
        attempts = self._attempts("Amazon's document storage", f"document {method}", idempotent=True)
        while True:
            self.check_cancel()
            started = time.monotonic()
            try:
                resp = self._download_session.request(
                    method, url, data=data, headers=dict(headers or {}), timeout=TIMEOUT
                )
            except NETWORK_ERRORS as exc:
                self._backoff(attempts, classify_exception(exc), cause=exc)
                continue
            ms = (time.monotonic() - started) * 1000
            log.info("document %s -> %s in %d ms", method, resp.status_code, ms)
            failure = classify_status(resp.status_code)
            if failure in TRANSIENT:
                self._backoff(attempts, failure, status=resp.status_code)
                continue
            if failure is not None:
                raise AmazonError(
                    f"Amazon's document storage refused the transfer ({resp.status_code}); the link may have "
                    "expired (it is valid for 5 minutes). Try again.",
                    status=resp.status_code,
                )
            return resp
