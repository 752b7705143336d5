"""Products (Amazon listings) table over ``fbm_desk.db.product_views``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from fbm_desk.db.product_views import (
    ListingQuery,
    ListingSort,
    ListingViewRow,
    count_listings,
    fetch_listings,
)
from fbm_desk.ui.table_models.formatting import ALIGN_RIGHT, bold_font
from fbm_desk.ui.table_models.paged_model import BADGE_ROLE, PagedSqlModel, split_columns

COL_NEW, COL_STORE, COL_SKU, COL_ASIN, COL_TITLE, COL_STATUS, COL_CHANNEL, COL_QTY, COL_MAPPED = range(9)
NEW_BADGE = ("New", "#cfe8ff", "#0b4a8b")
CHANNELS = {"DEFAULT": "Merchant (FBM)"}


class ProductsTableModel(PagedSqlModel[ListingQuery, ListingViewRow]):
    headers, sort_keys = split_columns(
        (
            ("", ListingSort.NEW),
            ("Store", ListingSort.STORE),
            ("Amazon SKU", ListingSort.SKU),
            ("ASIN", ListingSort.ASIN),
            ("Title", ListingSort.TITLE),
            ("Status", ListingSort.STATUS),
            ("Fulfillment", ListingSort.CHANNEL),
            ("Amazon qty", ListingSort.QUANTITY),
            ("Warehouse SKU", ListingSort.MAPPED),
        )
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(ListingQuery(), parent, count=count_listings, fetch=fetch_listings)

    def display(self, r: ListingViewRow, column: int) -> Any:
        if column == COL_NEW:
            return "New" if r.is_new else ""
        if column == COL_STORE:
            return r.store_name
        if column == COL_SKU:
            return r.seller_sku
        if column == COL_ASIN:
            return r.asin
        if column == COL_TITLE:
            return r.title
        if column == COL_STATUS:
            return "Gone from Amazon" if r.gone_at else (r.status or "—")
        if column == COL_CHANNEL:
            return CHANNELS.get(r.fulfillment_channel, f"FBA ({r.fulfillment_channel})")
        if column == COL_QTY:
            return "" if r.amazon_quantity is None else r.amazon_quantity
        if column == COL_MAPPED:
            if r.product_sku is None:
                return "⚠ not mapped"
            return r.product_sku + (" (alias)" if r.via_alias else "")
        return None

    def role_data(self, r: ListingViewRow, column: int, role: int) -> Any:
        if role == BADGE_ROLE and column == COL_NEW and r.is_new:
            return NEW_BADGE
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_MAPPED and r.product_sku is None:
                return QBrush(QColor("#9b1111"))
            if r.gone_at:
                return QBrush(QColor("#888888"))
        if role == Qt.ItemDataRole.FontRole and column == COL_MAPPED and r.product_sku is None:
            return bold_font()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_QTY:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_NEW and r.is_new:
                return "Found by the latest product sync of this store"
            if column == COL_MAPPED and r.product_sku is None:
                return "Orders for this SKU need mapping: use Map SKU… to alias it to a warehouse SKU"
        return None
