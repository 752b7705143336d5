"""Lookups of the pack dialog's scans: is a scanned code one of our products (a wrong item, not a label)?"""

from __future__ import annotations

from fbm_desk.db import dialect

_CATALOG_SQL = (
    "SELECT 1 FROM product WHERE sku = ? COLLATE NOCASE OR (barcode != '' AND barcode = ? COLLATE NOCASE) "
    "UNION ALL SELECT 1 FROM listing WHERE seller_sku = ? COLLATE NOCASE OR asin = ? COLLATE NOCASE "
    "LIMIT 1"
)


def is_catalog_code(code: str) -> bool:
    """True when ``code`` is a warehouse SKU, a barcode, a seller SKU or an ASIN of any store."""
    clean = code.strip()
    if not clean:
        return False
    return dialect.execute(_CATALOG_SQL, [clean] * 4).fetchone() is not None
