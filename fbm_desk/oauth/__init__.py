"""Connecting a store through Amazon's consent page in the system browser (spapi-notes §2).

Qt-free: the CLI (``store connect``) and the Add Store dialog both drive ``ConnectFlow``.

- ``state``: a high-entropy, single-use value per attempt (carries the loopback port when an https relay
  page is configured, so the relay knows where to forward the browser).
- ``listener``: a tiny HTTP server on 127.0.0.1 (ephemeral port) that receives exactly one callback.
- ``attempt``: the single-use gate between the listener's threads and the waiting flow.
- ``flow``: consent URL -> callback -> code exchange -> store saved -> marketplace participations.
"""

from fbm_desk.oauth.errors import (
    CallbackRejected,
    CallbackTimeout,
    ConnectCancelled,
    ConsentDenied,
    ListenerError,
    OAuthError,
    StateMismatch,
)
from fbm_desk.oauth.flow import ConnectFlow, ConnectRequest, ConnectResult, add_sibling_stores

__all__ = [
    "CallbackRejected",
    "CallbackTimeout",
    "ConnectCancelled",
    "ConnectFlow",
    "ConnectRequest",
    "ConnectResult",
    "ConsentDenied",
    "ListenerError",
    "OAuthError",
    "StateMismatch",
    "add_sibling_stores",
]
