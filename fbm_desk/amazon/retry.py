"""The one retry policy for every request the app sends to Amazon: SP-API, presigned documents and LWA.

Each failure is classified once (``classify_exception`` / ``classify_status``), then ``Attempts.failed``
either backs off (a cancellable wait, divided by ``FBM_DESK_SPEEDUP``) or raises a typed error.

A request that changes something at Amazon (POST, PUT, PATCH: createFeed, confirmShipment, patchListingsItem,
an authorization-code exchange...) is sent again only when the failure proves nothing was done: the
connection never opened, or Amazon answered 429/503 (refused before doing anything). After a read timeout, a
connection dropped once the request was out, or a 500/502/504, it may have been done: ``OutcomeUnknown`` is
raised instead, and the job's next run (which re-reads the state first) decides again.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from fbm_desk.amazon.errors import AmazonUnavailable, OutcomeUnknown
from fbm_desk.amazon.ratelimit import Waiter, default_waiter

log = logging.getLogger(__name__)

TIMEOUT = (10.0, 60.0)  # (connect, read) seconds, on every request
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
# What ``Session.request`` raises when no complete answer arrived (classified by ``classify_exception``).
NETWORK_ERRORS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


class Failure(Enum):
    """Why one try failed; decides whether (and for which methods) it is tried again."""

    THROTTLED = "throttled"  # 429: refused, nothing done
    UNAVAILABLE = "unavailable"  # 503: not processed (overloaded or in maintenance)
    SERVER_ERROR = "server error"  # 500, 502, 504: may have been done
    NOT_SENT = "not sent"  # connection refused, DNS, connect timeout, TLS: the request never left
    NO_ANSWER = "no answer"  # read timeout, connection reset or answer cut short: the request was out
    AUTH = "auth"  # 401, 403: handled by the caller (refresh the token once)
    CLIENT = "client error"  # any other 4xx: never retried


NOTHING_DONE = frozenset({Failure.THROTTLED, Failure.UNAVAILABLE, Failure.NOT_SENT})
TRANSIENT = NOTHING_DONE | {Failure.SERVER_ERROR, Failure.NO_ANSWER}


def classify_status(status: int) -> Failure | None:
    """None for a success (< 400)."""
    if status < 400:
        return None
    if status == 429:
        return Failure.THROTTLED
    if status == 503:
        return Failure.UNAVAILABLE
    if status >= 500:
        return Failure.SERVER_ERROR
    if status in (401, 403):
        return Failure.AUTH
    return Failure.CLIENT


def classify_exception(exc: requests.RequestException) -> Failure:
    """NOT_SENT only when requests/urllib3 prove the connection was never made; anything else is NO_ANSWER."""
    if isinstance(
        exc, requests.ConnectTimeout | requests.exceptions.SSLError | requests.exceptions.ProxyError
    ):
        return Failure.NOT_SENT
    if isinstance(exc, requests.ConnectionError) and _never_connected(exc):
        return Failure.NOT_SENT
    return Failure.NO_ANSWER


def _never_connected(exc: requests.ConnectionError) -> bool:
    # requests wraps a refused connection / failed DNS lookup as ConnectionError(MaxRetryError(reason=
    # NewConnectionError)); a reset after sending is ConnectionError(ProtocolError(...)) and stays NO_ANSWER.
    cause = exc.args[0] if exc.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, NewConnectionError)


@dataclass(frozen=True)
class RetryPolicy:
    """How many tries and how long to back off (full jitter: uniform 0..min(cap, base * 2**tries))."""

    max_tries: int = 6
    base_s: float = 1.0
    cap_s: float = 60.0
    speedup: float = 1.0  # FBM_DESK_SPEEDUP: tests and demo mode wait less

    def may_retry(self, failure: Failure, *, idempotent: bool, tries: int) -> bool:
        """Whether try number ``tries`` (1-based), which failed with ``failure``, is followed by another."""
        if failure not in TRANSIENT or tries >= self.max_tries:
            return False
        return idempotent or failure in NOTHING_DONE

    def delay(self, tries: int, rng: Callable[[float, float], float] = random.uniform) -> float:
        return rng(0.0, min(self.cap_s, self.base_s * 2.0**tries)) / max(1.0, self.speedup)

    def attempts(
        self,
        service: str,
        operation: str,
        *,
        idempotent: bool,
        cancel: threading.Event | None = None,
        waiter: Waiter = default_waiter,
        rng: Callable[[float, float], float] = random.uniform,
    ) -> Attempts:
        """The retry state of one request (``service``: "Amazon", "Amazon's login service"...)."""
        return Attempts(self, service, operation, idempotent, cancel, waiter, rng)


class Attempts:
    """Call ``failed`` after each failed try: it waits before the next try, or raises."""

    def __init__(
        self,
        policy: RetryPolicy,
        service: str,
        operation: str,
        idempotent: bool,
        cancel: threading.Event | None,
        waiter: Waiter,
        rng: Callable[[float, float], float],
    ) -> None:
        self.policy = policy
        self.service = service
        self.operation = operation
        self.idempotent = idempotent
        self.cancel = cancel
        self._waiter = waiter
        self._rng = rng
        self.tries = 0

    def failed(
        self,
        failure: Failure,
        *,
        status: int | None = None,
        code: str = "",
        request_id: str = "",
        cause: BaseException | None = None,
    ) -> float:
        """Back off and return the wait (s), or raise AmazonUnavailable / OutcomeUnknown / Cancelled."""
        self.tries += 1
        if not self.policy.may_retry(failure, idempotent=self.idempotent, tries=self.tries):
            raise self._give_up(failure, status, code, request_id, cause)
        delay = self.policy.delay(self.tries, self._rng)
        if delay > 0:
            self._waiter(delay, self.cancel)  # raises Cancelled the moment the cancel event is set
        return delay

    def _give_up(
        self, failure: Failure, status: int | None, code: str, request_id: str, cause: BaseException | None
    ) -> AmazonUnavailable:
        common: dict[str, Any] = {
            "status": status,
            "code": code,
            "request_id": request_id,
            "operation": self.operation,
        }
        what = _what(failure, status, cause)
        if failure in TRANSIENT and failure not in NOTHING_DONE and not self.idempotent:
            log.warning("%s: %s; not sent again (it may have been done)", self.operation, what)
            return OutcomeUnknown(
                f"{self.service} did not confirm {self.operation} ({what}). It may have been done, so it was "
                "not sent again; the next run checks and tries again.",
                **common,
            )
        if failure is Failure.THROTTLED:
            message = f"{self.service} is throttling requests ({self.operation}) after {self.tries} tries"
        elif failure in (Failure.NOT_SENT, Failure.NO_ANSWER):
            message = f"{self.service} could not be reached ({self.operation}: {what})"
        else:
            message = f"{self.service} answered {status} ({self.operation}) after {self.tries} tries"
        return AmazonUnavailable(f"{message}; try again later.", **common)


def _what(failure: Failure, status: int | None, cause: BaseException | None) -> str:
    if cause is not None:
        return type(cause).__name__
    return f"HTTP {status}" if status is not None else failure.value
