"""The pack dialog's side panel: the picture of the item being packed, and the packing note.

The picture is the listing's main image (Amazon's Listings API ``summaries.mainImage``), read from the image
cache in the data folder (``fbm_desk.foundation.image_cache``); nothing is downloaded while the dialog
opens. Without one, a placeholder says so, and ``PictureLoader`` fetches the missing pictures in the
background; the panel shows one as soon as it arrives. The packing note is the slot automation rules fill (``set_note``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fbm_desk.db.domain_rows import OrderDetail
from fbm_desk.foundation.image_cache import cached_image
from fbm_desk.ui.picture_loader import PictureLoader

IMAGE_SIZE = 160


class PackSide(QWidget):
    def __init__(self, image_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("packSide")
        self.setFixedWidth(IMAGE_SIZE + 16)
        self._image_dir = image_dir
        self._asins: list[str] = []
        self._captions: list[str] = []
        self._row = -1
        # no Qt parent: the running download keeps the loader alive if the dialog closes first
        self.loader = PictureLoader(image_dir)
        self.loader.arrived.connect(self._on_arrived)
        self.image = QLabel()
        self.image.setObjectName("packImage")
        self.image.setFixedSize(IMAGE_SIZE, IMAGE_SIZE)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setWordWrap(True)
        self.caption = QLabel()
        self.caption.setObjectName("packImageCaption")
        self.caption.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("packNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel { background: #fff7d6; border: 1px solid #e0c060; padding: 4px; }")
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.image)
        layout.addWidget(self.caption)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def show_order(self, detail: OrderDetail) -> None:
        self._asins = [i.asin for i in detail.items]
        self._captions = [i.seller_sku for i in detail.items]
        first = next((r for r, i in enumerate(detail.items) if i.packable > 0), 0)
        self.show_item(first)
        self.loader.request(a for a in self._asins if cached_image(self._image_dir, a) is None)

    def show_item(self, row: int) -> None:
        """The picture of the order's line ``row`` (the last one scanned)."""
        self._row = row
        if not 0 <= row < len(self._asins):
            self._placeholder("")
            return
        self.caption.setText(self._captions[row])
        path = cached_image(self._image_dir, self._asins[row])
        pixmap = QPixmap(str(path)) if path is not None else QPixmap()
        if pixmap.isNull():
            self._placeholder("No picture from Amazon for this item")
            return
        self.image.setStyleSheet("")
        self.image.setPixmap(
            pixmap.scaled(
                IMAGE_SIZE,
                IMAGE_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _on_arrived(self, asin: str) -> None:
        if 0 <= self._row < len(self._asins) and self._asins[self._row] == asin:
            self.show_item(self._row)

    def set_note(self, text: str) -> None:
        """The packing note (from automation rules); empty hides it."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _placeholder(self, text: str) -> None:
        self.image.clear()
        self.image.setStyleSheet("QLabel { background: #f0f0f0; color: #777; border: 1px dashed #bbb; }")
        self.image.setText(text)
