"""Typed SP-API / LWA errors. Messages are for warehouse staff; they never contain tokens."""

from __future__ import annotations

from fbm_desk.foundation.errors import Action, FbmError


class AmazonError(FbmError):
    """Amazon answered with an error, or could not be reached."""

    action = Action.RETRY_LATER

    def __init__(
        self,
        user_message: str,
        *,
        status: int | None = None,
        code: str = "",
        request_id: str = "",
        operation: str = "",
        action: Action | None = None,
        amazon_message: str = "",
    ) -> None:
        super().__init__(user_message, action=action)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.operation = operation
        self.amazon_message = amazon_message  # Amazon's own error text (e.g. stored on a rejected package)


class AuthorizationRevoked(AmazonError):
    """``invalid_grant`` on refresh, or a 403 that persists with a fresh token: reconnect the store."""

    action = Action.RECONNECT


class AccessDenied(AmazonError):
    """403 without an invalid-token detail: missing role, wrong region, or app authorization withdrawn."""

    action = Action.RECONNECT


class AmazonUnavailable(AmazonError):
    """429/5xx/timeouts that persisted through every retry, or no network."""

    action = Action.RETRY_LATER


class OutcomeUnknown(AmazonUnavailable):
    """A request that changes something (POST/PUT/PATCH) got no usable answer after it was sent (read
    timeout, dropped connection, 500/502/504): it may have been done, so it is not sent again."""


class AmazonRejected(AmazonError):
    """4xx for this request (bad input): Amazon's message says what to fix. Not retried."""

    action = Action.FIX_INPUT


class AmazonNotFound(AmazonRejected):
    """404."""


class MalformedResponse(AmazonError):
    """Amazon's answer could not be parsed (bad JSON, truncated gzip, unknown charset)."""


class TokenExchangeFailed(AmazonError):
    """The authorization code could not be exchanged (expired, reused, wrong redirect URI, bad client)."""

    action = Action.RECONNECT


class Cancelled(FbmError):
    """The caller's cancel event was set: the call stopped before (or while waiting for) the next request."""

    action = Action.NONE

    def __init__(self, user_message: str = "Stopped: the job was cancelled.") -> None:
        super().__init__(user_message)
