"""Store tokens on a shared workspace: any station can sync any store; no token is ever plain text in PostgreSQL.

- The workspace has ONE 32-byte key (``foundation/workspace_key.py``, issue 14), made with the database: the same
  key encrypts the buyer data and the stores' tokens. Each station keeps it in its own keyring (named by the
  workspace id); the database holds only the workspace id and the key's check value (the ``workspace`` table),
  so a wrong key is told from a missing one and the key itself never reaches the server.
- A refresh token is sealed with AES-256-GCM (``cryptography``'s AEAD): ``nonce || ciphertext+tag`` in
  ``store_secret``, the workspace id and store id bound as associated data (a sealed token moved to another
  store row or workspace does not open).
- A station joins with the key as text (``export_key_text`` on a station that has it, ``join`` on the new one;
  ``fbm-desk workspace-key export|join``); the key text is ``WorkspaceKey.export_text`` (``fbmkey1-…``). A station without the key can pack but not sync: reading a sealed
  token raises ``WorkspaceKeyProblem`` with what to do, the sync run fails with it, ``store list`` shows it.
- On this computer's SQLite file ``core`` keeps the plain ``Credentials`` (keyring), as before.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fbm_desk.db.models import StoreSecret, utcnow_iso
from fbm_desk.db.privacy_models import Workspace
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.credentials import Credentials, CredentialsError
from fbm_desk.foundation.errors import Action, FbmError, InvalidInput
from fbm_desk.foundation.workspace_key import (
    WorkspaceKey,
    WorkspaceKeyError,
    join_workspace,
    load_workspace_key,
)

NONCE_BYTES = 12

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
        ws = Workspace.get_or_none(Workspace.id == 1)
        if ws is None:
            return KeyState(None, None, "")
        workspace_id = str(ws.workspace_id)
        found = load_workspace_key(self._local, workspace_id)
        if found is None:
            return KeyState(workspace_id, None, MISSING)
        if not hmac.compare_digest(found.check_value(), str(ws.key_check)):
            return KeyState(workspace_id, None, WRONG)
        return KeyState(workspace_id, found.key, "")

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
        if state.workspace_id is None:
            raise WorkspaceKeyProblem("This workspace has no key yet: open it once with FBM Desk.")
        if state.problem or state.key is None:
            raise WorkspaceKeyProblem(state.problem.replace("can pack but not sync", "cannot connect stores"))
        return state.workspace_id, state.key

    def export_key_text(self) -> str:
        """The workspace key as text for a station that joins (``join``); keep it like a password."""
        state = self.key_state()
        if state.workspace_id is None:
            raise InvalidInput("This workspace has no key yet: open it once with FBM Desk.")
        if state.problem or state.key is None:
            raise WorkspaceKeyProblem(state.problem)
        return WorkspaceKey(state.workspace_id, state.key).export_text()

    def join(self, text: str) -> str:
        """Keep the workspace key given as text on this station; returns the workspace id. Checked against the
        workspace's check value first (nothing is stored for a wrong key). The same key opens the buyer data
        (issue 14) and the stores' Amazon tokens."""
        ws = Workspace.get_or_none(Workspace.id == 1)
        if ws is None:
            raise InvalidInput("This workspace has no key yet: open it once with FBM Desk.")
        try:
            joined = join_workspace(self._local, text, str(ws.workspace_id), str(ws.key_check))
        except WorkspaceKeyError as exc:
            raise InvalidInput(f"{exc} Nothing was changed.") from exc
        return joined.workspace_id
