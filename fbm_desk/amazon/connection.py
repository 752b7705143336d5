"""What one store keeps for the life of the process: one HTTP session and one access-token provider.

``CoreServices`` holds one ``StoreConnection`` per store and gives each job run its own ``SpApiClient`` on
it (own cancel event, own counters), so consecutive runs reuse the access token (valid one hour) and the
open connections. Thread-safe: ``requests.Session`` pools connections per host under its own locks, and the
token provider refreshes under a lock, so a connection check may run beside a job of the same store.
"""

from __future__ import annotations

import threading

import requests

from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.lwa import AccessTokenProvider, LwaClient


class StoreConnection:
    """The session (SP-API, LWA and presigned documents share it) and the token provider of one store."""

    def __init__(
        self, config: SpApiConfig, refresh_token: str, *, session: requests.Session | None = None
    ) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.tokens = AccessTokenProvider(LwaClient(config, self.session), refresh_token)
        self._closed = threading.Event()

    def __repr__(self) -> str:  # no tokens
        return f"StoreConnection(refreshes={self.tokens.refreshes}, closed={self.closed})"

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def uses(self, config: SpApiConfig, refresh_token: str) -> bool:
        """Whether this connection is still right for the store: same app settings, same refresh token."""
        return not self.closed and config == self.config and self.tokens.uses(refresh_token)

    def close(self) -> None:
        """Close the pooled sockets. A run still holding this connection would reopen them, so close it
        when no run uses it any more (process exit), or accept that a finishing run reopens one."""
        self._closed.set()
        self.session.close()
