"""One connect attempt's single-use gate between the listener's threads and the waiting flow.

The first request to ``/callback`` decides the attempt: a valid one (right ``state``, a code and a seller id)
is handed to the flow, which exchanges the code and then chooses the page the browser sees; anything else
(wrong state, Amazon's ``error=access_denied``, missing parameters) gets an error page and fails the attempt.
Every later request — a refresh of the page, a replayed redirect — gets "already used" and changes nothing.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from dataclasses import dataclass

from fbm_desk.oauth import pages
from fbm_desk.oauth.errors import (
    CallbackRejected,
    CallbackTimeout,
    ConnectCancelled,
    ConsentDenied,
    OAuthError,
    StateMismatch,
)
from fbm_desk.oauth.state import OAuthState

log = logging.getLogger(__name__)

REPLY_WAIT_S = 120.0  # how long the browser's request waits for the code exchange before a generic page
_POLL_S = 0.1
_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@dataclass(frozen=True)
class Callback:
    """A valid redirect from Amazon. ``code`` is a secret (single use, 5 minutes)."""

    code: str
    selling_partner_id: str

    def __repr__(self) -> str:
        return f"Callback(selling_partner_id={self.selling_partner_id!r})"


class CallbackAttempt:
    def __init__(self, state: OAuthState) -> None:
        self._state = state
        self._lock = threading.Lock()
        self._used = False
        self._items: queue.Queue[Callback | OAuthError] = queue.Queue()
        self._reply: pages.Page | None = None
        self._reply_ready = threading.Event()
        self._decisive_thread: int | None = None  # the HTTP thread answering the first callback
        self._delivered = threading.Event()

    # --- listener side (HTTP threads) ---
    def on_callback(self, params: dict[str, str]) -> pages.Page:
        with self._lock:
            if self._used:
                log.warning("OAuth callback after the attempt was used or ended: refused")
                return pages.failed(
                    "This authorization answer was already used, or the connect attempt has ended. "
                    "Nothing was changed."
                )
            self._used = True
            self._decisive_thread = threading.get_ident()
        outcome = _judge(self._state, params)
        self._items.put(outcome)
        if isinstance(outcome, OAuthError):
            log.warning("OAuth callback refused: %s", type(outcome).__name__)
            return pages.failed(outcome.user_message)
        if not self._reply_ready.wait(REPLY_WAIT_S):
            return pages.failed("FBM Desk did not finish connecting in time. Check the app for details.")
        assert self._reply is not None
        return self._reply

    def response_sent(self) -> None:
        """Called by the listener after a callback's page went out (on the same HTTP thread)."""
        if threading.get_ident() == self._decisive_thread:
            self._delivered.set()

    def wait_delivered(self, timeout_s: float) -> bool:
        """Let the browser receive its page before the listener closes (the CLI exits right after)."""
        if self._decisive_thread is None:
            return True
        return self._delivered.wait(timeout_s)

    # --- flow side ---
    def wait(self, timeout_s: float, cancel: threading.Event | None = None) -> Callback:
        """Block until the first callback; raise its error, ``CallbackTimeout`` or ``ConnectCancelled``."""
        deadline = time.monotonic() + timeout_s
        while True:
            if cancel is not None and cancel.is_set():
                self._end()
                raise ConnectCancelled("Connecting the store was cancelled. Nothing was stored.")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._end()
                minutes = timeout_s / 60
                span = f"{minutes:.0f} minutes" if minutes >= 2 else f"{timeout_s:.0f} seconds"
                raise CallbackTimeout(
                    f"Amazon did not send the authorization back within {span}. Nothing was stored. "
                    "Click Connect to try again and finish the steps in the browser."
                )
            try:
                item = self._items.get(timeout=min(_POLL_S, remaining))
            except queue.Empty:
                continue
            if isinstance(item, OAuthError):
                raise item
            return item

    def reply(self, page: pages.Page) -> None:
        """The page the waiting browser request gets (call exactly once after a valid callback)."""
        self._reply = page
        self._reply_ready.set()

    def _end(self) -> None:
        with self._lock:
            self._used = True
        if not self._reply_ready.is_set():  # a valid callback may be waiting for its page: release it
            self.reply(pages.failed("Connecting was stopped in FBM Desk (cancelled or timed out)."))


def _judge(state: OAuthState, params: dict[str, str]) -> Callback | OAuthError:
    if not state.matches(params.get("state")):
        return StateMismatch(
            "This answer from Amazon does not belong to the connect attempt in progress (the security check "
            "'state' did not match). Nothing was stored. Start again from FBM Desk."
        )
    error = params.get("error", "")
    if error:
        if error == "access_denied":
            return ConsentDenied("The authorization was declined on Amazon's page. Nothing was stored.")
        shown = error if _ERROR_CODE.match(error) else "unknown"
        return CallbackRejected(f"Amazon reported an error ({shown}). Nothing was stored; please try again.")
    code = params.get("spapi_oauth_code", "")
    seller = params.get("selling_partner_id", "").strip()
    if not code or not seller:
        return CallbackRejected(
            "Amazon's answer lacked the authorization code or the seller id. Nothing was stored; try again."
        )
    return Callback(code=code, selling_partner_id=seller)
