"""Adding, reconnecting and removing stores: the database row and its secret change together.

The store row and its refresh token are written in one step: the row is inserted inside a transaction, the
token goes to the credentials layer, and only then is the transaction committed. If storing the secret fails,
no store is left behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fbm_desk.amazon.marketplaces import by_code
from fbm_desk.core import CoreServices
from fbm_desk.db import store_removal as removal
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import StoreStatus
from fbm_desk.db.transactions import transaction
from fbm_desk.domain.authorization import check_refresh_token_format, check_seller_id
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.timestamps import iso_utc

RemovalCallback = Callable[[int, int], None]  # rows removed so far, rows in all


@dataclass(frozen=True)
class StoreOptions:
    """The per-store options of the Add Store dialog (seeds: Rackseeker/ShipHero help page)."""

    download_products_orders: bool = True
    import_pending: bool = False
    starting_inventory: str = "match"  # match | zero
    remove_stock_external: bool = False

    def __post_init__(self) -> None:
        if self.starting_inventory not in ("match", "zero"):
            raise InvalidInput("Starting inventory must be 'match' (what is in Amazon) or 'zero'.")


def add_store(
    core: CoreServices,
    *,
    name: str,
    marketplace: str,
    selling_partner_id: str,
    refresh_token: str,
    options: StoreOptions | None = None,
) -> StoreRow:
    """Create a connected store. Raises ``InvalidInput`` (nothing stored) for a bad or duplicate store."""
    options = options or StoreOptions()
    market = by_code(marketplace)
    if not selling_partner_id.strip():
        raise InvalidInput("Enter the Amazon selling partner id (Merchant Token) of the store.")
    seller = check_seller_id(selling_partner_id)
    token = check_refresh_token_format(refresh_token)
    with transaction(immediate=True):  # the name/seller check guards the insert (two stations adding at once)
        clean = store_db.check_new_store(name, seller, market.marketplace_id)
        row = store_db.insert_store(
            name=clean,
            marketplace_id=market.marketplace_id,
            region=market.region,
            selling_partner_id=seller,
            status=StoreStatus.CONNECTED,
            download_products_orders=options.download_products_orders,
            import_pending=options.import_pending,
            starting_inventory=options.starting_inventory,
            remove_stock_external=options.remove_stock_external,
            secret_storage=core.credentials.backend_kind,
            token_updated_at=iso_utc(datetime.now(UTC)),
        )
        core.credentials.set_refresh_token(row.id, token)  # raises -> the row is rolled back
    return row


def replace_token(
    core: CoreServices, store_id: int, refresh_token: str, selling_partner_id: str | None = None
) -> StoreRow:
    """Reconnect: new refresh token in place; orders, listings and settings are kept."""
    current = store_db.get_store(store_id)
    if selling_partner_id and selling_partner_id != current.selling_partner_id:
        raise InvalidInput(
            f"You authorized a different Amazon account ({selling_partner_id}) than the one of store "
            f"'{current.name}' ({current.selling_partner_id}). Add it as a new store instead."
        )
    core.credentials.set_refresh_token(store_id, check_refresh_token_format(refresh_token))
    return store_db.update_store(
        store_id,
        status=StoreStatus.CONNECTED,
        status_message="",
        token_updated_at=iso_utc(datetime.now(UTC)),
        secret_storage=core.credentials.backend_kind,
    )


def remove_store(
    core: CoreServices,
    store_id: int,
    progress: RemovalCallback | None = None,
    stop: Callable[[], bool] | None = None,
) -> bool:
    """Delete the store with its orders, listings and history, then forget its token.

    In steps (``fbm_desk.db.store_removal``): the store is marked first (nothing syncs it from then on), its
    token is forgotten, then its rows go in transactions of ~0.1 s each, so packing and the other stores' syncs
    are never held up for long. ``progress(removed, total)`` is called after each step with the rows deleted
    so far and all there were at the start; ``stop`` as in ``continue_removal``."""
    removal.begin_removal(store_id)
    return continue_removal(core, store_id, progress, stop)


def continue_removal(
    core: CoreServices,
    store_id: int,
    progress: RemovalCallback | None = None,
    stop: Callable[[], bool] | None = None,
) -> bool:
    """Carry on removing a store marked as being removed (after a crash, or from ``remove_store``); stops
    between two steps when ``stop()`` says so. Returns True once the store is gone."""
    core.credentials.delete_refresh_token(store_id)  # again after a crash: it may not have been reached
    left = removal.removal_progress(store_id)
    total, removed, rows, step = left.orders_left + left.other_rows_left, 0, removal.STEP_ROWS, None
    while not (stop is not None and stop()):
        started = time.perf_counter()
        step = removal.remove_step(store_id, rows, step)
        if not step.rows:
            removal.finish_removal(store_id)
            return True
        rows = removal.next_step_rows(rows, time.perf_counter() - started)
        removed += step.rows
        if progress is not None:
            progress(removed, max(total, removed))
    return False
