"""Frozen rows handed out of the database layer (never peewee model instances)."""

from __future__ import annotations

from dataclasses import dataclass

from fbm_desk.db.states import StoreStatus


@dataclass(frozen=True)
class StoreRow:
    id: int
    name: str
    marketplace_id: str
    region: str
    selling_partner_id: str
    status: str  # connected | needs_reconnect | disabled
    download_products_orders: bool
    import_pending: bool
    starting_inventory: str  # match | zero
    remove_stock_external: bool
    secret_storage: str  # keyring | insecure_fallback
    status_message: str
    token_updated_at: str | None
    created_at: str
    require_item_scan: bool = True  # packing: every unit must be scanned
    removing: bool = False  # being removed in steps (fbm_desk.db.store_removal): nothing syncs it

    @property
    def is_active(self) -> bool:
        return self.status == StoreStatus.CONNECTED and not self.removing
