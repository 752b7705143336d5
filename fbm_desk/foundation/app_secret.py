"""The app's Login-with-Amazon client secret lives in the credentials layer, never in ``settings.json`` (issue 14).

A secret found in ``settings.json``'s ``amazon`` section (older versions kept it there, and a seller may still
paste it there once) is moved into the credentials layer (keyring, or the flagged insecure fallback) on the next
writable start and removed from the file. ``FBM_DESK_LWA_CLIENT_SECRET`` still wins over both.
"""

from __future__ import annotations

import logging
from typing import Any

from fbm_desk.foundation.credentials import Credentials
from fbm_desk.foundation.settings import Settings

log = logging.getLogger(__name__)
SECRET_NAME = "app/lwa_client_secret"  # noqa: S105 - the entry's name, not a secret
_KEY = "lwa_client_secret"


def move_client_secret(settings: Settings, credentials: Credentials) -> bool:
    """Move a client secret from ``settings.json`` into the credentials layer; True when one was moved."""
    amazon = settings.amazon
    if _KEY not in amazon:
        return False
    secret = str(amazon.pop(_KEY) or "").strip()
    if secret:
        credentials.set_secret(SECRET_NAME, secret)  # first: the file keeps it until the store has it
    settings.set("amazon", amazon)
    log.info("Moved the Login with Amazon client secret from settings.json into the credentials store")
    return True


def amazon_settings(settings: Settings, credentials: Credentials) -> dict[str, Any]:
    """``settings.json``'s ``amazon`` section with the client secret from the credentials layer."""
    section = settings.amazon
    secret = credentials.get_secret(SECRET_NAME)
    if secret and not section.get(_KEY):
        section[_KEY] = secret
    return section
