"""Buyer data fields: sealed on the way into the database, opened on the way out (issue 14).

The one place the db layer encrypts and decrypts. Writers call ``seal_fields`` on the column dict they store;
readers call ``reveal``. The rest of the app sees plain values. Which columns are encrypted, and why these:
Amazon hands an app the buyer's name, the ship-to name, company, street lines and phone only with a restricted
role (Direct-to-Consumer Delivery / buyer info; without it, v0 returns only City, StateOrRegion, PostalCode and
CountryCode), so those are the personal data of its Data Protection Policy. The extended street fields (Brazil's
street/number/complement) and the delivery instructions are street-level too. City, state, postal code and
country stay readable (rules, sorting, carriers need them; Amazon itself sends them without the restricted role);
the retention purge removes city and postal code with the rest. The buyer's e-mail is never stored.

On SQLite a sealed value is stored as bytes, on PostgreSQL as ``pii1:`` text (``fbm_desk.db.sealed_values``);
``reveal`` opens both forms.

The workspace key is bound once per process (``bind``, from ``fbm_desk.db.privacy.attach_workspace``); a station
without it reads every sealed value as ``LOCKED`` and cannot store new buyer data (``BuyerDataLocked``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, MutableMapping

from fbm_desk.db import dialect
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.workspace_key import FieldCipher, WorkspaceKeyError, is_sealed

ENCRYPTED_COLUMNS = (
    "buyer_name",
    "ship_name",
    "ship_company",
    "ship_address1",
    "ship_address2",
    "ship_address3",
    "ship_phone",
    "ship_extended",
    "delivery_instructions",
)
# What the retention purge empties: the encrypted fields and the address parts finer than the state.
PURGED_COLUMNS = (*ENCRYPTED_COLUMNS, "ship_city", "ship_postal_code", "ship_district", "ship_municipality")
NAME_COLUMNS = ("buyer_name", "ship_name")  # searchable through the blind index
LOCKED = "(encrypted — this computer lacks the workspace key)"


def purged_text(days: int) -> str:
    return f"address removed after {days} days (data protection)"


class BuyerDataLocked(FbmError):
    """This station has no workspace key: it cannot store buyer data."""


class _Binding:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cipher: FieldCipher | None = None
        self.reason = "The database has not been opened with its workspace key yet."


_binding = _Binding()


def bind(cipher: FieldCipher | None, reason: str = "") -> None:
    """Use ``cipher`` for every buyer field from now on (None: this computer lacks the key, ``reason`` says why)."""
    with _binding.lock:
        _binding.cipher = cipher
        _binding.reason = reason


def cipher() -> FieldCipher | None:
    return _binding.cipher


def _require() -> FieldCipher:
    found = _binding.cipher
    if found is None:
        raise BuyerDataLocked(
            "This computer lacks the workspace key, so it cannot store buyer names and addresses. "
            + _binding.reason
        )
    return found


def seal(column: str, value: str) -> str | bytes:
    """``value`` sealed in the bound database's form (bytes on SQLite, text on PostgreSQL); '' stays ''."""
    if not value:
        return value
    found = _require()
    return found.encrypt(column, value) if dialect.is_postgres() else found.encrypt_bytes(column, value)


def seal_fields(row: MutableMapping[str, object]) -> None:
    """Encrypt, in place, the buyer fields present in a column dict about to be written."""
    for column in ENCRYPTED_COLUMNS:
        value = row.get(column)
        if isinstance(value, str) and value and not is_sealed(value):
            row[column] = seal(column, value)


def reveal(column: str, stored: str | bytes | None) -> str:
    """The plain value of a stored buyer field (either sealed form, or plain text); ``LOCKED`` when this
    computer cannot open it."""
    if not stored:
        return ""
    if not is_sealed(stored):
        return str(stored)
    found = _binding.cipher
    if found is None:
        return LOCKED
    try:
        return found.decrypt(column, stored)
    except WorkspaceKeyError:
        return LOCKED


def name_token_rows(order_id: int, names: Iterable[str]) -> list[tuple[int, int]]:
    """Blind index rows ``(order_id, token)`` for an order's buyer and ship-to names."""
    found = _binding.cipher
    if found is None:
        return []
    return [(order_id, token) for token in sorted(found.name_tokens(*names))]


def search_tokens(text: str) -> list[int] | None:
    """Tokens an order must carry to match a name search, or None (no key, or too short a word)."""
    found = _binding.cipher
    return None if found is None else found.search_tokens(text)
