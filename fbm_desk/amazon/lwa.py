"""Login with Amazon (LWA): code exchange, refresh grant, cached access token (spapi-notes §1.1).

Retries follow the same policy as SP-API calls (``amazon.retry``).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.errors import (
    AccessDenied,
    AmazonUnavailable,
    AuthorizationRevoked,
    Cancelled,
    MalformedResponse,
    TokenExchangeFailed,
)
from fbm_desk.amazon.ratelimit import Waiter, default_waiter
from fbm_desk.amazon.retry import (
    NETWORK_ERRORS,
    TIMEOUT,
    TRANSIENT,
    RetryPolicy,
    classify_exception,
    classify_status,
)
from fbm_desk.amazon.types import TokenGrant

log = logging.getLogger(__name__)

REFRESH_MARGIN_S = 60.0  # refresh this long before the token expires
LWA_TRIES = 3  # fewer than SP-API's: a login that fails three times will not succeed on the sixth
_GRANT_NAMES = {"refresh_token": "token refresh", "authorization_code": "authorization code exchange"}
_FORM = "application/x-www-form-urlencoded;charset=UTF-8"

REVOKED_MESSAGE = "Amazon no longer accepts this store's authorization — reconnect the store"


class LwaClient:
    """Calls the LWA token endpoint. Never logs or raises with token values."""

    def __init__(
        self,
        config: SpApiConfig,
        session: requests.Session,
        *,
        policy: RetryPolicy | None = None,
        waiter: Waiter = default_waiter,
    ) -> None:
        self._config = config
        self._session = session
        self._policy = policy or RetryPolicy(max_tries=LWA_TRIES, cap_s=8.0, speedup=config.speedup)
        self._waiter = waiter

    def exchange_code(self, code: str, redirect_uri: str) -> TokenGrant:
        """authorization_code grant. Raises TokenExchangeFailed saying what most likely went wrong.

        A code works once: after a timeout it is not sent again (``OutcomeUnknown``), since a second try
        would only get ``invalid_grant``.
        """
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        status, body = self._post(form, idempotent=False)
        if status == 200:
            return _grant(body, fallback_refresh="")
        error = str(body.get("error", "")) if isinstance(body, dict) else ""
        if error == "invalid_grant":
            raise TokenExchangeFailed(
                "Amazon did not accept the authorization code: it expires 5 minutes after you authorize, "
                "can be used only once, and the redirect URI must match the one used for consent. "
                "Please connect the store again.",
                status=status,
                code=error,
            )
        if error in ("invalid_client", "unauthorized_client"):
            raise TokenExchangeFailed(
                "Amazon rejected this app's LWA credentials (client id / secret). Check the app settings.",
                status=status,
                code=error,
            )
        raise TokenExchangeFailed(
            f"Connecting the store failed: Amazon answered {status} ({error or 'no error code'}). Try again.",
            status=status,
            code=error,
        )

    def refresh(self, refresh_token: str, cancel: threading.Event | None = None) -> TokenGrant:
        """refresh_token grant (safe to repeat). ``invalid_grant`` means the seller's authorization is gone."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        status, body = self._post(form, idempotent=True, cancel=cancel)
        if status == 200:
            return _grant(body, fallback_refresh=refresh_token)
        error = str(body.get("error", "")) if isinstance(body, dict) else ""
        if error == "invalid_grant":
            raise AuthorizationRevoked(REVOKED_MESSAGE, status=status, code=error)
        if error in ("invalid_client", "unauthorized_client"):
            raise AccessDenied(
                "Amazon rejected this app's LWA credentials (client id / secret; secrets expire every 180 "
                "days). Check the app settings.",
                status=status,
                code=error,
            )
        raise AmazonUnavailable(
            f"Amazon's login service answered {status}; try again later.", status=status, code=error
        )

    def _post(
        self, form: dict[str, str], *, idempotent: bool, cancel: threading.Event | None = None
    ) -> tuple[int, Any]:
        """POST to the token endpoint under the one retry policy (``amazon.retry``)."""
        grant = form["grant_type"]
        attempts = self._policy.attempts(
            "Amazon's login service",
            _GRANT_NAMES.get(grant, grant),
            idempotent=idempotent,
            cancel=cancel,
            waiter=self._waiter,
        )
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            try:
                resp = self._send(form)
            except NETWORK_ERRORS as exc:
                log.info("LWA %s: no answer (%s), try %d", grant, type(exc).__name__, attempts.tries + 1)
                attempts.failed(classify_exception(exc), cause=exc)
                continue
            failure = classify_status(resp.status_code)
            if failure in TRANSIENT:
                attempts.failed(failure, status=resp.status_code)
                continue
            try:
                return resp.status_code, resp.json()
            except (ValueError, json.JSONDecodeError) as exc:
                raise MalformedResponse(
                    "Amazon's login service sent an unreadable answer; try again later.",
                    status=resp.status_code,
                ) from exc

    def _send(self, form: dict[str, str]) -> requests.Response:
        data = dict(form, client_id=self._config.client_id, client_secret=self._config.client_secret)
        started = time.monotonic()
        resp = self._session.post(
            self._config.lwa_token_url,
            data=data,
            headers={"content-type": _FORM, "accept": "application/json"},
            timeout=TIMEOUT,
        )
        ms = (time.monotonic() - started) * 1000
        log.info("LWA %s -> %s in %d ms", form["grant_type"], resp.status_code, ms)
        return resp


def _grant(body: Any, *, fallback_refresh: str) -> TokenGrant:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise MalformedResponse("Amazon's login service sent a token answer without an access token.")
    try:
        expires_in = int(float(body.get("expires_in", 3600)))
    except (TypeError, ValueError):
        expires_in = 3600
    if expires_in <= 0:
        expires_in = 3600
    return TokenGrant(
        access_token=body["access_token"],
        refresh_token=str(body.get("refresh_token") or fallback_refresh),
        expires_in=expires_in,
        token_type=str(body.get("token_type", "bearer")),
    )


class AccessTokenProvider:
    """Caches the access token of one refresh token until ~60 s before it expires. Thread-safe."""

    def __init__(
        self, lwa: LwaClient, refresh_token: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lwa = lwa
        self._refresh_token = refresh_token
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ""
        self._expires_at = 0.0
        self._margin = REFRESH_MARGIN_S
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"AccessTokenProvider(refreshes={self.refreshes})"

    def get(self, cancel: threading.Event | None = None) -> str:
        """The cached access token, refreshed (once, under the lock) when it is about to expire."""
        with self._lock:
            if not self._token or self._clock() >= self._expires_at - self._margin:
                grant = self._lwa.refresh(self._refresh_token, cancel)
                self.refreshes += 1
                self._token = grant.access_token
                self._expires_at = self._clock() + grant.expires_in
                # short-lived tokens (an imitation may hand out a few minutes): keep using them for half
                self._margin = min(REFRESH_MARGIN_S, grant.expires_in / 2)
            return self._token

    def uses(self, refresh_token: str) -> bool:
        """Whether this provider refreshes with ``refresh_token`` (a reconnected store gets a new one)."""
        return hmac.compare_digest(self._refresh_token.encode(), refresh_token.encode())

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still ``token``, so concurrent callers refresh once)."""
        with self._lock:
            if token is None or token == self._token:
                self._token = ""
                self._expires_at = 0.0
