"""Secrets (per-store LWA refresh tokens, the workspace key, the app's LWA client secret) — the only place they
are read or written.

Where they live:
- ``keyring`` when the system has a working backend that encrypts (Secret Service / KWallet on Linux, Keychain
  on macOS, Credential Manager on Windows). A backend that stores secrets unencrypted (``keyrings.alt``'s
  ``PlaintextKeyring``: base64 in a file) works, but counts as the insecure fallback: reported and shown as
  such, exactly like the file below (``backend_encrypts``). Entries use service ``FBM Desk`` and user ``<instance id>/<key>``; the instance
  id is a random id kept in ``settings.json``, so two data dirs never share or overwrite each other's tokens.
- Otherwise an **insecure fallback**: ``secrets-INSECURE.json`` in the data dir, plain JSON, file mode 0600,
  written atomically. It is exactly as safe as the user's account and disk. The app shows it as "INSECURE" in
  the status bar and the Stores tab, and ``store list --json`` reports ``"secret_storage": "insecure_fallback"``.
  Install a keyring backend (e.g. ``gnome-keyring`` or ``kwalletmanager``) and reconnect the stores to move away.
- ``FBM_DESK_CREDENTIALS=memory`` keeps secrets in memory only (tests); ``=file`` forces the fallback.

Tokens never go to SQLite, logs or exception messages.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Literal, Protocol

from fbm_desk.foundation.errors import FbmError

log = logging.getLogger(__name__)

BackendKind = Literal["keyring", "insecure_fallback"]
SERVICE_NAME = "FBM Desk"
ENV_BACKEND = "FBM_DESK_CREDENTIALS"


class CredentialsError(FbmError):
    """The secret store could not be read or written."""


class SecretStore(Protocol):
    kind: BackendKind

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> None: ...


class KeyringStore:
    def __init__(self, instance_id: str, kind: BackendKind = "keyring") -> None:
        import keyring

        self._keyring = keyring
        self._prefix = instance_id
        self.kind: BackendKind = kind  # "insecure_fallback" for a keyring backend that does not encrypt

    def backend_name(self) -> str:
        backend = self._keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def _user(self, key: str) -> str:
        return f"{self._prefix}/{key}"

    def get(self, key: str) -> str | None:
        try:
            value = self._keyring.get_password(SERVICE_NAME, self._user(key))
        except Exception as exc:
            raise CredentialsError(f"The system keyring could not be read ({type(exc).__name__}).") from None
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        try:
            self._keyring.set_password(SERVICE_NAME, self._user(key), value)
        except Exception as exc:
            raise CredentialsError(
                f"The system keyring could not store a secret ({type(exc).__name__})."
            ) from None

    def delete(self, key: str) -> None:
        try:
            self._keyring.delete_password(SERVICE_NAME, self._user(key))
        except self._keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            raise CredentialsError(
                f"The system keyring could not delete a secret ({type(exc).__name__})."
            ) from None


class InsecureFileStore:
    """Plain JSON file readable only by the user (0600). Visible as INSECURE everywhere it matters."""

    kind: BackendKind = "insecure_fallback"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise CredentialsError(
                f"The secrets file {self.path} cannot be read ({type(exc).__name__})."
            ) from None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, data: dict[str, str]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            os.chmod(self.path, 0o600)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CredentialsError(
                f"The secrets file {self.path} could not be written ({exc.strerror}). Is the disk full?"
            ) from None

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._read().get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock:
            data = self._read()
            data[key] = value
            self._write(data)

    def delete(self, key: str) -> None:
        with self._lock:
            data = self._read()
            if data.pop(key, None) is not None:
                self._write(data)


class MemoryStore:
    """In-memory secrets for tests. Reports itself as the insecure fallback unless told otherwise."""

    def __init__(self, kind: BackendKind = "insecure_fallback") -> None:
        self.kind = kind
        self._data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._data.get(key)

    def set(self, key: str, value: str) -> None:
        self._data[key] = value

    def delete(self, key: str) -> None:
        self._data.pop(key, None)


_MEMORY_STORES: dict[str, MemoryStore] = {}
_MEMORY_LOCK = threading.Lock()


def backend_encrypts(backend: object) -> bool:
    """False for a keyring backend that keeps secrets unencrypted, or a chain that includes one (any member
    of the chain may hold the token). ``keyrings.alt``'s file backends name their ``scheme`` ("no encyption"
    [sic] for ``PlaintextKeyring``); other plain stores say "Plaintext" in their class name."""
    members = getattr(backend, "backends", None)  # keyring's ChainerBackend
    if isinstance(members, list | tuple) and members:
        return all(backend_encrypts(member) for member in members)
    wrapped = getattr(backend, "_keyring", None)  # keyrings.alt's MultipartKeyringWrapper
    if wrapped is not None and wrapped is not backend:
        return backend_encrypts(wrapped)
    scheme = getattr(backend, "scheme", None)
    if isinstance(scheme, str) and ("no enc" in scheme.lower() or "plain" in scheme.lower()):
        return False
    return "plaintext" not in type(backend).__name__.lower()


def keyring_usable() -> bool:
    """True when keyring has a real backend (not the ``fail`` or ``null`` one) that survives a probe."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:
        return False
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or type(backend).__module__.startswith("keyring.backends.null"):
        return False
    if getattr(backend, "priority", 1) <= 0:
        return False
    probe_user = f"probe-{secrets.token_hex(4)}"
    try:
        keyring.set_password(SERVICE_NAME, probe_user, "probe")
        ok = keyring.get_password(SERVICE_NAME, probe_user) == "probe"
        keyring.delete_password(SERVICE_NAME, probe_user)
    except Exception:
        return False
    return ok


class Credentials:
    """Store-level API over one ``SecretStore``."""

    def __init__(self, store: SecretStore) -> None:
        self._store = store

    @property
    def secret_store(self) -> SecretStore:
        return self._store

    @property
    def backend_kind(self) -> BackendKind:
        return self._store.kind

    @property
    def is_insecure(self) -> bool:
        return self._store.kind == "insecure_fallback"

    @property
    def unencrypted_keyring(self) -> bool:
        """The tokens are in the system keyring, but its backend does not encrypt them."""
        return isinstance(self._store, KeyringStore) and self.is_insecure

    def describe(self) -> str:
        """One sentence for the UI about where secrets are kept."""
        if isinstance(self._store, InsecureFileStore):
            return (
                "No system keyring is available: Amazon tokens and the workspace key that encrypts buyer data are "
                f"stored UNENCRYPTED in {self._store.path} "
                "(readable only by your user account). Install a keyring (e.g. gnome-keyring) to secure them."
            )
        if isinstance(self._store, MemoryStore):
            return "Amazon tokens are kept in memory only (test mode); they are lost when the app closes."
        if isinstance(self._store, KeyringStore) and self.is_insecure:
            return (
                f"The system keyring ({self._store.backend_name()}) does not encrypt: Amazon tokens are stored "
                "UNENCRYPTED in its file. Install an encrypting keyring (e.g. gnome-keyring) and reconnect the "
                "stores to secure them."
            )
        return "Amazon tokens are stored in the system keyring."

    def sync_blocked(self) -> str:
        """Why this station cannot use the stores' tokens ("" when it can; see ``db.workspace_secrets``)."""
        return ""

    @staticmethod
    def _key(store_id: int) -> str:
        return f"store/{store_id}/refresh_token"

    def get_refresh_token(self, store_id: int) -> str | None:
        return self._store.get(self._key(store_id))

    def set_refresh_token(self, store_id: int, token: str) -> None:
        if not token.strip():
            raise CredentialsError("The refresh token is empty.")
        self._store.set(self._key(store_id), token.strip())

    def delete_refresh_token(self, store_id: int) -> None:
        self._store.delete(self._key(store_id))

    # The shared workspace's database password (Settings → Workspace; never in settings.json).
    def get_workspace_password(self) -> str | None:
        return self._store.get("workspace/password")

    def set_workspace_password(self, password: str) -> None:
        if password:
            self._store.set("workspace/password", password)
        else:
            self._store.delete("workspace/password")

    def get_secret(self, name: str) -> str | None:
        """An app-level secret (workspace key, LWA client secret) under ``name`` (e.g. ``app/lwa_client_secret``)."""
        return self._store.get(name)

    def set_secret(self, name: str, value: str) -> None:
        self._store.set(name, value)


def open_credentials(data_dir: Path, instance_id: str) -> Credentials:
    """Pick keyring when it works, else the flagged file fallback (``FBM_DESK_CREDENTIALS`` overrides)."""
    choice = os.environ.get(ENV_BACKEND, "").strip().lower()
    fallback_path = data_dir / "secrets-INSECURE.json"  # AppPaths.insecure_secrets_file
    if choice == "memory":  # one store per instance id and process, as a keyring outlives one open
        with _MEMORY_LOCK:
            return Credentials(_MEMORY_STORES.setdefault(instance_id, MemoryStore()))
    if choice != "file" and keyring_usable():
        import keyring

        if backend_encrypts(keyring.get_keyring()):
            return Credentials(KeyringStore(instance_id))
        log.warning("The keyring backend does not encrypt: tokens in it are flagged INSECURE")
        return Credentials(KeyringStore(instance_id, kind="insecure_fallback"))
    if choice != "file":
        log.warning("No usable system keyring: using the INSECURE file fallback %s", fallback_path)
    return Credentials(InsecureFileStore(fallback_path))
