"""The input parts of the Add Store dialog: store name and marketplace, and the pasted-token fields."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit, QVBoxLayout, QWidget

from fbm_desk.amazon.marketplaces import MARKETPLACES, by_id
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.add_store_parts import named, note

REGION_NAMES = {"NA": "North America", "EU": "Europe", "FE": "Asia-Pacific"}
# Where a marketplace is, for people: Amazon's SP-API puts India and the Middle East in its "EU" region
# (the endpoint), but no seller looks for Amazon.in under "Europe".
GEOGRAPHY = {
    "BR": "South America",
    "ZA": "Africa",
    "EG": "Middle East and Africa",
    "SA": "Middle East",
    "AE": "Middle East",
    "IN": "Asia",
    "SG": "Asia",
    "JP": "Asia",
    "AU": "Oceania",
}


def geography(code: str, region: str) -> str:
    return GEOGRAPHY.get(code) or REGION_NAMES.get(region, region)


NAME_HINT = "Brand name + Amazon marketplace"


class StoreFormPanel(QWidget):
    """Integration, store name (checked while typing) and marketplace."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.integration_combo = named(QComboBox(), "integrationCombo")
        self.integration_combo.addItem("Amazon")
        form.addRow("Integration:", self.integration_combo)

        self.name_edit = named(QLineEdit(), "storeNameEdit")
        self.name_edit.setPlaceholderText("e.g. Acme US")
        self.name_edit.setMaxLength(80)
        name_box = QVBoxLayout()
        name_box.addWidget(self.name_edit)
        self.name_hint = note(NAME_HINT)
        name_box.addWidget(self.name_hint)
        form.addRow("Store Name:", name_box)

        self.marketplace_combo = named(QComboBox(), "marketplaceCombo")
        self.marketplace_combo.addItem("Choose…", "")
        for market in MARKETPLACES:
            label = f"{market.name} ({market.code}) — {geography(market.code, market.region)}"
            self.marketplace_combo.addItem(label, market.code)
        market_box = QVBoxLayout()
        market_box.addWidget(self.marketplace_combo)
        market_box.addWidget(
            note(
                "Verify that the Seller Central account you sign in to (or are already signed in to) "
                "matches the marketplace you chose."
            )
        )
        form.addRow("Marketplace:", market_box)

    def fill_reconnect(self, store: StoreRow) -> None:
        """Show the store being reconnected; its name and marketplace cannot change."""
        self.name_edit.setText(store.name)
        self.name_edit.setReadOnly(True)
        self.name_hint.setText("Reconnecting keeps the store's orders, products and settings.")
        market = by_id(store.marketplace_id)
        index = self.marketplace_combo.findData(market.code if market else "")
        self.marketplace_combo.setCurrentIndex(max(index, 0))
        self.marketplace_combo.setEnabled(False)

    def marketplace_code(self) -> str:
        return str(self.marketplace_combo.currentData() or "")

    def name_problem(self) -> str:
        """Why the typed name cannot be used for a new store ('' when it can, or when nothing is typed)."""
        name = self.name_edit.text()
        if not name.strip():
            return ""
        try:
            store_db.check_new_store(name, None, "")
        except FbmError as exc:
            return exc.user_message
        return ""

    def validated(self) -> tuple[str, str] | str:
        """(name, marketplace code) of a new store, or the reason it cannot be added (focus moved there)."""
        try:
            name = store_db.check_new_store(self.name_edit.text(), None, "")
        except FbmError as exc:
            self.name_edit.setFocus()
            return exc.user_message
        code = self.marketplace_code()
        if not code:
            self.marketplace_combo.setFocus()
            return "Choose the Amazon marketplace of this store."
        return name, code


class PastedTokenFields(QGroupBox):
    """Seller ID and refresh token of a self-authorized app (the "Advanced" path)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("advancedFields")
        adv = QFormLayout(self)
        self.seller_edit = named(QLineEdit(), "sellerIdEdit")
        self.seller_edit.setPlaceholderText("Merchant Token, e.g. A1B2C3D4E5F6G7")
        self.token_edit = named(QLineEdit(), "refreshTokenEdit")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("Atzr|…")
        adv.addRow("Seller ID:", self.seller_edit)
        adv.addRow("Refresh token:", self.token_edit)
        adv.addRow(
            note(
                "For your own private app: Seller Central → Apps and Services → Develop Apps → Authorize. "
                "The Seller ID is the Merchant Token shown under Account Info."
            )
        )
