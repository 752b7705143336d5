"""Known errors: problems the user can understand and act on.

Anything raised that is *not* an ``FbmError`` is a bug: it is logged with its traceback and shown once in an
error dialog with copyable details. An ``FbmError`` carries a ``user_message`` written for warehouse staff and
an optional suggested ``action``.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What the user can do about a known error."""

    NONE = "none"
    RETRY_LATER = "retry_later"
    RECONNECT = "reconnect"
    FIX_INPUT = "fix_input"
    CONTACT_SUPPORT = "contact_support"


class FbmError(Exception):
    """A known, user-actionable error. ``str(err)`` is the user message; never put secrets in it."""

    action: Action = Action.NONE

    def __init__(self, user_message: str, *, action: Action | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        if action is not None:
            self.action = action


class InvalidInput(FbmError):
    """The user typed or passed something that cannot be accepted (nothing was stored)."""

    action = Action.FIX_INPUT


class NotFound(FbmError):
    """A store, order, SKU, ... named by the user does not exist."""

    action = Action.FIX_INPUT


class DatabaseError(FbmError):
    """The local database cannot be opened or used (corrupt, newer version, disk full)."""

    action = Action.CONTACT_SUPPORT
