"""``settings.json`` in the data dir: app-level options (no secrets except the documented LWA client secret
for "bring your own app" mode, which is better given through ``FBM_DESK_LWA_CLIENT_SECRET``).

Keys:
- ``instance_id``: random id namespacing keyring entries of this data dir (created on first run).
- ``amazon``: ``lwa_client_id``, ``lwa_client_secret``, ``spapi_app_id``, ``lwa_token_url``, ``spapi_endpoint``,
  ``seller_central_url``, ``oauth_redirect_uri``, ``consent_beta`` (see ``fbm_desk.amazon.config``).
- ``ui``: free-form UI preferences.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Settings:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data
        self._lock = threading.Lock()

    @property
    def instance_id(self) -> str:
        return str(self._data["instance_id"])

    @property
    def amazon(self) -> dict[str, Any]:
        value = self._data.get("amazon")
        return dict(value) if isinstance(value, dict) else {}

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self.save()

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self._data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file is created, an unreadable one is kept aside and replaced with defaults."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            data = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            aside = path.with_name(path.name + ".unreadable")
            log.warning(
                "settings.json could not be read; kept it as %s and started from defaults", aside.name
            )
            os.replace(path, aside)
    changed = False
    if not data.get("instance_id"):
        data["instance_id"] = secrets.token_hex(8)
        changed = True
    settings = Settings(path, data)
    if changed:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            settings.save()
        except OSError as exc:  # read-only folder or full disk: this run uses the new id, unsaved
            log.warning("settings.json could not be written (%s)", exc.strerror)
    return settings
