"""Store tokens on a shared workspace: any station can sync any store; no token is ever plain text in PostgreSQL.

- The workspace has one 32-byte key, made by the first station that connects a store. Each station keeps it
  in its own keyring (``Credentials.get_workspace_key``, named by the workspace id); the database holds only the
  workspace id and the key's fingerprint (``workspace_identity``: HMAC-SHA256 of a fixed label), so a wrong
  key is told from a missing one and the key itself never reaches the server.
- A refresh token is sealed with AES-256-GCM (``cryptography``'s AEAD): ``nonce || ciphertext+tag`` in
  ``store_secret``, the workspace id and store id bound as associated data (a sealed token moved to another
  store row or workspace does not open).
- A station joins with the key as text (``export_key_text`` on a station that has it, ``join`` on the new one;
  ``fbm-desk workspace-key export|join``). A station without the key can pack but not sync: reading a sealed
  token raises ``WorkspaceKeyProblem`` with what to do, the sync run fails with it, ``store list`` shows it.
- On this computer's SQLite file ``core`` keeps the plain ``Credentials`` (keyring), as before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fbm_desk.db.models import StoreSecret, WorkspaceIdentity, utcnow_iso
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.credentials import WORKSPACE_KEY_BYTES, Credentials, CredentialsError
from fbm_desk.foundation.errors import Action, FbmError, InvalidInput

KEY_TEXT_PREFIX = "fbmws1"
NONCE_BYTES = 12
_CHECK_LABEL = b"FBM Desk workspace key check"

MISSING = (
    "This station does not have the workspace key, so it can pack but not sync. On a station that syncs, run "
    "'fbm-desk workspace-key export' and on this one 'fbm-desk workspace-key join KEY' (once)."
)
WRONG = (
    "The workspace key kept on this station does not belong to this workspace, so it can pack but not sync. "
    "Join again with the key of this workspace ('fbm-desk workspace-key join KEY')."
)


class WorkspaceKeyProblem(FbmError):
    """This station cannot open the workspace's store tokens (no key, or another workspace's)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, action=Action.FIX_INPUT)


@dataclass(frozen=True)
class KeyState:
    workspace_id: str | None  # None: no store was connected on the workspace yet (no key exists)
    key: bytes | None
    problem: str  # "" when this station holds the right key (or no key exists yet)


def _fingerprint(key: bytes) -> str:
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()


def _aad(workspace_id: str, store_id: int) -> bytes:
    return f"fbm-desk/{workspace_id}/store/{store_id}/refresh_token".encode()


def seal(key: bytes, workspace_id: str, store_id: int, token: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, token.encode(), _aad(workspace_id, store_id))


def unseal(key: bytes, workspace_id: str, store_id: int, sealed: bytes) -> str:
    data = bytes(sealed)
    try:
        plain = AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], _aad(workspace_id, store_id))
    except InvalidTag as exc:
        raise WorkspaceKeyProblem(WRONG) from exc
    return plain.decode()


class WorkspaceCredentials(Credentials):
    """``Credentials`` of a station on a shared workspace: tokens sealed in the database, the key in the
    station's own secret store (the wrapped ``Credentials``)."""

    def __init__(self, local: Credentials) -> None:
        super().__init__(local.secret_store)
        self._local = local

    def key_state(self) -> KeyState:
        ident = WorkspaceIdentity.get_or_none(WorkspaceIdentity.id == 1)
        if ident is None:
            return KeyState(None, None, "")
        workspace_id = str(ident.workspace_id)
        key = self._local.get_workspace_key(workspace_id)
        if key is None:
            return KeyState(workspace_id, None, MISSING)
        if not hmac.compare_digest(_fingerprint(key), str(ident.key_check)):
            return KeyState(workspace_id, None, WRONG)
        return KeyState(workspace_id, key, "")

    def sync_blocked(self) -> str:
        """Why this station cannot sync the workspace's stores ("" when it can)."""
        return self.key_state().problem

    def describe(self) -> str:
        problem = self.sync_blocked()
        head = "Amazon tokens are kept in the shared workspace, encrypted with the workspace key."
        return f"{head} {problem}" if problem else f"{head} {self._local.describe()}"

    def get_refresh_token(self, store_id: int) -> str | None:
        row = StoreSecret.get_or_none(StoreSecret.store == store_id)
        if row is None:  # connected on this station before it used the workspace: its own keyring
            return self._local.get_refresh_token(store_id)
        state = self.key_state()
        if state.problem or state.key is None or state.workspace_id is None:
            raise WorkspaceKeyProblem(state.problem or MISSING)
        return unseal(state.key, state.workspace_id, store_id, bytes(row.sealed))

    def set_refresh_token(self, store_id: int, token: str) -> None:
        if not token.strip():
            raise CredentialsError("The refresh token is empty.")
        with transaction(immediate=True):  # the first store connected on two stations at once: one key
            workspace_id, key = self._key_for_writing()
            sealed = seal(key, workspace_id, store_id, token.strip())
            StoreSecret.insert(store=store_id, sealed=sealed, updated_at=utcnow_iso()).on_conflict(
                conflict_target=[StoreSecret.store],
                update={StoreSecret.sealed: sealed, StoreSecret.updated_at: utcnow_iso()},
            ).execute()

    def delete_refresh_token(self, store_id: int) -> None:
        StoreSecret.delete().where(StoreSecret.store == store_id).execute()
        self._local.delete_refresh_token(store_id)

    def _key_for_writing(self) -> tuple[str, bytes]:
        state = self.key_state()
        if state.workspace_id is None:  # the first store of the workspace: make its key
            workspace_id, key = uuid.uuid4().hex, secrets.token_bytes(WORKSPACE_KEY_BYTES)
            self._local.set_workspace_key(workspace_id, key)
            WorkspaceIdentity.create(id=1, workspace_id=workspace_id, key_check=_fingerprint(key))
            return workspace_id, key
        if state.problem or state.key is None:
            raise WorkspaceKeyProblem(state.problem.replace("can pack but not sync", "cannot connect stores"))
        return state.workspace_id, state.key

    def export_key_text(self) -> str:
        """The workspace key as text for a station that joins (``join``); keep it like a password."""
        state = self.key_state()
        if state.workspace_id is None:
            raise InvalidInput("This workspace has no key yet: it is made when the first store is connected.")
        if state.problem or state.key is None:
            raise WorkspaceKeyProblem(state.problem)
        return f"{KEY_TEXT_PREFIX}.{state.workspace_id}.{base64.urlsafe_b64encode(state.key).decode()}"

    def join(self, text: str) -> str:
        """Keep the workspace key given as text on this station; returns the workspace id. Checked against the
        workspace's fingerprint first (nothing is stored for a wrong key)."""
        parts = text.strip().split(".")
        try:
            if len(parts) != 3 or parts[0] != KEY_TEXT_PREFIX:
                raise ValueError
            key = base64.urlsafe_b64decode(parts[2].encode("ascii"))
        except (ValueError, binascii.Error):
            raise InvalidInput(
                "That is not a workspace key (it starts with 'fbmws1.'; copy it whole from "
                "'fbm-desk workspace-key export')."
            ) from None
        ident = WorkspaceIdentity.get_or_none(WorkspaceIdentity.id == 1)
        if ident is None:
            raise InvalidInput("This workspace has no key yet: it is made when the first store is connected.")
        if parts[1] != str(ident.workspace_id) or not hmac.compare_digest(
            _fingerprint(key), str(ident.key_check)
        ):
            raise InvalidInput("That key belongs to another workspace; nothing was changed.")
        self._local.set_workspace_key(parts[1], key)
        return parts[1]
