"""Known errors of the connect flow. Messages are for warehouse staff and never contain codes or tokens."""

from __future__ import annotations

from fbm_desk.foundation.errors import Action, FbmError


class OAuthError(FbmError):
    """Connecting a store through the browser failed; nothing was stored."""

    action = Action.RETRY_LATER


class ListenerError(OAuthError):
    """The loopback listener could not be started (port taken, no loopback interface)."""

    action = Action.FIX_INPUT


class CallbackTimeout(OAuthError):
    """Amazon did not send the browser back in time."""


class ConnectCancelled(OAuthError):
    """The user cancelled while waiting for Amazon."""

    action = Action.NONE


class ConsentDenied(OAuthError):
    """The seller declined the authorization on Amazon's consent page."""

    action = Action.NONE


class StateMismatch(OAuthError):
    """The callback's ``state`` is not the one of this attempt (forged, stale or replayed redirect)."""


class CallbackRejected(OAuthError):
    """The callback lacked the authorization code or seller id, or came after the attempt had finished."""
