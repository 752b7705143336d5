"""The OAuth ``state``: high entropy, single use, compared in constant time.

Without a relay the state is just a random nonce. With an https relay page (``FBM_DESK_OAUTH_REDIRECT_URI``),
Amazon sends the browser to the relay, which must know where the desktop app listens: the state then reads
``<port>.<nonce>``; the relay forwards the query to ``http://127.0.0.1:<port>/callback`` (see ``relay/``). The
nonce alone carries the secret (256 bits); the port is not secret.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

NONCE_BYTES = 32
_PORT_STATE = re.compile(r"^([1-9][0-9]{0,4})\.([A-Za-z0-9_\-]{16,})$")


@dataclass(frozen=True)
class OAuthState:
    value: str

    def __repr__(self) -> str:  # the state is a one-time secret: keep it out of logs and reprs
        return "OAuthState(<hidden>)"

    @classmethod
    def new(cls, port: int | None = None) -> OAuthState:
        """A fresh state; ``port`` is embedded for the relay page when given."""
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        return cls(f"{port}.{nonce}" if port else nonce)

    def matches(self, candidate: str | None) -> bool:
        """Constant-time comparison (no early exit on the first differing character)."""
        if not candidate:
            return False
        return hmac.compare_digest(candidate.encode("utf-8"), self.value.encode("utf-8"))


def port_from_state(state: str) -> int | None:
    """The loopback port carried in a relay state, or None when the state carries none / an invalid one."""
    m = _PORT_STATE.match(state or "")
    if not m:
        return None
    port = int(m.group(1))
    return port if 1024 <= port <= 65535 else None
