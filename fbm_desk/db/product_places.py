"""Where a product sits (its bin location) and when it is low on stock (its low-stock level).

The bin is printed on pick lists and shown in the pack dialog; the low-stock level drives the Inventory tab's
"Low stock" filter and the tray alert. Whether a product is low is the stock model's answer
(``StockRow.is_low``, computed from ``fbm_desk.db.stock``'s available), never recomputed here.
"""

from __future__ import annotations

from collections.abc import Iterable

from fbm_desk.db import dialect
from fbm_desk.db.inventory import MAX_ON_HAND, find_product_id
from fbm_desk.db.models import Product
from fbm_desk.db.stock import InventoryQuery, StockRow, inventory_for
from fbm_desk.db.stock_summary import fetch_stock
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import InvalidInput

MAX_BIN_LENGTH = 40
_KEEP = object()


def clean_bin(text: str) -> str:
    """A bin location as stored: trimmed, printable, at most ``MAX_BIN_LENGTH`` characters ('' = none)."""
    value = text.strip()
    if not value.isprintable():
        raise InvalidInput("A bin location must be plain text (no tabs or line breaks).")
    if len(value) > MAX_BIN_LENGTH:
        raise InvalidInput(f"A bin location must be at most {MAX_BIN_LENGTH} characters.")
    return value


def check_low_stock(level: int | None) -> int | None:
    if level is not None and not 0 <= level <= MAX_ON_HAND:
        raise InvalidInput(f"The low-stock level must be between 0 and {MAX_ON_HAND:,}.")
    return level


def set_product_place(sku: str, *, bin: object = _KEEP, low_stock: object = _KEEP) -> StockRow:
    """Set the bin location and/or the low-stock level (None: no alert) of the product a SKU names.

    An argument left out keeps its value. Raises ``NotFound`` for an unknown SKU, ``InvalidInput`` for a bad
    value; nothing is written then.
    """
    changes: dict[object, object] = {}
    if bin is not _KEEP:
        changes[Product.bin] = clean_bin(str(bin))
    if low_stock is not _KEEP:
        if low_stock is not None and not isinstance(low_stock, int):
            raise InvalidInput("The low-stock level must be a whole number.")
        changes[Product.low_stock] = check_low_stock(low_stock)
    with transaction(immediate=True):
        product_id = find_product_id(sku)
        if changes:
            Product.update(changes).where(Product.id == product_id).execute()
    return inventory_for([product_id])[0]


def low_stock_rows(limit: int = 1000) -> list[StockRow]:
    """The products whose available quantity is at or below their low-stock level, by SKU."""
    return fetch_stock(InventoryQuery(low_stock_only=True), 0, limit)


def bins_for(product_ids: Iterable[int]) -> dict[int, str]:
    """Bin location per product (products without one are left out): the pack dialog shows them."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = dialect.execute(
        f"SELECT id, bin FROM product WHERE id IN ({marks}) AND bin != ''",  # noqa: S608 - placeholders
        ids,
    ).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}
