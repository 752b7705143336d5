"""How a sealed buyer field is stored (issue 19): as bytes on SQLite, as ``pii1:`` text on PostgreSQL.

- SQLite keeps ``MARKER ‖ nonce ‖ ciphertext ‖ tag`` as a BLOB (``FieldCipher.encrypt_bytes``): a third
  less than the base64 text (a 15-character name: 44 bytes instead of 65). Its columns stay declared TEXT; a BLOB is kept as it is in them.
- PostgreSQL keeps the text form (its columns are TEXT, and the storage target is the SQLite file's).
- The two forms carry the same nonce, ciphertext and tag, so converting one into the other needs no key:
  ``schema_pii_binary.sql`` converts a file's text values with ``pii_binary``; a workspace copy
  (``workspace_copy.py``) carries the bytes over as text with ``pii_text``. Readers accept both forms
  (``pii.reveal``, ``FieldCipher.decrypt``). Plain values (a station without encryption, before issue 14) and
  empty values stay text.
"""

from __future__ import annotations

import base64
import sqlite3
from typing import TypeAlias

import peewee as pw

from fbm_desk.foundation.workspace_key import MARKER, PREFIX, sealed_bytes, sealed_text

Stored: TypeAlias = str | bytes | int | float | None  # what a SQLite value can be


class SealedField(pw.TextField):
    """A buyer field's column: text passes as peewee's ``TextField`` does, bytes (a sealed value on SQLite) pass
    unchanged (``TextField`` would decode them as UTF-8)."""

    def db_value(self, value: object) -> object:
        return value if isinstance(value, bytes) else super().db_value(value)

    def python_value(self, value: object) -> object:
        return value if isinstance(value, bytes) else super().python_value(value)


def as_binary(stored: Stored) -> Stored:
    """``pii_binary(x)``: a ``pii1:`` text value as bytes; anything else (plain, empty, bytes, NULL) unchanged."""
    if isinstance(stored, str):
        found = sealed_bytes(stored)
        return stored if found is None else found
    return stored


def as_text(stored: Stored) -> Stored:
    """``pii_text(x)``: a sealed value in bytes as its ``pii1:`` text; anything else unchanged. Bytes in an
    unknown format become text that opens with no key either (its tag never matches), so such a value stays
    locked on PostgreSQL as it is on SQLite, instead of failing the whole copy."""
    if not isinstance(stored, bytes):
        return stored
    if stored.startswith(MARKER):
        return sealed_text(stored)
    return PREFIX + base64.b64encode(stored).decode()


def register_functions(conn: sqlite3.Connection) -> None:
    """Make ``pii_binary`` and ``pii_text`` callable in SQL on a raw SQLite connection (the migrations')."""
    conn.create_function("pii_binary", 1, as_binary, deterministic=True)
    conn.create_function("pii_text", 1, as_text, deterministic=True)
