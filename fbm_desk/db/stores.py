"""Store queries. Secrets are not handled here (see ``fbm_desk.domain.stores`` and ``fbm_desk.foundation.credentials``)."""

from __future__ import annotations

from typing import Any

import peewee as pw

from fbm_desk.db import dialect
from fbm_desk.db.models import Store, utcnow_iso
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import StoreStatus
from fbm_desk.foundation.errors import InvalidInput, NotFound

STATUSES = tuple(StoreStatus)


def _row(s: Store) -> StoreRow:
    return StoreRow(
        id=s.id,
        name=s.name,
        marketplace_id=s.marketplace_id,
        region=s.region,
        selling_partner_id=s.selling_partner_id,
        status=s.status,
        download_products_orders=bool(s.download_products_orders),
        import_pending=bool(s.import_pending),
        starting_inventory=s.starting_inventory,
        remove_stock_external=bool(s.remove_stock_external),
        secret_storage=s.secret_storage,
        status_message=s.status_message,
        token_updated_at=s.token_updated_at,
        created_at=s.created_at,
        require_item_scan=bool(s.require_item_scan),
        removing=s.removing_since is not None,
    )


def list_stores() -> list[StoreRow]:
    return [_row(s) for s in Store.select().order_by(pw.fn.lower(Store.name))]


def get_store(store_id: int) -> StoreRow:
    s = Store.get_or_none(Store.id == store_id)
    if s is None:
        raise NotFound(f"Store #{store_id} does not exist.")
    return _row(s)


def find_store(name: str) -> StoreRow:
    s = Store.get_or_none(pw.fn.lower(Store.name) == name.strip().lower())
    if s is None:
        known = ", ".join(r.name for r in list_stores()) or "none yet"
        raise NotFound(f"No store named '{name}'. Stores: {known}.")
    return _row(s)


def check_new_store(
    name: str, selling_partner_id: str | None, marketplace_id: str, *, exclude_id: int = 0
) -> str:
    """Validate a new store's identity; returns the cleaned name. Raises ``InvalidInput`` with a clear message."""
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("Enter a store name (for example: your brand name + Amazon marketplace).")
    if len(clean) > 80:
        raise InvalidInput("The store name is too long (80 characters at most).")
    clash = Store.get_or_none((pw.fn.lower(Store.name) == clean.lower()) & (Store.id != exclude_id))
    if clash is not None:
        raise InvalidInput(f"A store named '{clash.name}' already exists. Choose another name.")
    if selling_partner_id:
        same = Store.get_or_none(
            (Store.selling_partner_id == selling_partner_id)
            & (Store.marketplace_id == marketplace_id)
            & (Store.id != exclude_id)
        )
        if same is not None:
            raise InvalidInput(
                f"This Amazon account is already connected in this marketplace as store '{same.name}'. "
                "Use Reconnect on that store instead."
            )
    return clean


def insert_store(**fields: Any) -> StoreRow:
    """Insert a store row (callers validate with ``check_new_store`` inside the same transaction)."""
    fields.setdefault("created_at", utcnow_iso())
    store = Store.create(**fields)
    return _row(store)


def update_store(store_id: int, **fields: Any) -> StoreRow:
    if "status" in fields and fields["status"] not in STATUSES:
        raise InvalidInput(f"Unknown store status {fields['status']!r}.")
    Store.update(**fields).where(Store.id == store_id).execute()
    return get_store(store_id)


def set_status(store_id: int, status: str, message: str = "") -> StoreRow:
    return update_store(store_id, status=status, status_message=message)


def delete_store(store_id: int) -> None:
    """Delete a store and (by cascade) its listings, orders, packages, cursors and runs; call inside a
    transaction. Its orders' name tokens first, in one statement: on SQLite they have no foreign key to cascade
    by (schema_compact.sql)."""
    dialect.execute(
        "DELETE FROM buyer_name_token WHERE order_id IN (SELECT id FROM orders WHERE store_id = ?)",
        [store_id],
    )
    Store.delete().where(Store.id == store_id).execute()


def flag_keyring_secrets_insecure() -> int:
    """The keyring turned out not to encrypt: every store whose token is in it is flagged insecure."""
    flagged = Store.update(secret_storage="insecure_fallback")  # noqa: S106 (a storage kind, not a secret)
    return int(flagged.where(Store.secret_storage == "keyring").execute())  # noqa: S105
