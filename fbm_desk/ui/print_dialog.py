"""The print dialog of a batch: says what is printed for how many orders (the confirmation), lets the user pick
the paper (Letter, A4, 4×6 label) and then preview, print through Qt's print dialog, or save as PDF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.foundation.errors import FbmError
from fbm_desk.printing.canvas import Canvas, PaperSize, page_layout
from fbm_desk.printing.render import print_to, write_pdf

Draw = Callable[[Canvas], None]


class PrintBatchDialog(QDialog):
    """``PrintBatchDialog(title, summary, draw, default_name)``; ``done_message`` tells what happened."""

    def __init__(
        self, title: str, summary: str, draw: Draw, default_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printBatchDialog")
        self.setWindowTitle(title)
        self._draw = draw
        self._default_name = default_name
        self.done_message = ""
        self.summary = QLabel(summary)
        self.summary.setObjectName("printSummary")
        self.summary.setWordWrap(True)
        self.size_combo = QComboBox()
        self.size_combo.setObjectName("paperSize")
        for size in PaperSize:
            self.size_combo.addItem(size.label, size.value)
        form = QFormLayout()
        form.addRow("Paper:", self.size_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button = QPushButton("Preview…")
        self.print_button = QPushButton("Print…")
        self.pdf_button = QPushButton("Save as PDF…")
        for button, slot in (
            (self.preview_button, self.preview),
            (self.print_button, self.print_now),
            (self.pdf_button, self.save_pdf),
        ):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.clicked.connect(slot)
        self.print_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @property
    def paper(self) -> PaperSize:
        return PaperSize(self.size_combo.currentData())

    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout(self.paper))
        return printer

    def preview(self) -> None:
        printer = self._printer()
        dialog = QPrintPreviewDialog(printer, self)
        dialog.paintRequested.connect(lambda p: print_to(p, None, self._draw))
        dialog.exec()

    def print_now(self) -> None:
        printer = self._printer()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        pages = print_to(printer, None, self._draw)
        self._finish(f"Sent {pages} page(s) to {printer.printerName() or 'the printer'}.")

    def save_pdf(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Save as PDF", self._default_name, "PDF (*.pdf)")
        if path:
            self.write_pdf(Path(path))

    def write_pdf(self, path: Path) -> None:
        """Save as PDF without the file dialog (what "Save as PDF…" does once a file is chosen)."""
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            pages = write_pdf(path, self.paper, self._draw)
        except (OSError, FbmError) as exc:
            self.summary.setText(f"Could not save {path.name}: {getattr(exc, 'user_message', exc)}")
            return
        self._finish(f"Saved {pages} page(s) to {path}.")

    def _finish(self, message: str) -> None:
        self.done_message = message
        self.accept()
