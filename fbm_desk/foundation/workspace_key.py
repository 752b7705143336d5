"""The workspace key: 32 random bytes that encrypt the buyer data of one database (issue 14).

- One key per database ("workspace"), created with it. The database keeps only a random ``workspace_id`` and a
  check value (``check_value``: a keyed hash of a constant), never the key.
- The key itself lives only in the credentials layer (``credentials.py``: the system keyring, or the flagged
  insecure fallback), under ``workspace/<workspace_id>/key``.
- ``export_text`` / ``parse_key_text``: the key as one line of text a second station types in once to join a
  shared workspace (issue 13), checked against the database's check value before it is stored.
- ``FieldCipher``: AES-256-GCM per field (a fresh 96-bit nonce per value, the column name as associated data, so a
  value cannot be moved to another column unnoticed) and the blind index of buyer names (keyed BLAKE2b of the
  normalized word prefixes, a sub-key of the workspace key), so the Orders tab can search names it cannot read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fbm_desk.foundation.credentials import Credentials
from fbm_desk.foundation.errors import FbmError

KEY_BYTES = 32
PREFIX = "pii1:"  # a stored value that starts with this is ciphertext (older plain values never do)
MARKER = b"\x01"  # the same sealed value as bytes (SQLite, schema_pii_binary.sql): MARKER ‖ nonce ‖ ciphertext ‖ tag
_TEXT_PREFIX = "fbmkey1"
_CHECK_LABEL = b"FBM Desk workspace key check v1"
_INDEX_LABEL = b"FBM Desk buyer name index v1"
MIN_PREFIX = 2  # shortest searchable word prefix
TOKEN_BITS = 47  # blind index tokens (schema_storage.sql shortened the 63-bit ones by 16 bits)
MAX_PREFIX = 24  # longer words are indexed (and searched) by their first 24 characters
_WORD = re.compile(r"\w+")
_ID = re.compile(r"^[0-9a-f]{32}$")


class WorkspaceKeyError(FbmError):
    """A workspace key that is malformed, belongs to another workspace, or does not open this database."""


@dataclass(frozen=True)
class WorkspaceKey:
    workspace_id: str
    key: bytes = field(repr=False)

    def check_value(self) -> str:
        """What the database stores to recognise its key (reveals nothing about the key)."""
        mac = hmac.new(self.key, _CHECK_LABEL + b":" + self.workspace_id.encode(), hashlib.sha256)
        return mac.hexdigest()

    def export_text(self) -> str:
        """One line to type on another station: ``fbmkey1-<workspace id>-<key, base32>``."""
        return f"{_TEXT_PREFIX}-{self.workspace_id}-{base64.b32encode(self.key).decode().rstrip('=')}"


def new_workspace_key() -> WorkspaceKey:
    return WorkspaceKey(workspace_id=secrets.token_hex(16), key=secrets.token_bytes(KEY_BYTES))


def parse_key_text(text: str) -> WorkspaceKey:
    """The key typed in (``export_text``); raises ``WorkspaceKeyError`` for anything else."""
    parts = "".join(text.split()).split("-")
    if len(parts) != 3 or parts[0] != _TEXT_PREFIX or not _ID.match(parts[1].lower()):
        raise WorkspaceKeyError("This is not an FBM Desk workspace key (it starts with 'fbmkey1-').")
    body = parts[2].upper()
    try:
        key = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError) as exc:
        raise WorkspaceKeyError("The workspace key is mistyped: check it letter by letter.") from exc
    if len(key) != KEY_BYTES:
        raise WorkspaceKeyError("The workspace key is incomplete: check that all of it was copied.")
    return WorkspaceKey(workspace_id=parts[1].lower(), key=key)


def _secret_name(workspace_id: str) -> str:
    return f"workspace/{workspace_id}/key"


def load_workspace_key(credentials: Credentials, workspace_id: str) -> WorkspaceKey | None:
    """The key of ``workspace_id`` from the credentials layer, or None when this computer lacks it."""
    text = credentials.get_secret(_secret_name(workspace_id))
    if not text:
        return None
    try:
        found = parse_key_text(text)
    except WorkspaceKeyError:
        return None
    return found if found.workspace_id == workspace_id else None


def save_workspace_key(credentials: Credentials, key: WorkspaceKey) -> None:
    credentials.set_secret(_secret_name(key.workspace_id), key.export_text())


def join_workspace(credentials: Credentials, text: str, workspace_id: str, check_value: str) -> WorkspaceKey:
    """Store a key typed in on this station after checking it opens this workspace (issue 13's "join")."""
    key = parse_key_text(text)
    if key.workspace_id != workspace_id:
        raise WorkspaceKeyError("This key belongs to another workspace (another database).")
    if not hmac.compare_digest(key.check_value(), check_value):
        raise WorkspaceKeyError("This key does not open this workspace's buyer data (wrong key).")
    save_workspace_key(credentials, key)
    return key


def normalize_name(text: str) -> list[str]:
    """Words of a name as they are indexed and searched: accents dropped, case folded."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _WORD.findall(plain.casefold())


def is_sealed(stored: object) -> bool:
    """True for a sealed value in either stored form (``pii1:`` text, or bytes: plain values are always text)."""
    return isinstance(stored, bytes) or (isinstance(stored, str) and stored.startswith(PREFIX))


def sealed_bytes(stored: str) -> bytes | None:
    """A ``pii1:`` text value as its binary form (no key needed: the same nonce, ciphertext and tag); None when
    ``stored`` is not sealed text."""
    if not stored.startswith(PREFIX):
        return None
    try:
        return MARKER + base64.b64decode(stored[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return None


def sealed_text(stored: bytes) -> str:
    """A binary sealed value as its ``pii1:`` text form (the inverse of ``sealed_bytes``; no key needed)."""
    if not stored.startswith(MARKER):
        raise WorkspaceKeyError("A buyer field is stored in an unknown format.")
    return PREFIX + base64.b64encode(stored[len(MARKER) :]).decode()


class FieldCipher:
    """Encrypts and decrypts single text fields with one workspace key; computes blind-index tokens."""

    def __init__(self, key: WorkspaceKey) -> None:
        self._aead = AESGCM(key.key)
        self._index_key = hmac.new(key.key, _INDEX_LABEL, hashlib.sha256).digest()

    def encrypt(self, column: str, value: str) -> str:
        """``pii1:<base64(nonce ‖ ciphertext ‖ tag)>``; an empty value stays empty."""
        if not value:
            return value
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, value.encode(), column.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def encrypt_bytes(self, column: str, value: str) -> bytes:
        """``MARKER ‖ nonce ‖ ciphertext ‖ tag``: the binary form SQLite stores (``encrypt``'s value, a third
        of its length shorter: 65 → 44 bytes for 15 characters); ``value`` must not be empty."""
        nonce = os.urandom(12)
        return MARKER + nonce + self._aead.encrypt(nonce, value.encode(), column.encode())

    def decrypt(self, column: str, stored: str | bytes) -> str:
        """Plain text of a stored value in either form (a value stored before encryption is returned as it is).
        Raises ``WorkspaceKeyError`` when the value was sealed with another key, altered, or is in an unknown
        format."""
        if isinstance(stored, str) and not stored.startswith(PREFIX):
            return stored
        try:
            if isinstance(stored, bytes):
                if not stored.startswith(MARKER):
                    raise ValueError("unknown format")
                raw = stored[len(MARKER) :]
            else:
                raw = base64.b64decode(stored[len(PREFIX) :])
            return self._aead.decrypt(raw[:12], raw[12:], column.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise WorkspaceKeyError("A buyer field does not open with this workspace key.") from exc

    def token(self, word_prefix: str) -> int:
        """The blind index token of one normalized word prefix: the first 47 bits of a keyed BLAKE2b (6 bytes
        in SQLite's record). A search word matches another prefix's token by chance with odds of (distinct
        prefixes in the database) / 2^47: below 1 in 10 million with every name of a million orders indexed."""
        digest = hashlib.blake2b(word_prefix.encode(), key=self._index_key, digest_size=8).digest()
        return int.from_bytes(digest, "big") >> (64 - TOKEN_BITS)

    def name_tokens(self, *names: str) -> set[int]:
        """Every token a search should find these names by: each word's prefixes of 2..24 characters."""
        prefixes = {
            word[:end]
            for name in set(names)
            for word in normalize_name(name)
            for end in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1)
        }
        return {self.token(prefix) for prefix in prefixes}

    def search_tokens(self, text: str) -> list[int] | None:
        """The tokens every hit must carry (one per typed word), or None when a word is too short to search."""
        words = normalize_name(text)
        if not words or any(len(w) < MIN_PREFIX for w in words):
            return None
        return sorted({self.token(w[:MAX_PREFIX]) for w in words})
